#include "services/wallet/vault.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"
#include "nlohmann/json.hpp"
#include "services/wallet/test_random.h"
#include "services/wallet/vault_test_support.h"

namespace poolops::wallet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using vault_testing::kHub;
using vault_testing::kKs2;
using vault_testing::kPassword;
using vault_testing::ModeOf;

// PROTOCOL.md §F.1 KS-1/KS-2 key and §F.2 order owner.
constexpr char kKs1Key[] =
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr char kKs1Address[] = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
constexpr char kOwnerKey[] =
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
constexpr char kOwnerAddress[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

// The §F.2 workerpool order on the Bellecour domain.
constexpr char kOrderTypedData[] = R"({
  "types": {
    "EIP712Domain": [
      {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
      {"name": "chainId", "type": "uint256"},
      {"name": "verifyingContract", "type": "address"}],
    "WorkerpoolOrder": [
      {"name": "workerpool", "type": "address"},
      {"name": "workerpoolprice", "type": "uint256"},
      {"name": "volume", "type": "uint256"}, {"name": "tag", "type": "bytes32"},
      {"name": "category", "type": "uint256"},
      {"name": "trust", "type": "uint256"},
      {"name": "apprestrict", "type": "address"},
      {"name": "datasetrestrict", "type": "address"},
      {"name": "requesterrestrict", "type": "address"},
      {"name": "salt", "type": "bytes32"}]
  },
  "domain": {"name": "iExecODB", "version": "5.0.0", "chainId": "134",
             "verifyingContract": "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"},
  "primaryType": "WorkerpoolOrder",
  "message": {
    "workerpool": "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db",
    "workerpoolprice": "1000", "volume": "5",
    "tag": "0x0000000000000000000000000000000000000000000000000000000000000003",
    "category": "0", "trust": "0",
    "apprestrict": "0x0000000000000000000000000000000000000000",
    "datasetrestrict": "0x0000000000000000000000000000000000000000",
    "requesterrestrict": "0x0000000000000000000000000000000000000000",
    "salt": "0x1111111111111111111111111111111111111111111111111111111111111111"
  }
})";
constexpr char kOrderHash[] =
    "0x0efc05f72f5ca5d3fd7937bfc6ec4541a2356eb1ebfd95447149e62aee65427e";
constexpr char kOrderSign[] =
    "0x125c7dd4d439ddf4071f0bcde3f6fa1819c7bbb5a0efb60f52098df22000dfee63ee5aa2"
    "8dc5194072e9f73e325bf4d16c16b4c73f628957c8b11996e564bada1b";

std::vector<std::string> ReadLines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TxFields LegacyTx() {
  TxFields f;
  f.chain_id = "134";
  f.nonce = "7";
  f.to = kHub;
  f.value = "1000000000000000000";
  f.data = std::string("\xd0\xe3\x0d\xb0", 4);
  f.gas = "100000";
  f.gas_price = "0";
  return f;
}

TxFields Eip1559Tx() {
  TxFields f;
  f.chain_id = "421614";
  f.nonce = "0";
  f.to = kOwnerAddress;
  f.value = "5";
  f.gas = "21000";
  f.max_fee_per_gas = "2000000000";
  f.max_priority_fee_per_gas = "1000000";
  return f;
}

// Fails sometimes, on demand.
class SwitchableSink : public AuditSink {
 public:
  absl::Status Append(const AuditRecord& record) override {
    absl::MutexLock lock(&mu_);
    if (fail_) return absl::UnavailableError("disk on fire");
    records_.push_back(record);
    return absl::OkStatus();
  }
  void set_fail(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_ = fail;
  }
  std::vector<AuditRecord> records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }

 private:
  absl::Mutex mu_;
  bool fail_ = false;
  std::vector<AuditRecord> records_;
};

