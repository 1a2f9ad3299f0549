// The wallet vault: named wallets whose keys are stored as iExec SDK keystores
// (<home>/keystore/UTC--<time>--<ChecksumAddress>, 0600 in a 0700 folder),
// unlocked for a time-to-live into locked, wiped memory, and used to sign
// only what the vault parsed itself (transactions, EIP-712 typed data,
// EIP-191 messages), under each wallet's policy, with every decision written
// to the audit log first (no audit record, no signature).
//
// Wallets are named by name or by address (any case). Passwords reach the
// vault only through Create, Import* and Unlock and are never stored or
// logged. Error contract (absl codes):
//   NotFound "wallet X not found"; AlreadyExists naming the duplicate name or
//   address; InvalidArgument naming the field; PermissionDenied "incorrect
//   password" (nothing else revealed) or "policy <rule>: ... for wallet X";
//   ResourceExhausted "too many failed unlock attempts; retry in Ns";
//   FailedPrecondition "wallet X is locked; unlock it first"; Unavailable
//   "audit log not writable".
//
// Thread-safe. Key derivation (scrypt) runs outside the vault's lock, so
// signing with one wallet never waits for the unlock of another.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/random.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "services/wallet/audit_log.h"
#include "services/wallet/kdf_gate.h"
#include "services/wallet/keystore/keystore.h"
#include "services/wallet/policy.h"
#include "services/wallet/rate_limiter.h"
#include "services/wallet/tx_fields.h"
#include "services/wallet/unlock_store.h"
#include "services/wallet/wallet_registry.h"

namespace poolops::wallet {

struct VaultOptions {
  // The poolops home: keystore/, wallets.json and audit.log live there.
  std::filesystem::path home;
  Clock* clock = Clock::Real();
  Random* random = Random::Secure();
  EncryptOptions encrypt;      // the SDK's N=2^17 unless a test says less
  AuditSink* audit = nullptr;  // null: a FileAuditLog on <home>/audit.log
  // Key derivations at once (create, import, unlock); null: 2 run and 8
  // wait, more are refused with ResourceExhausted.
  KdfGate* kdf_gate = nullptr;
  absl::Duration default_ttl = absl::Minutes(10);
  absl::Duration min_ttl = absl::Seconds(1);
  absl::Duration max_ttl = absl::Hours(24);
  RateLimiterOptions rate_limits;
  absl::Duration reaper_poll = absl::Seconds(1);  // see UnlockStore
};

struct WalletInfo {
  std::string name;
  eth::Address address;
  std::filesystem::path keystore;  // absolute path
  absl::Time created;
  std::optional<absl::Time> unlocked_until;  // nullopt: locked
  // Why it is locked ("" when unlocked): kLockOperator, kLockExpired or
  // kLockNotUnlocked.
  std::string lock_reason;
  std::optional<absl::Time> operator_locked_at;
  bool locked() const { return !unlocked_until.has_value(); }
};

inline constexpr char kLockOperator[] = "operator";
inline constexpr char kLockExpired[] = "expired";
inline constexpr char kLockNotUnlocked[] = "not-unlocked";

// Who asks for an unlock: the operator's lifts an operator lock; an
// automated one (the orchestrator keeping a publisher's wallet unlocked) is
// refused while it stands.
enum class UnlockBy { kOperator, kAutomation };

struct SignedTransaction {
  eth::Bytes raw;
  eth::Hash32 hash;
  eth::Address from;
};

struct SignatureResult {
  eth::Bytes signature;  // 65 bytes r || s || v, v = 27 or 28
  eth::Hash32 digest;
  eth::Address signer;
};

struct ExportedKeystore {
  std::string json;
  std::string file_name;
  eth::Address address;
};

class Vault {
 public:
  // Input limits (InvalidArgument beyond them).
  static constexpr size_t kMaxPasswordBytes = 4096;
  static constexpr size_t kMaxTypedDataBytes = 1 << 20;
  static constexpr size_t kMaxMessageBytes = 1 << 20;

  // Creates <home>/keystore (0700) if needed and loads wallets.json.
  static absl::StatusOr<std::unique_ptr<Vault>> Open(VaultOptions options);
  ~Vault();

  absl::StatusOr<WalletInfo> Create(std::string_view name,
                                    std::string_view password);
  // `private_key_hex`: 64 hex digits, "0x" optional, surrounding whitespace
  // ignored. The key is never echoed in errors.
  absl::StatusOr<WalletInfo> ImportPrivateKey(std::string_view name,
                                              std::string_view private_key_hex,
                                              std::string_view password);
  // Decrypts with `password` (the keystore's), re-derives and checks the
  // address, then stores it in the SDK format under the same password.
  absl::StatusOr<WalletInfo> ImportKeystore(std::string_view name,
                                            std::string_view keystore_json,
                                            std::string_view password);
  absl::StatusOr<ExportedKeystore> Export(std::string_view wallet) const;
  std::vector<WalletInfo> List() const;
  absl::StatusOr<WalletInfo> Get(std::string_view wallet) const;

