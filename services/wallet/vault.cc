#include "services/wallet/vault.h"

#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/common/bounded_json.h"
#include "libs/common/files.h"
#include "libs/common/secure_bytes.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace poolops::wallet {
namespace {

constexpr char kRegistryFile[] = "wallets.json";
constexpr char kKeystoreDir[] = "keystore";
constexpr char kRuleLocked[] = "locked";

// Key of a wallet in the unlock store and the rate limiter.
std::string KeyId(const eth::Address& address) {
  return address.ToLowerHex(/*prefix=*/false);
}

absl::Status ValidatePassword(std::string_view password) {
  if (password.empty()) {
    return absl::InvalidArgumentError("password must not be empty");
  }
  if (password.size() > Vault::kMaxPasswordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "password is longer than ", Vault::kMaxPasswordBytes, " bytes"));
  }
  return absl::OkStatus();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes a private key straight into SecureBytes (no plain copy). Errors
// never quote the input.
absl::StatusOr<SecureBytes> DecodePrivateKey(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(text.back())) {
    text.remove_suffix(1);
  }
  if (text.size() >= 2 && text[0] == '0' &&
      (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  const auto bad = absl::InvalidArgumentError(
      "private_key: want 64 hex digits (32 bytes), with or without 0x");
  if (text.size() != 64) return bad;
  SecureBytes key(32);
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return bad;
    key.data()[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  if (!eth::ValidatePrivateKey(key.view()).ok()) {
    return absl::InvalidArgumentError(
        "private_key: not a valid secp256k1 private key (zero or above the "
        "curve order)");
  }
  return key;
}

void SetCaller(AuditRecord& record, const AuditCaller& caller) {
  record.caller = caller.peer;
  record.client = caller.client;
  record.purpose = caller.purpose;
}

absl::Status NotFound(std::string_view wallet) {
  return absl::NotFoundError(
      absl::StrCat("wallet ", std::string(wallet), " not found"));
}

absl::Status CheckNew(const WalletRegistry& registry, std::string_view name,
                      const eth::Address* address) {
  if (registry.FindByName(name)) {
    return absl::AlreadyExistsError(
        absl::StrCat("a wallet named ", std::string(name), " already exists"));
  }
  if (address != nullptr) {
    if (const WalletEntry* e = registry.FindByAddress(*address)) {
      return absl::AlreadyExistsError(
          absl::StrCat("address ", address->ToChecksum(),
                       " is already in the vault as wallet ", e->name));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<std::unique_ptr<Vault>> Vault::Open(VaultOptions options) {
  if (options.home.empty()) {
    return absl::InvalidArgumentError("vault: home folder is required");
  }
  if (options.clock == nullptr || options.random == nullptr) {
    return absl::InvalidArgumentError("vault: clock and random are required");
  }
  // The home may be a folder the operator chose: never chmod it.
  if (absl::Status s = files::EnsureOwnDir(options.home); !s.ok()) return s;
  if (absl::Status s = files::EnsureDir(options.home / kKeystoreDir, 0700);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<WalletRegistry> registry =
      WalletRegistry::Load(options.home / kRegistryFile);
  if (!registry.ok()) return registry.status();
  std::unique_ptr<FileAuditLog> audit;
  if (options.audit == nullptr) {
    // Opening repairs a torn tail left by a crash; no log, no vault.
    absl::StatusOr<std::unique_ptr<FileAuditLog>> log =
        FileAuditLog::Open(options.home / "audit.log");
    if (!log.ok()) {
      return absl::Status(log.status().code(),
                          absl::StrCat("audit log: ", log.status().message()));
    }
    audit = *std::move(log);
  }
  return std::unique_ptr<Vault>(
      new Vault(std::move(options), std::move(*registry), std::move(audit)));
}

Vault::Vault(VaultOptions options, WalletRegistry registry,
             std::unique_ptr<FileAuditLog> audit)
    : options_(std::move(options)),
      owned_audit_(std::move(audit)),
      audit_(owned_audit_ ? owned_audit_.get() : options_.audit),
      owned_kdf_gate_(options_.kdf_gate == nullptr
                          ? std::make_unique<KdfGate>(2, 8)
                          : nullptr),
      kdf_gate_(options_.kdf_gate == nullptr ? owned_kdf_gate_.get()
                                             : options_.kdf_gate),
      limiter_(options_.clock, options_.rate_limits),
      unlocked_(options_.clock, options_.reaper_poll),
      registry_(std::move(registry)) {}

Vault::~Vault() = default;

std::filesystem::path Vault::keystore_dir() const {
  return options_.home / kKeystoreDir;
}

std::filesystem::path Vault::registry_file() const {
  return options_.home / kRegistryFile;
}

WalletInfo Vault::Info(const WalletEntry& entry) const {
  WalletInfo info;
  info.name = entry.name;
  info.address = entry.address;
  info.keystore = keystore_dir() / entry.keystore_file;
  info.created = entry.created;
  const std::string id = KeyId(entry.address);
  info.unlocked_until = unlocked_.UnlockedUntil(id);
  info.operator_locked_at = entry.operator_locked_at;
  if (info.unlocked_until.has_value()) {
    info.lock_reason = "";
  } else if (entry.operator_locked_at.has_value()) {
    info.lock_reason = kLockOperator;
  } else {
    absl::ReaderMutexLock lock(&once_mu_);
    info.lock_reason =
        unlocked_once_.contains(id) ? kLockExpired : kLockNotUnlocked;
  }
  return info;
}

absl::StatusOr<std::string> Vault::ReadKeystoreFile(
    const WalletEntry& entry) const {
  absl::StatusOr<std::string> json =
      files::ReadFile(keystore_dir() / entry.keystore_file, kMaxKeystoreBytes);
  if (!json.ok()) {
    // The registry names a keystore that is gone or unreadable: the wallet's
    // data is damaged, not the request.
    return absl::DataLossError(absl::StrCat("keystore of wallet ", entry.name,
                                            ": ", json.status().message()));
  }
  return json;
}

absl::StatusOr<WalletEntry> Vault::Resolve(std::string_view wallet) const {
  if (wallet.empty()) {
    return absl::InvalidArgumentError(
        "wallet (a name or an address) is required");
  }
  absl::ReaderMutexLock lock(&mu_);
  const WalletEntry* entry = registry_.Find(wallet);
  if (entry == nullptr) return NotFound(wallet);
  return *entry;
}

absl::StatusOr<WalletInfo> Vault::Store(std::string_view name,
                                        const eth::Address& address,
                                        eth::ByteView key,
                                        std::string_view password) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (absl::Status s = CheckNew(registry_, name, &address); !s.ok()) {
      return s;
    }
  }
  // The slow part (scrypt) runs unlocked; duplicates are checked again below.
  absl::StatusOr<std::string> json;
  {
    absl::StatusOr<KdfGate::Ticket> slot = kdf_gate_->Enter("store wallet");
    if (!slot.ok()) return slot.status();
    json = EncryptKeystore(key, password, options_.random, options_.encrypt);
  }
  if (!json.ok()) return json.status();

  absl::MutexLock lock(&mu_);
  if (absl::Status s = CheckNew(registry_, name, &address); !s.ok()) return s;
  WalletEntry entry;
  entry.name = std::string(name);
  entry.address = address;
  entry.checksum = address.ToChecksum();
  entry.created = options_.clock->Now();
  entry.keystore_file = KeystoreFileName(entry.created, address);
  std::filesystem::path file = keystore_dir() / entry.keystore_file;
  if (absl::Status s = files::EnsureDir(keystore_dir(), 0700); !s.ok()) {
    return s;
  }
  if (absl::Status s =
          files::WriteFileAtomic(file, *json, 0600, /*exclusive=*/true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = registry_.Add(entry); !s.ok()) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    return s;
  }
  spdlog::info("wallet {} ({}) stored in {}", entry.name, address.ToChecksum(),
               file.string());
  return Info(entry);
}

absl::StatusOr<WalletInfo> Vault::Create(std::string_view name,
                                         std::string_view password) {
  if (absl::Status s = ValidateWalletName(name); !s.ok()) return s;
  if (absl::Status s = ValidatePassword(password); !s.ok()) return s;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (absl::Status s = CheckNew(registry_, name, nullptr); !s.ok()) return s;
  }
  SecureBytes key(32);
  bool valid = false;
  for (int attempt = 0; attempt < 16 && !valid; ++attempt) {
    if (absl::Status s =
            options_.random->Fill(absl::Span<uint8_t>(key.data(), key.size()));
        !s.ok()) {
      return s;
    }
    valid = eth::ValidatePrivateKey(key.view()).ok();
  }
  if (!valid) {
    return absl::InternalError("random source gave no valid private key");
  }
  absl::StatusOr<eth::Address> address = eth::AddressOf(key.view());
  if (!address.ok()) return address.status();
  return Store(name, *address, key.view(), password);
}

absl::StatusOr<WalletInfo> Vault::ImportPrivateKey(
    std::string_view name, std::string_view private_key_hex,
    std::string_view password) {
  if (absl::Status s = ValidateWalletName(name); !s.ok()) return s;
  if (absl::Status s = ValidatePassword(password); !s.ok()) return s;
  absl::StatusOr<SecureBytes> key = DecodePrivateKey(private_key_hex);
  if (!key.ok()) return key.status();
  absl::StatusOr<eth::Address> address = eth::AddressOf(key->view());
  if (!address.ok()) return address.status();
  return Store(name, *address, key->view(), password);
}

absl::StatusOr<WalletInfo> Vault::ImportKeystore(std::string_view name,
                                                 std::string_view keystore_json,
                                                 std::string_view password) {
  if (absl::Status s = ValidateWalletName(name); !s.ok()) return s;
  if (absl::Status s = ValidatePassword(password); !s.ok()) return s;
  if (keystore_json.size() > kMaxKeystoreBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("keystore: ", keystore_json.size(), " bytes, at most ",
                     kMaxKeystoreBytes));
  }
  absl::StatusOr<Keystore> keystore = ParseKeystore(keystore_json);
  if (!keystore.ok()) return keystore.status();
  {
    // Refuse a duplicate before paying for the key derivation.
    absl::ReaderMutexLock lock(&mu_);
    const eth::Address* address =
        keystore->address.has_value() ? &*keystore->address : nullptr;
    if (absl::Status s = CheckNew(registry_, name, address); !s.ok()) return s;
  }
  absl::StatusOr<DecryptedKey> decrypted = absl::InternalError("no KDF");
  {
    absl::StatusOr<KdfGate::Ticket> slot = kdf_gate_->Enter("import keystore");
    if (!slot.ok()) return slot.status();
    decrypted = DecryptKeystore(*keystore, password);
  }
  if (!decrypted.ok()) {
    if (absl::IsPermissionDenied(decrypted.status())) {
      return absl::PermissionDeniedError("incorrect password");
    }
    return decrypted.status();
  }
  // Never trust the file's address: derive it from the key.
  absl::StatusOr<eth::Address> derived =
      eth::AddressOf(decrypted->private_key.view());
  if (!derived.ok()) return derived.status();
  if (*derived != decrypted->address ||
      (keystore->address.has_value() && *keystore->address != *derived)) {
    return absl::InvalidArgumentError("keystore address/private key mismatch");
  }
  return Store(name, *derived, decrypted->private_key.view(), password);
}

absl::StatusOr<ExportedKeystore> Vault::Export(std::string_view wallet) const {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return entry.status();
  absl::StatusOr<std::string> json = ReadKeystoreFile(*entry);
  if (!json.ok()) return json.status();
  return ExportedKeystore{std::move(*json), entry->keystore_file,
                          entry->address};
}

std::vector<WalletInfo> Vault::List() const {
  std::vector<WalletEntry> entries;
  {
    absl::ReaderMutexLock lock(&mu_);
    entries = registry_.entries();
  }
  std::vector<WalletInfo> out;
  out.reserve(entries.size());
  for (const WalletEntry& e : entries) out.push_back(Info(e));
  return out;
}

absl::StatusOr<WalletInfo> Vault::Get(std::string_view wallet) const {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return entry.status();
  return Info(*entry);
}

absl::Mutex* Vault::UnlockMutex(const eth::Address& address) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<absl::Mutex>& m = unlock_mu_[KeyId(address)];
  if (m == nullptr) m = std::make_unique<absl::Mutex>();
  return m.get();
}

absl::StatusOr<WalletInfo> Vault::Unlock(std::string_view wallet,
                                         std::string_view password,
                                         std::optional<absl::Duration> ttl,
                                         UnlockBy by) {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return entry.status();
  absl::Duration lifetime = options_.default_ttl;
  if (ttl.has_value() && *ttl != absl::ZeroDuration()) {
    if (*ttl < options_.min_ttl || *ttl > options_.max_ttl) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ttl must be between ", absl::FormatDuration(options_.min_ttl),
          " and ", absl::FormatDuration(options_.max_ttl), ", not ",
          absl::FormatDuration(*ttl)));
    }
    lifetime = *ttl;
  }
  if (absl::Status s = ValidatePassword(password); !s.ok()) return s;

  const std::string id = KeyId(entry->address);
  // Lock takes this mutex too, so an operator's lock cannot slip between the
  // check below and the key being stored.
  absl::MutexLock attempt(UnlockMutex(entry->address));
  entry = Resolve(wallet);  // the operator lock as of now
  if (!entry.ok()) return entry.status();
  if (by == UnlockBy::kAutomation && entry->operator_locked_at.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "wallet ", entry->name, " was locked by the operator at ",
        FormatRfc3339(*entry->operator_locked_at),
        "; it stays locked until `poolctl wallet unlock ", entry->name, "`"));
  }
  if (absl::Status s = limiter_.Check(id); !s.ok()) return s;

  std::filesystem::path file = keystore_dir() / entry->keystore_file;
  absl::StatusOr<std::string> json = ReadKeystoreFile(*entry);
  if (!json.ok()) return json.status();
  absl::StatusOr<Keystore> keystore = ParseKeystore(*json);
  if (!keystore.ok()) {
    return absl::DataLossError(
        absl::StrCat("keystore file ", file.string(),
                     " is damaged: ", keystore.status().message()));
  }
  absl::StatusOr<DecryptedKey> decrypted = absl::InternalError("no KDF");
  {
    absl::StatusOr<KdfGate::Ticket> slot = kdf_gate_->Enter("unlock");
    if (!slot.ok()) return slot.status();
    decrypted = DecryptKeystore(*keystore, password);
  }
  if (!decrypted.ok()) {
    if (absl::IsPermissionDenied(decrypted.status())) {
      limiter_.RecordFailure(id);
      spdlog::warn("unlock of wallet {}: incorrect password ({} in a row)",
                   entry->name, limiter_.failures(id));
      return absl::PermissionDeniedError("incorrect password");
    }
    return decrypted.status();
  }
  if (decrypted->address != entry->address) {
    return absl::DataLossError(absl::StrCat(
        "keystore file ", file.string(), " holds ",
        decrypted->address.ToChecksum(), ", not wallet ", entry->name));
  }
  limiter_.RecordSuccess(id);
  {
    absl::MutexLock lock(&mu_);
    if (entry->operator_locked_at.has_value()) {
      // The operator unlocks: their lock is lifted (recorded first, so a
      // failed save leaves the wallet locked).
      if (absl::Status s =
              registry_.SetOperatorLock(entry->address, std::nullopt);
          !s.ok()) {
        return s;
      }
      entry->operator_locked_at.reset();
      spdlog::info("wallet {}: operator lock lifted", entry->name);
    }
  }
  {
    absl::MutexLock lock(&once_mu_);
    unlocked_once_.insert(id);
  }
  absl::Time until =
      unlocked_.Put(id, std::move(decrypted->private_key), lifetime);
  spdlog::info("wallet {} unlocked until {}", entry->name,
               FormatRfc3339(until));
  return Info(*entry);
}