// One-rule policies.
Policy Chains(std::vector<eth::U256> ids) {
  Policy p;
  p.allowed_chain_ids = std::move(ids);
  return p;
}
Policy To(std::string_view address) {
  Policy p;
  p.allowed_to = {*eth::Address::Parse(address)};
  return p;
}
Policy MaxValue(uint64_t wei) {
  Policy p;
  p.max_value_wei = eth::U256(wei);
  return p;
}
Policy DomainNames(std::vector<std::string> names) {
  Policy p;
  p.allowed_domain_names = std::move(names);
  return p;
}
Policy VerifyingContract(std::string_view address) {
  Policy p;
  p.allowed_verifying_contracts = {*eth::Address::Parse(address)};
  return p;
}

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override { vault_ = OpenVault(); }

  VaultOptions Options() {
    VaultOptions o;
    o.home = home_.path();
    o.clock = &clock_;
    o.random = &random_;
    o.encrypt.scrypt_n = 1024;
    o.reaper_poll = absl::ZeroDuration();
    return o;
  }
  std::unique_ptr<Vault> OpenVault() {
    absl::StatusOr<std::unique_ptr<Vault>> v = Vault::Open(Options());
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::move(*v) : nullptr;
  }
  WalletInfo MustImport(std::string_view name, std::string_view key) {
    absl::StatusOr<WalletInfo> w =
        vault_->ImportPrivateKey(name, key, kPassword);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *w : WalletInfo{};
  }
  void MustUnlock(std::string_view name) {
    absl::StatusOr<WalletInfo> w =
        vault_->Unlock(name, kPassword, absl::Minutes(10));
    ASSERT_TRUE(w.ok()) << w.status();
  }
  std::vector<nlohmann::json> AuditLines() {
    std::vector<nlohmann::json> out;
    for (const std::string& line : ReadLines(home_.path() / "audit.log")) {
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

  test::TempDir home_;
  FakeClock clock_;
  test::DeterministicRandom random_;
  std::unique_ptr<Vault> vault_;
};

// ---------------------------------------------------------------- storage --

TEST_F(VaultTest, CreateWritesAnSdkKeystore0600InA0700Folder) {
  absl::StatusOr<WalletInfo> w = vault_->Create("core", kPassword);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->name, "core");
  EXPECT_TRUE(w->locked());
  const std::string checksum = w->address.ToChecksum();
  EXPECT_EQ(w->keystore, home_.path() / "keystore" /
                             KeystoreFileName(clock_.Now(), w->address));
  EXPECT_TRUE(absl::EndsWith(w->keystore.filename().string(),
                             "--" + checksum.substr(2)));
  EXPECT_EQ(ModeOf(w->keystore), 0600);
  EXPECT_EQ(ModeOf(home_.path() / "keystore"), 0700);
  EXPECT_EQ(ModeOf(home_.path() / "wallets.json"), 0600);
  // Only keystores in the keystore folder (the iExec SDK lists it).
  for (const auto& e : fs::directory_iterator(home_.path() / "keystore")) {
    EXPECT_TRUE(absl::StartsWith(e.path().filename().string(), "UTC--"))
        << e.path();
  }
  absl::StatusOr<std::string> json = files::ReadFile(w->keystore);
  ASSERT_TRUE(json.ok());
  absl::StatusOr<Keystore> ks = ParseKeystore(*json);
  ASSERT_TRUE(ks.ok()) << ks.status();
  EXPECT_EQ(ks->kdf.n, 1024u);
  absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, kPassword);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->address, w->address);
}

TEST_F(VaultTest, ImportPrivateKeyDerivesTheAddress) {
  WalletInfo a = MustImport("ks1", kKs1Key);
  EXPECT_EQ(a.address.ToChecksum(), kKs1Address);
  // Without 0x, with surrounding whitespace (a key file's newline).
  WalletInfo b = MustImport("owner", std::string(kOwnerKey) + "\r\n");
  EXPECT_EQ(b.address.ToChecksum(), kOwnerAddress);
}

TEST_F(VaultTest, ImportKeystoreChecksAndRewritesInSdkFormat) {
  absl::StatusOr<WalletInfo> w =
      vault_->ImportKeystore("ks2", kKs2, "testpassword");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->address.ToChecksum(), kKs1Address);
  // Stored under the same password, with fresh salt/iv.
  absl::StatusOr<std::string> json = files::ReadFile(w->keystore);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, Not(HasSubstr("1111111111111111")));
  EXPECT_TRUE(vault_->Unlock("ks2", "testpassword", std::nullopt).ok());
}

