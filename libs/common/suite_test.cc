#include "libs/common/suite.h"

#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops {
namespace {

TEST(SuiteTest, KnowsTheFourServices) {
  ASSERT_NE(FindSuiteService("wallet-vault"), nullptr);
  EXPECT_EQ(FindSuiteService("monitor")->binary, "poolops-monitor");
  EXPECT_EQ(FindSuiteService("nope"), nullptr);
  EXPECT_EQ(kSuite.front().name, "wallet-vault");  // started first
}

TEST(SuiteTest, RunInfoRoundTrip) {
  test::TempDir tmp;
  RunInfo info{1234, "unix:/tmp/x.sock", "http://127.0.0.1:9/metrics"};
  ASSERT_TRUE(files::WriteFileAtomic(RunInfoPath(tmp.path(), "monitor"),
                                     RunInfoToJson(info))
                  .ok());
  absl::StatusOr<RunInfo> back = ReadRunInfo(tmp.path(), "monitor");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->pid, 1234);
  EXPECT_EQ(back->address, info.address);
  EXPECT_EQ(back->metrics, info.metrics);
}

TEST(SuiteTest, RunInfoErrors) {
  test::TempDir tmp;
  EXPECT_EQ(ReadRunInfo(tmp.path(), "monitor").status().code(),
            absl::StatusCode::kNotFound);
  for (const char* bad : {"", "{", "[]", "{\"pid\":\"1\",\"address\":\"a\"}",
                          "{\"pid\":0,\"address\":\"a\"}"}) {
    ASSERT_TRUE(
        files::WriteFileAtomic(RunInfoPath(tmp.path(), "monitor"), bad).ok());
    EXPECT_EQ(ReadRunInfo(tmp.path(), "monitor").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace poolops