absl::StatusOr<WalletInfo> Vault::Lock(std::string_view wallet) {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return entry.status();
  absl::MutexLock attempt(UnlockMutex(entry->address));
  unlocked_.Remove(KeyId(entry->address));  // the key goes first, whatever
  {
    absl::MutexLock lock(&mu_);
    if (const WalletEntry* e = registry_.FindByAddress(entry->address);
        e != nullptr && !e->operator_locked_at.has_value()) {
      absl::Time now = absl::FromUnixSeconds(
          absl::ToUnixSeconds(options_.clock->Now()));  // as stored
      if (absl::Status s = registry_.SetOperatorLock(entry->address, now);
          !s.ok()) {
        return s;
      }
    }
    if (const WalletEntry* e = registry_.FindByAddress(entry->address)) {
      entry = *e;
    }
  }
  spdlog::info("wallet {} locked by the operator", entry->name);
  return Info(*entry);
}

template <typename T>
void Vault::SignAudited(
    const WalletEntry& entry, AuditRecord record, const eth::Hash32& digest,
    std::optional<PolicyRefusal> refusal,
    absl::FunctionRef<absl::StatusOr<T>(const eth::RecoverableSignature&)> make,
    Done<T> done) {
  record.time = options_.clock->Now();
  record.wallet = entry.name;
  record.account = entry.checksum;
  record.digest = eth::ToHex(digest);
  auto deny = [&](std::string_view rule, absl::Status status) {
    record.allowed = false;
    record.rule = std::string(rule);
    // A refusal stands even when it cannot be recorded.
    audit_->AppendAsync(record, [status = std::move(status),
                                 done = std::move(done)](absl::Status s) {
      if (!s.ok()) {
        spdlog::error("audit log: cannot record a refusal: {}",
                      std::string(s.message()));
      }
      done(status);
    });
  };
  if (refusal.has_value()) return deny(refusal->rule, refusal->status);

  absl::StatusOr<eth::RecoverableSignature> signature =
      absl::InternalError("not signed");
  absl::Status unlocked = unlocked_.WithKey(
      KeyId(entry.address), [&](absl::Span<const uint8_t> key) {
        signature = eth::SignDigest(key, digest);
      });
  if (!unlocked.ok()) {
    return deny(kRuleLocked,
                absl::FailedPreconditionError(absl::StrCat(
                    "wallet ", entry.name, " is locked; unlock it first")));
  }
  if (!signature.ok()) return done(signature.status());
  // The reply is built now, on the signer's thread; it leaves only once the
  // record is durable (group commit: the audit log's thread calls back).
  absl::StatusOr<T> result = make(*signature);
  if (!result.ok()) return done(result.status());
  record.allowed = true;
  audit_->AppendAsync(record, [result = *std::move(result),
                               done = std::move(done)](absl::Status s) {
    if (!s.ok()) {
      spdlog::error("audit log: {}; refusing to sign",
                    std::string(s.message()));
      return done(absl::UnavailableError("audit log not writable"));
    }
    done(result);
  });
}