TEST_F(VaultTest, ImportKeystoreWithTheWrongPasswordRevealsNothing) {
  absl::StatusOr<WalletInfo> w = vault_->ImportKeystore("ks2", kKs2, "nope");
  EXPECT_EQ(w.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(w.status().message(), "incorrect password");
  EXPECT_TRUE(vault_->List().empty());
}

TEST_F(VaultTest, ImportKeystoreRejectsGarbageAndMismatchedAddress) {
  EXPECT_EQ(vault_->ImportKeystore("x", "{not json", "pw").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->ImportKeystore("x", std::string(70000, ' '), "pw")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  nlohmann::json ks = nlohmann::json::parse(kKs2);
  ks["address"] = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
  absl::StatusOr<WalletInfo> w =
      vault_->ImportKeystore("x", ks.dump(), "testpassword");
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(w.status().message(), HasSubstr("mismatch"));
}

TEST_F(VaultTest, DuplicatesAreRefusedNamingThem) {
  MustImport("core", kKs1Key);
  absl::StatusOr<WalletInfo> same_name = vault_->Create("core", kPassword);
  EXPECT_EQ(same_name.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(same_name.status().message(), HasSubstr("core"));
  absl::StatusOr<WalletInfo> same_key =
      vault_->ImportPrivateKey("other", kKs1Key, kPassword);
  EXPECT_EQ(same_key.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(same_key.status().message(), HasSubstr(kKs1Address));
  absl::StatusOr<WalletInfo> same_ks =
      vault_->ImportKeystore("again", kKs2, "testpassword");
  EXPECT_EQ(same_ks.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(same_ks.status().message(), HasSubstr(kKs1Address));
  EXPECT_EQ(vault_->List().size(), 1u);
  int files = 0;
  for (const auto& e : fs::directory_iterator(home_.path() / "keystore")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(VaultTest, NameOrAddressInAnyCaseResolves) {
  WalletInfo w = MustImport("core", kKs1Key);
  for (std::string ref : {std::string("core"), std::string(kKs1Address),
                          absl::AsciiStrToLower(kKs1Address),
                          "0x" + absl::AsciiStrToUpper(kKs1Address + 2),
                          std::string(kKs1Address + 2)}) {
    absl::StatusOr<WalletInfo> got = vault_->Get(ref);
    ASSERT_TRUE(got.ok()) << ref << ": " << got.status();
    EXPECT_EQ(got->address, w.address);
  }
  absl::StatusOr<WalletInfo> missing = vault_->Get("nobody");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nobody"));
  EXPECT_EQ(vault_->Get(kOwnerAddress).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(VaultTest, BadNamesPasswordsAndKeysAreInvalidArguments) {
  for (std::string name :
       {std::string(""), std::string("-x"), std::string("a b"),
        std::string("a/b"), std::string(kKs1Address), std::string(65, 'a')}) {
    EXPECT_EQ(vault_->Create(name, kPassword).status().code(),
              absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_EQ(vault_->Create("core", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string bad_hex = "0x" + std::string(63, 'a') + "g";
  for (std::string key : {bad_hex, std::string("0x1234"), std::string(64, '0'),
                          std::string(64, 'f')}) {
    absl::StatusOr<WalletInfo> w =
        vault_->ImportPrivateKey("core", key, kPassword);
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_THAT(w.status().message(), Not(HasSubstr(key)));
  }
}

TEST_F(VaultTest, ExportRoundTripsAndTheVaultReopens) {
  WalletInfo w = MustImport("core", kKs1Key);
  absl::StatusOr<ExportedKeystore> exported = vault_->Export("core");
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->file_name, w.keystore.filename().string());
  EXPECT_EQ(exported->json, *files::ReadFile(w.keystore));
  EXPECT_THAT(exported->json, Not(HasSubstr(std::string(kKs1Key + 2))));

  // Another vault imports it with the same password.
  test::TempDir other_home;
  VaultOptions o = Options();
  o.home = other_home.path();
  absl::StatusOr<std::unique_ptr<Vault>> other = Vault::Open(o);
  ASSERT_TRUE(other.ok());
  absl::StatusOr<WalletInfo> imported =
      (*other)->ImportKeystore("copy", exported->json, kPassword);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->address, w.address);

  // Reopening the first home finds the wallet again.
  ASSERT_TRUE(vault_->SetPolicy("core", MaxValue(5)).ok());
  vault_.reset();
  vault_ = OpenVault();
  std::vector<WalletInfo> list = vault_->List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "core");
  EXPECT_EQ(list[0].address, w.address);
  EXPECT_TRUE(list[0].locked());
  absl::StatusOr<Policy> policy = vault_->GetPolicy("core");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->max_value_wei, eth::U256(5));
}

TEST_F(VaultTest, ADamagedRegistryIsAnErrorNotAFreshStart) {
  MustImport("core", kKs1Key);
  vault_.reset();
  ASSERT_TRUE(
      files::WriteFileAtomic(home_.path() / "wallets.json", "{oops").ok());
  absl::StatusOr<std::unique_ptr<Vault>> v = Vault::Open(Options());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(v.status().message(), HasSubstr("wallets.json"));
}

TEST_F(VaultTest, AMissingKeystoreFileIsDataLoss) {
  WalletInfo w = MustImport("core", kKs1Key);
  fs::remove(w.keystore);
  EXPECT_EQ(vault_->Unlock("core", kPassword, std::nullopt).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(vault_->Export("core").status().code(),
            absl::StatusCode::kDataLoss);
}

// ------------------------------------------------------------ unlock/lock --

TEST_F(VaultTest, UnlockLockAndTtl) {
  MustImport("core", kKs1Key);
  absl::StatusOr<WalletInfo> w =
      vault_->Unlock("core", kPassword, std::nullopt);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE(w->locked());
  EXPECT_EQ(*w->unlocked_until, clock_.Now() + absl::Minutes(10));
  absl::StatusOr<WalletInfo> locked = vault_->Lock("core");
  ASSERT_TRUE(locked.ok());
  EXPECT_TRUE(locked->locked());
  EXPECT_TRUE(vault_->Get("core")->locked());

  for (absl::Duration bad : {absl::Milliseconds(500), absl::Hours(25)}) {
    absl::StatusOr<WalletInfo> r = vault_->Unlock("core", kPassword, bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("ttl"));
  }
  ASSERT_TRUE(vault_->Unlock("core", kPassword, absl::Hours(24)).ok());
  ASSERT_TRUE(vault_->Unlock("core", kPassword, absl::Seconds(1)).ok());
  EXPECT_EQ(*vault_->Get("core")->unlocked_until,
            clock_.Now() + absl::Seconds(1));
  ASSERT_TRUE(vault_->SignMessage("core", {}, "test").ok());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(vault_->Get("core")->locked());
  absl::StatusOr<SignatureResult> r = vault_->SignMessage("core", {}, "test");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "wallet core is locked; unlock it first");
}

TEST_F(VaultTest, TheReaperWipesExpiredKeys) {
  UnlockStore store(&clock_, absl::Milliseconds(5));
  store.Put("a", SecureBytes(32), absl::Seconds(60));
  store.Put("b", SecureBytes(32), absl::Seconds(600));
  EXPECT_EQ(store.size(), 2u);
  clock_.Advance(absl::Seconds(61));
  for (int i = 0; i < 400 && store.size() != 1; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(store.size(), 1u);
  EXPECT_FALSE(store.UnlockedUntil("a").has_value());
  EXPECT_TRUE(store.UnlockedUntil("b").has_value());
}

TEST_F(VaultTest, WrongPasswordsAreRateLimited) {
  MustImport("core", kKs1Key);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<WalletInfo> r =
        vault_->Unlock("core", "wrong", std::nullopt);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(r.status().message(), "incorrect password");
  }
  // Third failure: 1 s, even for the right password.
  absl::StatusOr<WalletInfo> r =
      vault_->Unlock("core", kPassword, std::nullopt);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "too many failed unlock attempts; retry in 1s");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(vault_->Unlock("core", "wrong", std::nullopt).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(vault_->Unlock("core", kPassword, std::nullopt).status().message(),
            "too many failed unlock attempts; retry in 2s");
  // Other wallets are not affected.
  MustImport("owner", kOwnerKey);
  EXPECT_TRUE(vault_->Unlock("owner", kPassword, std::nullopt).ok());
  clock_.Advance(absl::Seconds(2));
  EXPECT_TRUE(vault_->Unlock("core", kPassword, std::nullopt).ok());
  // A success resets the count.
  EXPECT_EQ(vault_->Unlock("core", "wrong", std::nullopt).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(vault_->Unlock("core", "wrong", std::nullopt).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(vault_->Unlock("core", kPassword, std::nullopt).ok());
}

// ---------------------------------------------------------------- signing --

TEST_F(VaultTest, LegacyTransactionRecoversToTheWallet) {
  WalletInfo w = MustImport("core", kKs1Key);
  MustUnlock("core");
  absl::StatusOr<SignedTransaction> s =
      vault_->SignTransaction("core", LegacyTx(), "test");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->from, w.address);
  EXPECT_EQ(s->hash, eth::Keccak(eth::ByteView(s->raw)));
  absl::StatusOr<eth::SignedTransaction> decoded = eth::DecodeSigned(s->raw);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->from, w.address);
  EXPECT_EQ(decoded->tx.type, eth::Transaction::Type::kLegacy);
  EXPECT_EQ(decoded->tx.chain_id, eth::U256(134));
  EXPECT_EQ(decoded->tx.nonce, eth::U256(7));
  EXPECT_EQ(decoded->tx.to->ToChecksum(), kHub);
  EXPECT_EQ(decoded->tx.value.ToDecimal(), "1000000000000000000");
  EXPECT_EQ(eth::ToHex(decoded->tx.data), "0xd0e30db0");
  EXPECT_EQ(decoded->tx.gas, eth::U256(100000));
}

TEST_F(VaultTest, Eip155SpecExample) {
  // https://eips.ethereum.org/EIPS/eip-155 example.
  MustImport(
      "spec",
      "0x4646464646464646464646464646464646464646464646464646464646464646");
  MustUnlock("spec");
  TxFields f;
  f.chain_id = "1";
  f.nonce = "9";
  f.to = "0x3535353535353535353535353535353535353535";
  f.value = "1000000000000000000";
  f.gas = "21000";
  f.gas_price = "20000000000";
  absl::StatusOr<SignedTransaction> s = vault_->SignTransaction("spec", f, "t");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(eth::ToHex(s->raw),
            "0xf86c098504a817c800825208943535353535353535353535353535353535353"
            "535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a1"
            "5d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555"
            "c9f3dc64214b297fb1966a3b6d83");
  EXPECT_EQ(
      AuditLines().back()["digest"],
      "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
}

TEST_F(VaultTest, Eip1559TransactionRecoversToTheWallet) {
  WalletInfo w = MustImport("core", kKs1Key);
  MustUnlock("core");
  absl::StatusOr<SignedTransaction> s =
      vault_->SignTransaction(kKs1Address, Eip1559Tx(), "test");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->raw[0], 0x02);
  absl::StatusOr<eth::SignedTransaction> decoded = eth::DecodeSigned(s->raw);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->from, w.address);
  EXPECT_EQ(decoded->tx.type, eth::Transaction::Type::kEip1559);
  EXPECT_EQ(decoded->tx.chain_id, eth::U256(421614));
  EXPECT_EQ(decoded->tx.max_fee_per_gas, eth::U256(2000000000));
  EXPECT_EQ(decoded->tx.max_priority_fee_per_gas, eth::U256(1000000));
  EXPECT_EQ(decoded->hash, s->hash);
}

TEST_F(VaultTest, TypedDataMatchesTheProtocolVector) {
  WalletInfo w = MustImport("owner", kOwnerKey);
  MustUnlock("owner");
  absl::StatusOr<SignatureResult> s =
      vault_->SignTypedData("owner", kOrderTypedData, "test");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(eth::ToHex(s->digest), kOrderHash);
  EXPECT_EQ(eth::ToHex(s->signature), kOrderSign);
  EXPECT_EQ(s->signature.size(), 65u);
  EXPECT_TRUE(s->signature[64] == 27 || s->signature[64] == 28);
  absl::StatusOr<eth::Address> signer =
      eth::RecoverAddress(s->digest, s->signature);
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(*signer, w.address);
}

TEST_F(VaultTest, MessageRecoversToTheWallet) {
  WalletInfo w = MustImport("core", kKs1Key);
  MustUnlock("core");
  std::string text = "Sign this message to prove you run the pool";
  eth::ByteView msg(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  absl::StatusOr<SignatureResult> s = vault_->SignMessage("core", msg, "test");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->digest, eth::eip712::PersonalMessageDigest(msg));
  EXPECT_EQ(*eth::RecoverAddress(s->digest, s->signature), w.address);
  EXPECT_EQ(s->signer, w.address);
}

TEST_F(VaultTest, ALockedWalletRefusesEverySigningKind) {
  MustImport("core", kKs1Key);
  const std::string want = "wallet core is locked; unlock it first";
  auto check = [&](const absl::Status& s) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.message(), want);
  };
  check(vault_->SignTransaction("core", LegacyTx(), "t").status());
  check(vault_->SignTypedData("core", kOrderTypedData, "t").status());
  check(vault_->SignMessage("core", {}, "t").status());
  std::vector<nlohmann::json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& l : lines) {
    EXPECT_EQ(l["decision"], "denied");
    EXPECT_EQ(l["rule"], "locked");
  }
}

TEST_F(VaultTest, BadSigningInputsAreInvalidArguments) {
  MustImport("core", kKs1Key);
  MustUnlock("core");
  auto expect_bad = [&](TxFields f, const std::string& mentions) {
    absl::StatusOr<SignedTransaction> s =
        vault_->SignTransaction("core", f, "t");
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument)
        << mentions;
    EXPECT_THAT(s.status().message(), HasSubstr(mentions));
  };
  TxFields f = LegacyTx();
  f.chain_id = "0";
  expect_bad(f, "chain_id");
  f = LegacyTx();
  f.chain_id = "";
  expect_bad(f, "chain_id");
  f = LegacyTx();
  f.to = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894Ez0";
  expect_bad(f, "transaction.to");
  f = LegacyTx();
  f.to = "0x1234";
  expect_bad(f, "transaction.to");
  f = LegacyTx();
  f.value = "-1";
  expect_bad(f, "transaction.value");
  f = LegacyTx();
  f.value = "1" + std::string(80, '0');
  expect_bad(f, "transaction.value");
  f = LegacyTx();
  f.data = std::string(eth::Transaction::kMaxDataBytes + 1, 'x');
  expect_bad(f, "transaction.data");
  f = LegacyTx();
  f.gas = "";
  expect_bad(f, "transaction.gas");
  f = LegacyTx();
  f.max_fee_per_gas = "1";
  f.type = TxFields::Type::kLegacy;
  expect_bad(f, "max_fee_per_gas");
  f = Eip1559Tx();
  f.gas_price = "1";
  expect_bad(f, "gas_price");
  f = Eip1559Tx();
  f.max_priority_fee_per_gas = "3000000000";
  expect_bad(f, "max_priority_fee_per_gas");

  EXPECT_EQ(vault_->SignTypedData("core", "{\"types\":", "t").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->SignTypedData("core", "{}", "t").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string huge(Vault::kMaxMessageBytes + 1, 'x');
  EXPECT_EQ(vault_
                ->SignMessage(
                    "core",
                    eth::ByteView(reinterpret_cast<const uint8_t*>(huge.data()),
                                  huge.size()),
                    "t")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(vault_->SignTypedData("core", huge, "t").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(AuditLines().empty()) << "nothing parsed, nothing audited";
}

// ----------------------------------------------------------------- policy --

TEST_F(VaultTest, PolicyRulesAllowAndDenyNamingTheRule) {
  MustImport("core", kKs1Key);
  MustUnlock("core");
  auto set = [&](Policy p) { ASSERT_TRUE(vault_->SetPolicy("core", p).ok()); };
  auto denied = [&](const absl::Status& s, const std::string& text) {
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << text;
    EXPECT_EQ(s.message(), text);
  };

  set(Chains({eth::U256(134)}));
  EXPECT_TRUE(vault_->SignTransaction("core", LegacyTx(), "t").ok());
  TxFields other_chain = LegacyTx();
  other_chain.chain_id = "5";
  denied(vault_->SignTransaction("core", other_chain, "t").status(),
         "policy allowed_chain_ids: chain 5 not allowed for wallet core");

  set(To(kHub));
  EXPECT_TRUE(vault_->SignTransaction("core", LegacyTx(), "t").ok());
  TxFields other_to = LegacyTx();
  other_to.to = kOwnerAddress;
  denied(vault_->SignTransaction("core", other_to, "t").status(),
         absl::StrCat("policy allowed_to: recipient ", kOwnerAddress,
                      " not allowed for wallet core"));
  TxFields creation = LegacyTx();
  creation.to = "";
  denied(vault_->SignTransaction("core", creation, "t").status(),
         "policy allowed_to: contract creation not allowed for wallet core");

  set(MaxValue(1000));
  TxFields small = LegacyTx();
  small.value = "1000";
  EXPECT_TRUE(vault_->SignTransaction("core", small, "t").ok());
  small.value = "1001";
  denied(vault_->SignTransaction("core", small, "t").status(),
         "policy max_value_wei: value 1001 wei exceeds the cap of 1000 wei "
         "for wallet core");

  set(DomainNames({"iExecODB"}));
  EXPECT_TRUE(vault_->SignTypedData("core", kOrderTypedData, "t").ok());
  set(DomainNames({"iExec Gateway"}));
  denied(vault_->SignTypedData("core", kOrderTypedData, "t").status(),
         "policy allowed_domain_names: domain \"iExecODB\" not allowed for "
         "wallet core");

  set(VerifyingContract(kHub));
  EXPECT_TRUE(vault_->SignTypedData("core", kOrderTypedData, "t").ok());
  set(VerifyingContract(kOwnerAddress));
  denied(vault_->SignTypedData("core", kOrderTypedData, "t").status(),
         absl::StrCat("policy allowed_verifying_contracts: verifying contract ",
                      kHub, " not allowed for wallet core"));

  set(Chains({eth::U256(65535)}));
  denied(vault_->SignTypedData("core", kOrderTypedData, "t").status(),
         "policy allowed_chain_ids: chain 134 not allowed for wallet core");

  // Clearing the policy allows everything again.
  set({});
  EXPECT_TRUE(vault_->SignTransaction("core", other_chain, "t").ok());

  int denied_lines = 0;
  for (const auto& l : AuditLines()) {
    if (l["decision"] == "denied") {
      ++denied_lines;
      EXPECT_TRUE(l["rule"].is_string());
    }
  }
  EXPECT_EQ(denied_lines, 7);
}

// The publishing owner's policy, end to end: its workerpool's orders under
// the hub's domain, the market Challenge, transactions to the hub; nothing
// else (no other pool's order, no message, no chainless typed data).
TEST_F(VaultTest, APublisherPolicyAllowsItsOrdersAndTheChallengeOnly) {
  MustImport("owner", kOwnerKey);
  MustUnlock("owner");
  PolicyText t;
  t.allowed_chain_ids = {"134"};
  t.allowed_to = {kHub};
  TypedDataRuleText order;
  order.primary_type = "WorkerpoolOrder";
  order.domain_name = "iExecODB";
  order.domain_version = "5.0.0";
  order.domain_chain_id = "134";
  order.domain_verifying_contract = kHub;
  order.message = {
      {"workerpool", "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db"}};
  TypedDataRuleText challenge;
  challenge.primary_type = "Challenge";
  challenge.domain_name = "iExec Gateway";
  challenge.domain_version = "1";
  challenge.domain_chain_id = "134";
  challenge.encode_type = "Challenge(string challenge)";
  t.typed_data_rules = {order, challenge};
  absl::StatusOr<Policy> policy = PolicyFromText(t);
  ASSERT_TRUE(policy.ok()) << policy.status();
  ASSERT_TRUE(vault_->SetPolicy("owner", *policy).ok());

  absl::StatusOr<SignatureResult> ok =
      vault_->SignTypedData("owner", kOrderTypedData, "t");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(eth::ToHex(ok->digest), kOrderHash);

  nlohmann::json other = nlohmann::json::parse(kOrderTypedData);
  other["message"]["workerpool"] = "0x0000000000000000000000000000000000000001";
  absl::StatusOr<SignatureResult> r =
      vault_->SignTypedData("owner", other.dump(), "t");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(),
              HasSubstr("policy typed_data_rules: \"WorkerpoolOrder\""));
  EXPECT_THAT(r.status().message(), HasSubstr("message.workerpool is not"));

  nlohmann::json chainless = nlohmann::json::parse(kOrderTypedData);
  chainless["domain"].erase("chainId");
  chainless["types"]["EIP712Domain"].erase(2);
  r = vault_->SignTypedData("owner", chainless.dump(), "t");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr("policy allowed_chain_ids: a domain without a chainId"));

  // The market's challenge as the market serves it (chain 134).
  nlohmann::json market = {
      {"types",
       {{"EIP712Domain",
         {{{"name", "name"}, {"type", "string"}},
          {{"name", "version"}, {"type", "string"}},
          {{"name", "chainId"}, {"type", "uint256"}}}},
        {"Challenge", {{{"name", "challenge"}, {"type", "string"}}}}}},
      {"domain",
       {{"name", "iExec Gateway"}, {"version", "1"}, {"chainId", "134"}}},
      {"primaryType", "Challenge"},
      {"message", {{"challenge", "Sign this challenge: abc"}}}};
  EXPECT_TRUE(vault_->SignTypedData("owner", market.dump(), "t").ok());
  // A "challenge" that is an order in disguise: refused.
  nlohmann::json disguised = nlohmann::json::parse(kOrderTypedData);
  disguised["domain"] = market["domain"];
  disguised["types"]["EIP712Domain"] = market["types"]["EIP712Domain"];
  r = vault_->SignTypedData("owner", disguised.dump(), "t");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);

  // Messages: refused (the policy has rules and no allow_messages).
  std::string text = "hello";
  r = vault_->SignMessage(
      "owner",
      eth::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
      "t");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message(),
            "policy allow_messages: personal messages (EIP-191) are not "
            "allowed by the policy for wallet owner");
  policy->allow_messages = true;
  ASSERT_TRUE(vault_->SetPolicy("owner", *policy).ok());
  EXPECT_TRUE(vault_->SignMessage("owner", {}, "t").ok());

  // Transactions: to the hub on chain 134 only.
  EXPECT_TRUE(vault_->SignTransaction("owner", LegacyTx(), "t").ok());
  TxFields elsewhere = LegacyTx();
  elsewhere.to = kKs1Address;
  EXPECT_EQ(vault_->SignTransaction("owner", elsewhere, "t").status().code(),
            absl::StatusCode::kPermissionDenied);

  // The rules survive a restart (wallets.json).
  vault_.reset();
  vault_ = OpenVault();
  absl::StatusOr<Policy> stored = vault_->GetPolicy("owner");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *policy);
  bool message_denied = false;
  for (const auto& l : AuditLines()) {
    if (l["decision"] == "denied" && l["rule"] == "allow_messages") {
      message_denied = true;
    }
  }
  EXPECT_TRUE(message_denied);
}

TEST_F(VaultTest, DeeplyNestedTypedDataIsRefusedBeforeParsing) {
  MustImport("core", kKs1Key);
  MustUnlock("core");
  std::string deep(Vault::kMaxTypedDataBytes - 10, '[');
  absl::StatusOr<SignatureResult> r = vault_->SignTypedData("core", deep, "t");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("nested deeper than"));
}

// --------------------------------------------------------- operator lock --

// `wallet lock` wins: automated unlocks are refused until the operator's
// own unlock, across vault restarts, and the wallet says why it is locked.
TEST_F(VaultTest, AnOperatorLockStandsUntilTheOperatorUnlocks) {
  MustImport("owner", kOwnerKey);
  EXPECT_EQ(vault_->Get("owner")->lock_reason, kLockNotUnlocked);
  ASSERT_TRUE(
      vault_->Unlock("owner", kPassword, absl::Hours(24), UnlockBy::kAutomation)
          .ok());
  EXPECT_EQ(vault_->Get("owner")->lock_reason, "");

  absl::StatusOr<WalletInfo> locked = vault_->Lock("owner");
  ASSERT_TRUE(locked.ok());
  EXPECT_TRUE(locked->locked());
  EXPECT_EQ(locked->lock_reason, kLockOperator);
  ASSERT_TRUE(locked->operator_locked_at.has_value());
  EXPECT_EQ(*locked->operator_locked_at, clock_.Now());

  auto automated = [&] {
    return vault_->Unlock("owner", kPassword, absl::Hours(24),
                          UnlockBy::kAutomation);
  };
  absl::StatusOr<WalletInfo> r = automated();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("wallet owner was locked by the operator at"));
  EXPECT_THAT(r.status().message(), HasSubstr("poolctl wallet unlock owner"));
  EXPECT_TRUE(vault_->Get("owner")->locked());

  // A restart keeps it (wallets.json), and still refuses the automation.
  vault_.reset();
  vault_ = OpenVault();
  EXPECT_EQ(vault_->Get("owner")->lock_reason, kLockOperator);
  EXPECT_EQ(automated().status().code(), absl::StatusCode::kFailedPrecondition);

  // A wrong operator password does not lift it.
  EXPECT_EQ(vault_->Unlock("owner", "wrong", std::nullopt).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(vault_->Get("owner")->lock_reason, kLockOperator);

  // The operator's unlock lifts it, persistently; automation works again.
  ASSERT_TRUE(vault_->Unlock("owner", kPassword, absl::Minutes(1)).ok());
  vault_.reset();
  vault_ = OpenVault();
  EXPECT_EQ(vault_->Get("owner")->lock_reason, kLockNotUnlocked);
  ASSERT_TRUE(automated().ok());
  clock_.Advance(absl::Hours(24));
  EXPECT_EQ(vault_->Get("owner")->lock_reason, kLockExpired);
}

// Unlock expiry runs on monotonic time: setting the wall clock back does
// not extend an unlock, setting it forward does not cut it.
TEST_F(VaultTest, AWallClockJumpDoesNotExtendAnUnlock) {
  MustImport("core", kKs1Key);
  ASSERT_TRUE(vault_->Unlock("core", kPassword, absl::Minutes(10)).ok());
  clock_.JumpWall(absl::Hours(2));
  EXPECT_FALSE(vault_->Get("core")->locked());
  clock_.JumpWall(-absl::Hours(6));
  clock_.Advance(absl::Minutes(10) - absl::Seconds(1));
  EXPECT_TRUE(vault_->SignMessage("core", {}, "t").ok());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(vault_->Get("core")->locked());
  EXPECT_EQ(vault_->SignMessage("core", {}, "t").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// ------------------------------------------------------------------ audit --

TEST_F(VaultTest, AuditLinesDescribeEachSignature) {
  WalletInfo w = MustImport("core", kKs1Key);
  MustUnlock("core");
  ASSERT_TRUE(
      vault_->SignTransaction("core", LegacyTx(), "unix: client=test").ok());
  ASSERT_TRUE(vault_->SignTransaction("core", Eip1559Tx(), "c2").ok());
  ASSERT_TRUE(vault_->SignTypedData("core", kOrderTypedData, "c3").ok());
  ASSERT_TRUE(vault_->SignMessage("core", {}, "c4").ok());
  EXPECT_EQ(ModeOf(home_.path() / "audit.log"), 0600);
  std::vector<nlohmann::json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 4u);
  const nlohmann::json& tx = lines[0];
  EXPECT_EQ(tx["time"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(tx["wallet"], "core");
  EXPECT_EQ(tx["account"], kKs1Address);
  EXPECT_EQ(tx["caller"], "unix: client=test");
  EXPECT_EQ(tx["type"], "tx-legacy");
  EXPECT_EQ(tx["chain"], "134");
  EXPECT_EQ(tx["to"], kHub);
  EXPECT_EQ(tx["value"], "1000000000000000000");
  EXPECT_EQ(tx["decision"], "allowed");
  EXPECT_TRUE(tx["rule"].is_null());
  absl::StatusOr<eth::Transaction> parsed = ParseTxFields(LegacyTx());
  EXPECT_EQ(tx["digest"], eth::ToHex(parsed->SigningHash()));
  EXPECT_EQ(lines[1]["type"], "tx-1559");
  EXPECT_EQ(lines[1]["chain"], "421614");
  EXPECT_EQ(lines[2]["type"], "typed-data");
  EXPECT_EQ(lines[2]["chain"], "134");
  EXPECT_EQ(lines[2]["to"], kHub);
  EXPECT_EQ(lines[2]["domain"], "iExecODB");
  EXPECT_EQ(lines[2]["primaryType"], "WorkerpoolOrder");
  EXPECT_EQ(lines[2]["digest"], kOrderHash);
  EXPECT_EQ(lines[3]["type"], "message");
  EXPECT_TRUE(lines[3]["chain"].is_null());
  // Nothing secret in the log.
  std::string all = *files::ReadFile(home_.path() / "audit.log");
  EXPECT_THAT(all, Not(HasSubstr(std::string(kKs1Key + 2))));
  EXPECT_THAT(all, Not(HasSubstr(kPassword)));
  (void)w;
}

TEST_F(VaultTest, AnUnwritableAuditLogStopsSigning) {
  MustImport("core", kKs1Key);
  MustUnlock("core");
  ASSERT_TRUE(vault_->SignMessage("core", {}, "t").ok());
  fs::remove(home_.path() / "audit.log");
  fs::create_directory(home_.path() / "audit.log");
  auto unavailable = [](const absl::Status& s) {
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(s.message(), "audit log not writable");
  };
  unavailable(vault_->SignMessage("core", {}, "t").status());
  unavailable(vault_->SignTransaction("core", LegacyTx(), "t").status());
  unavailable(vault_->SignTypedData("core", kOrderTypedData, "t").status());
  fs::remove(home_.path() / "audit.log");
  EXPECT_TRUE(vault_->SignMessage("core", {}, "t").ok());
}

TEST_F(VaultTest, AFailingSinkStopsSigningButNotRefusals) {
  SwitchableSink sink;
  VaultOptions o = Options();
  o.audit = &sink;
  vault_ = *Vault::Open(o);
  MustImport("core", kKs1Key);
  MustUnlock("core");
  Policy policy = MaxValue(1);
  policy.allow_messages = true;  // a policy with rules refuses them otherwise
  ASSERT_TRUE(vault_->SetPolicy("core", policy).ok());
  sink.set_fail(true);
  EXPECT_EQ(vault_->SignMessage("core", {}, "t").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(vault_->SignTransaction("core", LegacyTx(), "t").status().code(),
            absl::StatusCode::kPermissionDenied);
  sink.set_fail(false);
  EXPECT_TRUE(vault_->SignMessage("core", {}, "t").ok());
  ASSERT_EQ(sink.records().size(), 1u);
  EXPECT_TRUE(sink.records()[0].allowed);
}

TEST_F(VaultTest, ConcurrentSignersAllGetAuditLines) {
  MustImport("core", kKs1Key);
  MustUnlock("core");
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!vault_->SignTransaction("core", LegacyTx(), "t").ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(AuditLines().size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace poolops::wallet
