// The vault with its real audit log: group commit under concurrent signers,
// who asked and why in each record, a torn log repaired at open, bounded key
// derivations, and a home whose mode is never changed.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"
#include "services/wallet/test_audit_files.h"
#include "services/wallet/test_random.h"
#include "services/wallet/vault.h"
#include "services/wallet/vault_test_support.h"

namespace poolops::wallet {
namespace {

namespace fs = std::filesystem;
using vault_testing::kKs2;
using vault_testing::kPassword;
using vault_testing::ModeOf;

constexpr char kKey[] =
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr char kOtherKey[] =
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

TxFields Tx(int nonce) {
  TxFields f;
  f.chain_id = "134";
  f.nonce = std::to_string(nonce);
  f.to = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
  f.value = "1";
  f.gas = "100000";
  f.gas_price = "0";
  return f;
}

std::vector<nlohmann::json> Records(const fs::path& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_EQ(CheckAuditLine(line), AuditLineState::kSealed) << line;
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

class VaultAuditTest : public ::testing::Test {
 protected:
  VaultOptions Options() {
    VaultOptions o;
    o.home = home_.path();
    o.clock = &clock_;
    o.random = &random_;
    o.encrypt.scrypt_n = 1024;
    o.reaper_poll = absl::ZeroDuration();
    return o;
  }
  std::unique_ptr<Vault> Open(VaultOptions o) {
    absl::StatusOr<std::unique_ptr<Vault>> v = Vault::Open(o);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *std::move(v) : nullptr;
  }
  void Ready(Vault& vault) {
    ASSERT_TRUE(vault.ImportPrivateKey("core", kKey, kPassword).ok());
    ASSERT_TRUE(vault.Unlock("core", kPassword, absl::Minutes(10)).ok());
  }
  fs::path audit_log() const { return home_.path() / "audit.log"; }

  test::TempDir home_;
  FakeClock clock_;
  test::DeterministicRandom random_;
};

// N signers at once: every signature has its durable record, and they share
// fsyncs. The first batch is held in its fsync until all the others have
// queued behind it, so exactly two fsyncs carry the N records.
TEST_F(VaultAuditTest, ConcurrentSignersShareOneFsyncPerBatch) {
  test::FaultyAuditFiles files;
  absl::StatusOr<std::unique_ptr<FileAuditLog>> log =
      FileAuditLog::Open(audit_log(), &files);
  ASSERT_TRUE(log.ok()) << log.status();
  VaultOptions o = Options();
  o.audit = log->get();
  std::unique_ptr<Vault> vault = Open(o);
  ASSERT_NE(vault, nullptr);
  Ready(*vault);

  files.HoldSyncs(true);
  constexpr int kSigners = 24;
  std::vector<absl::StatusOr<SignedTransaction>> results(
      kSigners, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  threads.emplace_back(
      [&] { results[0] = vault->SignTransaction("core", Tx(0), "unix:"); });
  while (files.blocked_syncs() == 0) absl::SleepFor(absl::Milliseconds(1));
  for (int i = 1; i < kSigners; ++i) {
    threads.emplace_back([&, i] {
      results[i] = vault->SignTransaction("core", Tx(i), "unix:");
    });
  }
  while ((*log)->queued() < kSigners - 1) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  files.HoldSyncs(false);
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(files.syncs(), 2);
  std::vector<nlohmann::json> records = Records(audit_log());
  ASSERT_EQ(records.size(), static_cast<size_t>(kSigners));
  for (const nlohmann::json& r : records) EXPECT_EQ(r["decision"], "allowed");
}

// A failing disk fails the signature closed and leaves the log clean.
TEST_F(VaultAuditTest, AFullDiskRefusesTheSignatureAndLeavesNoPartialLine) {
  test::FaultyAuditFiles files;
  absl::StatusOr<std::unique_ptr<FileAuditLog>> log =
      FileAuditLog::Open(audit_log(), &files);
  ASSERT_TRUE(log.ok());
  VaultOptions o = Options();
  o.audit = log->get();
  std::unique_ptr<Vault> vault = Open(o);
  Ready(*vault);
  ASSERT_TRUE(vault->SignTransaction("core", Tx(0), "t").ok());
  files.set_space(100);
  absl::Status s = vault->SignTransaction("core", Tx(1), "t").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  files.set_space(-1);
  absl::StatusOr<AuditLogReport> report = VerifyAuditLog(audit_log());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->sealed, 1u);
}

TEST_F(VaultAuditTest, RecordsThePeerTheClientAndThePurpose) {
  std::unique_ptr<Vault> vault = Open(Options());
  Ready(*vault);
  AuditCaller caller("chain-gateway", "chain-gateway", "tx deposit 100 nRLC");
  ASSERT_TRUE(vault->SignTransaction("core", Tx(0), caller).ok());
  ASSERT_TRUE(vault->SignMessage("core", {}, "unix:").ok());
  std::vector<nlohmann::json> records = Records(audit_log());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["caller"], "chain-gateway");
  EXPECT_EQ(records[0]["client"], "chain-gateway");
  EXPECT_EQ(records[0]["purpose"], "tx deposit 100 nRLC");
  EXPECT_EQ(records[1]["caller"], "unix:");
  EXPECT_TRUE(records[1]["purpose"].is_null());
}

// A vault that crashed mid-record: the next one repairs the log at open and
// says so in it; the earlier records stay.
TEST_F(VaultAuditTest, OpeningRepairsATornLog) {
  {
    std::unique_ptr<Vault> vault = Open(Options());
    Ready(*vault);
    ASSERT_TRUE(vault->SignTransaction("core", Tx(0), "t").ok());
  }
  {
    std::ofstream out(audit_log(), std::ios::app);
    out << R"({"time":"2026-12-02T08:00:00.000Z","wallet":"co)";
  }
  std::unique_ptr<Vault> vault = Open(Options());
  ASSERT_NE(vault, nullptr);
  std::vector<nlohmann::json> records = Records(audit_log());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["decision"], "allowed");
  EXPECT_EQ(records[1]["type"], "audit-recovery");
}

