#include "services/wallet/audit_log.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"
#include "services/wallet/test_audit_files.h"

namespace poolops::wallet {
namespace {

namespace fs = std::filesystem;

AuditRecord Record(int i) {
  AuditRecord r;
  r.time = absl::FromUnixMillis(1700000000123);
  r.wallet = "core";
  r.account = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
  r.caller = "unix:\n\"injected\"";
  r.type = "message";
  r.digest = "0x" + std::to_string(i);
  r.allowed = true;
  return r;
}

std::string Slurp(const fs::path& p) {
  absl::StatusOr<std::string> s = files::ReadFile(p);
  return s.ok() ? *s : std::string();
}

std::vector<std::string> Lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::unique_ptr<FileAuditLog> MustOpen(
    const fs::path& p, AuditFiles* files = AuditFiles::Posix()) {
  absl::StatusOr<std::unique_ptr<FileAuditLog>> log =
      FileAuditLog::Open(p, files);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

void ExpectClean(const fs::path& p, uint64_t sealed) {
  absl::StatusOr<AuditLogReport> report = VerifyAuditLog(p);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << "torn " << report->torn_tail_bytes << ", "
                            << report->damaged_lines.size() << " damaged";
  EXPECT_EQ(report->sealed, sealed);
}

TEST(AuditLogTest, OneSealedJsonObjectPerLineWithEveryField) {
  AuditRecord r = Record(1);
  r.type = "typed-data";
  r.chain = "134";
  r.domain = "bad \xff utf8";
  r.client = "chain-gateway";
  r.purpose = "order publish 0xabc";
  std::string line = r.ToJsonLine();
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["caller"], "unix:\n\"injected\"");
  EXPECT_EQ(j["client"], "chain-gateway");
  EXPECT_EQ(j["purpose"], "order publish 0xabc");
  EXPECT_EQ(j["chain"], "134");
  EXPECT_TRUE(j["to"].is_null());
  EXPECT_TRUE(j["value"].is_null());
  EXPECT_EQ(j["decision"], "allowed");
  EXPECT_TRUE(j["rule"].is_null());
  EXPECT_TRUE(j.contains("primaryType"));
  for (const char* key :
       {"time", "wallet", "account", "caller", "client", "purpose", "type",
        "chain", "to", "value", "digest", "decision", "rule", "check"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(CheckAuditLine(line), AuditLineState::kSealed);
  // "check" is last, so `jq` and line readers see a plain object.
  EXPECT_EQ(line.rfind(",\"check\":\""), line.size() - 28);
}

TEST(AuditLogTest, ADamagedOrCutLineIsDetected) {
  AuditRecord r = Record(7);
  r.caller = R"(fake,"check":"0000000000000000"})";  // cannot forge a seal
  std::string line = r.ToJsonLine();
  ASSERT_EQ(CheckAuditLine(line), AuditLineState::kSealed);
  std::string flipped = line;
  flipped[20] ^= 1;
  EXPECT_EQ(CheckAuditLine(flipped), AuditLineState::kDamaged);
  EXPECT_EQ(CheckAuditLine(line.substr(0, line.size() - 1)),
            AuditLineState::kDamaged);
  EXPECT_EQ(CheckAuditLine(line.substr(0, 40)), AuditLineState::kDamaged);
  EXPECT_EQ(CheckAuditLine(""), AuditLineState::kDamaged);
  // Lines written before seals existed still read as records.
  EXPECT_EQ(CheckAuditLine(R"({"time":"x","decision":"allowed"})"),
            AuditLineState::kUnsealed);
}

TEST(AuditLogTest, OutsideTextIsCutShort) {
  AuditRecord r = Record(1);
  r.type = "typed-data";
  r.domain = std::string(1 << 20, 'd');
  r.purpose = std::string(100000, 'p');
  r.caller = std::string(100000, 'c');
  std::string line = r.ToJsonLine();
  EXPECT_LT(line.size(), 4 * kMaxAuditFieldBytes + 1000);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["domain"].get<std::string>().substr(0, 3), "ddd");
  EXPECT_EQ(CheckAuditLine(line), AuditLineState::kSealed);
}

TEST(AuditLogTest, ConcurrentAppendsAreAllDurableSealedLines) {
  test::TempDir dir;
  std::unique_ptr<FileAuditLog> log = MustOpen(dir.path() / "audit.log");
  ASSERT_NE(log, nullptr);
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(log->Append(Record(t * kEach + i)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<bool> seen(kThreads * kEach);
  int count = 0;
  for (const std::string& line : Lines(dir.path() / "audit.log")) {
    nlohmann::json j = nlohmann::json::parse(line);
    seen[std::stoi(j["digest"].get<std::string>().substr(2))] = true;
    ++count;
  }
  EXPECT_EQ(count, kThreads * kEach);
  for (bool s : seen) EXPECT_TRUE(s);
  ExpectClean(dir.path() / "audit.log", kThreads * kEach);
  struct stat st {};
  ::stat((dir.path() / "audit.log").c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Group commit: records that arrive while a batch is being synced share the
// next fsync. The first batch is held in its fsync until every other signer
// has queued, so the count is exact without any timing.
TEST(AuditLogTest, ConcurrentRecordsShareOneFsyncPerBatch) {
  test::TempDir dir;
  test::FaultyAuditFiles files;
  std::unique_ptr<FileAuditLog> log =
      MustOpen(dir.path() / "audit.log", &files);
  ASSERT_NE(log, nullptr);
  ASSERT_EQ(files.syncs(), 0);
  files.HoldSyncs(true);
  constexpr int kSigners = 32;
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(kSigners);
  threads.emplace_back([&] { results[0] = log->Append(Record(0)); });
  while (files.blocked_syncs() == 0) absl::SleepFor(absl::Milliseconds(1));
  for (int i = 1; i < kSigners; ++i) {
    threads.emplace_back([&, i] { results[i] = log->Append(Record(i)); });
  }
  while (log->queued() < kSigners - 1) absl::SleepFor(absl::Milliseconds(1));
  // The others wait in the queue, not yet on disk.
  EXPECT_EQ(Lines(dir.path() / "audit.log").size(), 1u);
  files.HoldSyncs(false);
  for (auto& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(files.syncs(), 2);  // the first record, then the 31 others
  ExpectClean(dir.path() / "audit.log", kSigners);
}

TEST(AuditLogTest, AnUnopenablePathIsAnError) {
  test::TempDir dir;
  fs::create_directory(dir.path() / "audit.log");
  EXPECT_FALSE(FileAuditLog::Open(dir.path() / "audit.log").ok());
  EXPECT_FALSE(FileAuditLog::Open(dir.path() / "nope" / "audit.log").ok());
}

TEST(AuditLogTest, OneWriterPerFile) {
  test::TempDir dir;
  std::unique_ptr<FileAuditLog> first = MustOpen(dir.path() / "audit.log");
  absl::StatusOr<std::unique_ptr<FileAuditLog>> second =
      FileAuditLog::Open(dir.path() / "audit.log");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another wallet-vault"),
            std::string::npos)
      << second.status();
  first.reset();
  EXPECT_TRUE(FileAuditLog::Open(dir.path() / "audit.log").ok());
}

// A crash in the middle of a write leaves a line without its newline: the
// next open cuts it, keeps its bytes in an audit-recovery line, and every
// earlier record stays.
TEST(AuditLogTest, ATornTailFromACrashIsCutRecordedAndReported) {
  test::TempDir dir;
  fs::path path = dir.path() / "audit.log";
  std::string good =
      Record(1).ToJsonLine() + "\n" + Record(2).ToJsonLine() + "\n";
  std::string torn = Record(3).ToJsonLine().substr(0, 57);
  ASSERT_TRUE(files::WriteFileAtomic(path, good + torn).ok());
  ASSERT_EQ(VerifyAuditLog(path)->torn_tail_bytes, torn.size());

  std::unique_ptr<FileAuditLog> log = MustOpen(path);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery_at_open().torn_bytes, torn.size());
  EXPECT_EQ(log->recovery_at_open().kept_bytes, good.size());
  ASSERT_TRUE(log->Append(Record(4)).ok());

  std::string all = Slurp(path);
  EXPECT_EQ(all.substr(0, good.size()), good);
  std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 4u);
  nlohmann::json recovery = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(recovery["type"], "audit-recovery");
  EXPECT_EQ(recovery["torn_bytes"], torn.size());
  EXPECT_EQ(recovery["torn_hex"], absl::BytesToHexString(torn));
  EXPECT_EQ(nlohmann::json::parse(lines[3])["digest"], "0x4");
  ExpectClean(path, 4);

  // A clean log is left alone.
  log.reset();
  log = MustOpen(path);
  EXPECT_EQ(log->recovery_at_open().torn_bytes, 0u);
  EXPECT_EQ(Lines(path).size(), 4u);
}

TEST(AuditLogTest, ALogOfOnlyATornLineIsEmptiedAndRecorded) {
  test::TempDir dir;
  fs::path path = dir.path() / "audit.log";
  ASSERT_TRUE(files::WriteFileAtomic(path, std::string(70000, 'x')).ok());
  std::unique_ptr<FileAuditLog> log = MustOpen(path);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery_at_open().torn_bytes, 70000u);
  EXPECT_EQ(log->recovery_at_open().kept_bytes, 0u);
  ExpectClean(path, 1);
}

// A full disk in the middle of a batch: the signature fails, the part of
// the batch that was written is cut again, and once there is space the log
// goes on with no partial line anywhere.
TEST(AuditLogTest, AWriteThatFailsHalfWayLeavesNoPartialLine) {
  test::TempDir dir;
  fs::path path = dir.path() / "audit.log";
  test::FaultyAuditFiles files;
  std::unique_ptr<FileAuditLog> log = MustOpen(path, &files);
  ASSERT_TRUE(log->Append(Record(1)).ok());
  std::string before = Slurp(path);

  files.set_space(40);  // the next line gets 40 bytes, then ENOSPC
  absl::Status s = log->Append(Record(2));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_EQ(Slurp(path), before);

  files.set_space(-1);
  ASSERT_TRUE(log->Append(Record(3)).ok());
  ExpectClean(path, 2);
  std::vector<std::string> lines = Lines(path);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["digest"], "0x3");
}

TEST(AuditLogTest, AFailedFsyncFailsTheBatchAndCutsIt) {
  test::TempDir dir;
  fs::path path = dir.path() / "audit.log";
  test::FaultyAuditFiles files;
  std::unique_ptr<FileAuditLog> log = MustOpen(path, &files);
  ASSERT_TRUE(log->Append(Record(1)).ok());
  files.set_fail_sync(true);
  EXPECT_FALSE(log->Append(Record(2)).ok());
  files.set_fail_sync(false);
  EXPECT_EQ(Lines(path).size(), 1u);
  ASSERT_TRUE(log->Append(Record(3)).ok());
  ExpectClean(path, 2);
}

// When even the cut fails, the partial batch is still there; the next batch
// cuts it before writing.
TEST(AuditLogTest, AFailedBatchThatCannotBeCutIsCutByTheNextOne) {
  test::TempDir dir;
  fs::path path = dir.path() / "audit.log";
  test::FaultyAuditFiles files;
  std::unique_ptr<FileAuditLog> log = MustOpen(path, &files);
  ASSERT_TRUE(log->Append(Record(1)).ok());
  files.set_space(30);
  files.set_fail_truncate(true);
  EXPECT_FALSE(log->Append(Record(2)).ok());
  EXPECT_EQ(VerifyAuditLog(path)->torn_tail_bytes, 30u);
  files.set_space(-1);
  files.set_fail_truncate(false);
  ASSERT_TRUE(log->Append(Record(3)).ok());
  ExpectClean(path, 2);

  // The same after a crash: the next vault's open cuts it.
  files.set_space(25);
  files.set_fail_truncate(true);
  EXPECT_FALSE(log->Append(Record(4)).ok());
  log.reset();
  files.set_space(-1);
  files.set_fail_truncate(false);
  log = MustOpen(path, &files);
  EXPECT_EQ(log->recovery_at_open().torn_bytes, 25u);
  ExpectClean(path, 3);  // two records and the recovery line
}

// Each batch reopens the path: a rotated log goes on in a new file.
TEST(AuditLogTest, ARotatedLogGoesOnInANewFile) {
  test::TempDir dir;
  fs::path path = dir.path() / "audit.log";
  std::unique_ptr<FileAuditLog> log = MustOpen(path);
  ASSERT_TRUE(log->Append(Record(1)).ok());
  fs::rename(path, dir.path() / "audit.log.1");
  ASSERT_TRUE(log->Append(Record(2)).ok());
  EXPECT_EQ(Lines(dir.path() / "audit.log.1").size(), 1u);
  ASSERT_EQ(Lines(path).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(Lines(path)[0])["digest"], "0x2");
}

TEST(AuditLogTest, AsyncAppendAnswersOnceDurable) {
  test::TempDir dir;
  std::unique_ptr<FileAuditLog> log = MustOpen(dir.path() / "audit.log");
  absl::Notification done;
  absl::Status result = absl::UnknownError("not called");
  log->AppendAsync(Record(9), [&](absl::Status s) {
    result = s;
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_TRUE(result.ok()) << result;
  ExpectClean(dir.path() / "audit.log", 1);
}

}  // namespace
}  // namespace poolops::wallet