namespace {

// Runs an asynchronous signing call and waits for its answer.
template <typename T>
absl::StatusOr<T> Await(
    absl::FunctionRef<void(std::function<void(absl::StatusOr<T>)>)> start) {
  absl::Notification answered;
  absl::StatusOr<T> out = absl::InternalError("no answer");
  start([&](absl::StatusOr<T> r) {
    out = std::move(r);
    answered.Notify();
  });
  answered.WaitForNotification();
  return out;
}

}  // namespace

absl::StatusOr<SignedTransaction> Vault::SignTransaction(
    std::string_view wallet, const TxFields& fields,
    const AuditCaller& caller) {
  return Await<SignedTransaction>([&](Done<SignedTransaction> done) {
    SignTransactionAsync(wallet, fields, caller, std::move(done));
  });
}

absl::StatusOr<SignatureResult> Vault::SignTypedData(
    std::string_view wallet, std::string_view json_text,
    const AuditCaller& caller) {
  return Await<SignatureResult>([&](Done<SignatureResult> done) {
    SignTypedDataAsync(wallet, json_text, caller, std::move(done));
  });
}

absl::StatusOr<SignatureResult> Vault::SignMessage(std::string_view wallet,
                                                   eth::ByteView message,
                                                   const AuditCaller& caller) {
  return Await<SignatureResult>([&](Done<SignatureResult> done) {
    SignMessageAsync(wallet, message, caller, std::move(done));
  });
}

