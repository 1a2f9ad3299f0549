#include "services/wallet/audit_log.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/test_util.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

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

TEST(AuditLogTest, OneJsonObjectPerLineWithEveryField) {
  AuditRecord r = Record(1);
  r.type = "typed-data";
  r.chain = "134";
  r.domain = "bad \xff utf8";
  nlohmann::json j = nlohmann::json::parse(r.ToJsonLine());
  EXPECT_EQ(r.ToJsonLine().find('\n'), std::string::npos);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["caller"], "unix:\n\"injected\"");
  EXPECT_EQ(j["chain"], "134");
  EXPECT_TRUE(j["to"].is_null());
  EXPECT_TRUE(j["value"].is_null());
  EXPECT_EQ(j["decision"], "allowed");
  EXPECT_TRUE(j["rule"].is_null());
  EXPECT_TRUE(j.contains("primaryType"));
  for (const char* key :
       {"time", "wallet", "account", "caller", "type", "chain", "to", "value",
        "digest", "decision", "rule"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
}

TEST(AuditLogTest, ConcurrentAppendsAreAllDurableLines) {
  test::TempDir dir;
  FileAuditLog log(dir.path() / "audit.log");
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(log.Append(Record(t * kEach + i)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::ifstream in(dir.path() / "audit.log");
  std::string line;
  std::vector<bool> seen(kThreads * kEach);
  int count = 0;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    seen[std::stoi(j["digest"].get<std::string>().substr(2))] = true;
    ++count;
  }
  EXPECT_EQ(count, kThreads * kEach);
  for (bool s : seen) EXPECT_TRUE(s);
  struct stat st {};
  ::stat((dir.path() / "audit.log").c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AuditLogTest, AnUnwritablePathIsAnError) {
  test::TempDir dir;
  std::filesystem::create_directory(dir.path() / "audit.log");
  FileAuditLog log(dir.path() / "audit.log");
  EXPECT_FALSE(log.Append(Record(1)).ok());
  FileAuditLog missing_dir(dir.path() / "nope" / "audit.log");
  EXPECT_FALSE(missing_dir.Append(Record(1)).ok());
}

}  // namespace
}  // namespace poolops::wallet