  // `ttl` nullopt or zero: the default; otherwise within [min_ttl, max_ttl].
  // kAutomation while the operator's lock stands: FailedPrecondition
  // "wallet X was locked by the operator ...", before any key derivation.
  absl::StatusOr<WalletInfo> Unlock(std::string_view wallet,
                                    std::string_view password,
                                    std::optional<absl::Duration> ttl,
                                    UnlockBy by = UnlockBy::kOperator);
  // The operator's lock: wipes the key now and records the lock (persisted)
  // so that automated unlocks are refused until an operator's Unlock.
  absl::StatusOr<WalletInfo> Lock(std::string_view wallet);

  // `caller` identifies the peer (and what it declares) in the audit log.
  absl::StatusOr<SignedTransaction> SignTransaction(std::string_view wallet,
                                                    const TxFields& fields,
                                                    const AuditCaller& caller);
  absl::StatusOr<SignatureResult> SignTypedData(std::string_view wallet,
                                                std::string_view json_text,
                                                const AuditCaller& caller);
  absl::StatusOr<SignatureResult> SignMessage(std::string_view wallet,
                                              eth::ByteView message,
                                              const AuditCaller& caller);

  // The same without a thread waiting on the audit log: `done` gets the
  // answer once its audit record is durable, on the audit log's committer
  // thread (keep it short), or at once for an early error. The arguments
  // need not outlive the call.
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;
  void SignTransactionAsync(std::string_view wallet, const TxFields& fields,
                            const AuditCaller& caller,
                            Done<SignedTransaction> done);
  void SignTypedDataAsync(std::string_view wallet, std::string_view json_text,
                          const AuditCaller& caller,
                          Done<SignatureResult> done);
  void SignMessageAsync(std::string_view wallet, eth::ByteView message,
                        const AuditCaller& caller, Done<SignatureResult> done);

  absl::StatusOr<Policy> SetPolicy(std::string_view wallet, Policy policy);
  absl::StatusOr<Policy> GetPolicy(std::string_view wallet) const;

  // The entry a wallet reference resolves to (name, address).
  absl::StatusOr<WalletEntry> Resolve(std::string_view wallet) const;

  std::filesystem::path keystore_dir() const;
  std::filesystem::path registry_file() const;

 private:
  Vault(VaultOptions options, WalletRegistry registry,
        std::unique_ptr<FileAuditLog> audit);

  WalletInfo Info(const WalletEntry& entry) const;
  // Encrypts `key`, writes its keystore and registers it under `name`.
  absl::StatusOr<WalletInfo> Store(std::string_view name,
                                   const eth::Address& address,
                                   eth::ByteView key,
                                   std::string_view password);
  // Checks the policy refusal, the lock, signs `digest` and builds the reply
  // with `make`; audits the decision and calls `done` once the record is
  // durable (no audit record, no signature).
  template <typename T>
  void SignAudited(
      const WalletEntry& entry, AuditRecord record, const eth::Hash32& digest,
      std::optional<PolicyRefusal> refusal,
      absl::FunctionRef<absl::StatusOr<T>(const eth::RecoverableSignature&)>
          make,
      Done<T> done);
  absl::Mutex* UnlockMutex(const eth::Address& address);
  absl::StatusOr<std::string> ReadKeystoreFile(const WalletEntry& entry) const;

  const VaultOptions options_;
  std::unique_ptr<FileAuditLog> owned_audit_;
  AuditSink* audit_;
  std::unique_ptr<KdfGate> owned_kdf_gate_;
  KdfGate* kdf_gate_;
  RateLimiter limiter_;
  UnlockStore unlocked_;
  mutable absl::Mutex mu_;
  WalletRegistry registry_ ABSL_GUARDED_BY(mu_);
  // One unlock attempt at a time per wallet, so parallel guesses cannot
  // outrun the rate limiter.
  absl::flat_hash_map<std::string, std::unique_ptr<absl::Mutex>> unlock_mu_
      ABSL_GUARDED_BY(mu_);
  // Wallets unlocked at least once since the vault started (a locked one of
  // these has expired, the others were never unlocked).
  // Its own mutex: Info() reads it with or without mu_ held.
  mutable absl::Mutex once_mu_;
  absl::flat_hash_set<std::string> unlocked_once_ ABSL_GUARDED_BY(once_mu_);
};

// RFC 3339 in UTC with a "Z", seconds precision ("2026-11-28T17:53:55Z").
std::string FormatRfc3339(absl::Time t);

}  // namespace poolops::wallet
