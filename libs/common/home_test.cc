#include "libs/common/home.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "gtest/gtest.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops {
namespace {

TEST(HomeTest, ResolveOrder) {
  ::setenv("POOLOPS_HOME", "/tmp/from-env", 1);
  EXPECT_EQ(Home::Resolve("/tmp/from-flag"), "/tmp/from-flag");
  EXPECT_EQ(Home::Resolve(""), "/tmp/from-env");
  ::unsetenv("POOLOPS_HOME");
  ::setenv("HOME", "/tmp/user", 1);
  EXPECT_EQ(Home::Resolve(""), "/tmp/user/.poolops");
}

TEST(HomeTest, ResolveMakesRelativeFlagsAbsolute) {
  EXPECT_TRUE(Home::Resolve("rel/home").is_absolute());
}

TEST(HomeTest, OpenCreatesTheTree0700) {
  test::TempDir tmp;
  auto root = tmp.path() / "home";
  absl::StatusOr<Home> home = Home::Open(root);
  ASSERT_TRUE(home.ok()) << home.status();
  for (const auto& dir :
       {home->root(), home->keystore_dir(), home->run_dir(), home->logs_dir(),
        home->chains_dir(), home->devnet_dir()}) {
    struct stat st;
    ASSERT_EQ(::stat(dir.c_str(), &st), 0) << dir;
    EXPECT_EQ(st.st_mode & 0777, 0700) << dir;
  }
  EXPECT_EQ(home->socket_path("monitor"), root / "run" / "monitor.sock");
  EXPECT_EQ(home->audit_log(), root / "audit.log");
}

mode_t ModeOf(const std::filesystem::path& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// An existing home is the operator's folder: its mode is never changed.
TEST(HomeTest, OpenLeavesTheModeOfAnExistingHomeAlone) {
  test::TempDir tmp;
  ::chmod(tmp.path().c_str(), 0755);
  ASSERT_TRUE(Home::Open(tmp.path()).ok());
  EXPECT_EQ(ModeOf(tmp.path()), 0755);
  EXPECT_EQ(ModeOf(tmp.path() / "keystore"), 0700);  // ours: private
}

TEST(HomeTest, OpenRefusesAHomeOthersMayWriteTo) {
  for (mode_t mode : {0777, 01777, 0770, 0720, 0702}) {
    test::TempDir tmp;
    ::chmod(tmp.path().c_str(), mode);
    absl::StatusOr<Home> home = Home::Open(tmp.path());
    EXPECT_EQ(home.status().code(), absl::StatusCode::kFailedPrecondition)
        << std::oct << mode;
    EXPECT_NE(home.status().message().find(
                  "home folder " + tmp.path().string() + " is writable by"),
              std::string::npos)
        << home.status();
    EXPECT_NE(home.status().message().find("chmod go-w"), std::string::npos);
    EXPECT_EQ(ModeOf(tmp.path()), mode);
    EXPECT_FALSE(std::filesystem::exists(tmp.path() / "keystore"));
  }
}

TEST(HomeTest, ANewHomeAndItsNewParentsAre0700) {
  test::TempDir tmp;
  auto root = tmp.path() / "a" / "b" / "home";
  ASSERT_TRUE(Home::Open(root).ok());
  EXPECT_EQ(ModeOf(root), 0700);
  EXPECT_EQ(ModeOf(tmp.path() / "a"), 0700);
}

}  // namespace
}  // namespace poolops