TEST_F(VaultAuditTest, KeyDerivationsBeyondTheLimitAreRefused) {
  KdfGate gate(/*max_running=*/1, /*max_waiting=*/0);
  VaultOptions o = Options();
  o.kdf_gate = &gate;
  std::unique_ptr<Vault> vault = Open(o);
  ASSERT_TRUE(vault->ImportPrivateKey("core", kOtherKey, kPassword).ok());
  {
    absl::StatusOr<KdfGate::Ticket> busy = gate.Enter("test");
    ASSERT_TRUE(busy.ok());
    auto refused = [](const absl::Status& s, const std::string& what) {
      EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
      EXPECT_NE(s.message().find(what + ": too many key derivations"),
                std::string::npos)
          << s;
    };
    refused(vault->Unlock("core", kPassword, absl::Minutes(1)).status(),
            "unlock");
    refused(vault->Create("other", kPassword).status(), "store wallet");
    refused(vault->ImportKeystore("ks2", kKs2, "testpassword").status(),
            "import keystore");
  }
  EXPECT_TRUE(vault->Unlock("core", kPassword, absl::Minutes(1)).ok());
  EXPECT_TRUE(vault->ImportKeystore("ks2", kKs2, "testpassword").ok());
  EXPECT_EQ(gate.running(), 0);
}

// --home on a folder others may write to is refused, its mode untouched.
TEST_F(VaultAuditTest, AWritableByOthersHomeIsRefusedNotChmoded) {
  test::TempDir shared;
  ASSERT_EQ(::chmod(shared.path().c_str(), 01777), 0);
  VaultOptions o = Options();
  o.home = shared.path();
  absl::StatusOr<std::unique_ptr<Vault>> v = Vault::Open(o);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(v.status().message().find("writable by others (mode 1777)"),
            std::string::npos)
      << v.status();
  EXPECT_EQ(ModeOf(shared.path()), 01777u);
  EXPECT_FALSE(fs::exists(shared.path() / "keystore"));
}

}  // namespace
}  // namespace poolops::wallet