void Vault::SignTransactionAsync(std::string_view wallet,
                                 const TxFields& fields,
                                 const AuditCaller& caller,
                                 Done<SignedTransaction> done) {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return done(entry.status());
  absl::StatusOr<eth::Transaction> tx = ParseTxFields(fields);
  if (!tx.ok()) return done(tx.status());
  eth::Hash32 digest = tx->SigningHash();

  AuditRecord record;
  SetCaller(record, caller);
  record.type =
      tx->type == eth::Transaction::Type::kLegacy ? "tx-legacy" : "tx-1559";
  record.chain = tx->chain_id.ToDecimal();
  if (tx->to.has_value()) record.to = tx->to->ToChecksum();
  record.value = tx->value.ToDecimal();

  SignAudited<SignedTransaction>(
      *entry, std::move(record), digest,
      CheckTransaction(entry->policy, entry->name, *tx),
      [&](const eth::RecoverableSignature& signature)
          -> absl::StatusOr<SignedTransaction> {
        SignedTransaction out;
        out.raw = tx->EncodeSigned(signature);
        out.hash = eth::Keccak(eth::ByteView(out.raw));
        out.from = entry->address;
        return out;
      },
      std::move(done));
}

void Vault::SignTypedDataAsync(std::string_view wallet,
                               std::string_view json_text,
                               const AuditCaller& caller,
                               Done<SignatureResult> done) {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return done(entry.status());
  if (json_text.size() > kMaxTypedDataBytes) {
    return done(absl::InvalidArgumentError(
        absl::StrCat("typed data: ", json_text.size(), " bytes, at most ",
                     kMaxTypedDataBytes)));
  }
  // Bounded before parsing: a hostile request costs no stack.
  absl::StatusOr<nlohmann::json> typed =
      ParseBoundedJson(json_text, JsonLimits{kMaxTypedDataBytes, 64},
                       "typed data");
  if (!typed.ok()) return done(typed.status());
  absl::StatusOr<eth::eip712::Digests> digests =
      eth::eip712::HashTypedData(*typed);
  if (!digests.ok()) return done(digests.status());

  AuditRecord record;
  SetCaller(record, caller);
  record.type = "typed-data";
  const eth::eip712::DomainInfo& domain = digests->domain;
  if (!domain.chain_id.empty()) record.chain = domain.chain_id;
  if (!domain.verifying_contract.empty()) {
    record.to = domain.verifying_contract;
  }
  record.domain = domain.name;
  record.primary_type = digests->primary_type;

  SignAudited<SignatureResult>(
      *entry, std::move(record), digests->digest,
      CheckTypedData(entry->policy, entry->name, domain,
                     digests->primary_type, *typed),
      [&](const eth::RecoverableSignature& signature)
          -> absl::StatusOr<SignatureResult> {
        return SignatureResult{signature.ToRsv(), digests->digest,
                               entry->address};
      },
      std::move(done));
}

void Vault::SignMessageAsync(std::string_view wallet, eth::ByteView message,
                             const AuditCaller& caller,
                             Done<SignatureResult> done) {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return done(entry.status());
  if (message.size() > kMaxMessageBytes) {
    return done(absl::InvalidArgumentError(absl::StrCat(
        "message: ", message.size(), " bytes, at most ", kMaxMessageBytes)));
  }
  eth::Hash32 digest = eth::eip712::PersonalMessageDigest(message);
  AuditRecord record;
  SetCaller(record, caller);
  record.type = "message";
  SignAudited<SignatureResult>(
      *entry, std::move(record), digest, CheckMessage(entry->policy, entry->name),
      [&](const eth::RecoverableSignature& signature)
          -> absl::StatusOr<SignatureResult> {
        return SignatureResult{signature.ToRsv(), digest, entry->address};
      },
      std::move(done));
}

absl::StatusOr<Policy> Vault::SetPolicy(std::string_view wallet,
                                        Policy policy) {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return entry.status();
  absl::MutexLock lock(&mu_);
  if (absl::Status s = registry_.SetPolicy(entry->address, policy); !s.ok()) {
    return s;
  }
  spdlog::info("policy of wallet {} set: {}", entry->name,
               PolicyToJson(policy).dump());
  return policy;
}

absl::StatusOr<Policy> Vault::GetPolicy(std::string_view wallet) const {
  absl::StatusOr<WalletEntry> entry = Resolve(wallet);
  if (!entry.ok()) return entry.status();
  return entry->policy;
}

}  // namespace poolops::wallet
