#include "libs/common/home.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "gtest/gtest.h"
#include "libs/common/test_util.h"

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

TEST(HomeTest, OpenTightensALooseHome) {
  test::TempDir tmp;
  ::chmod(tmp.path().c_str(), 0755);
  ASSERT_TRUE(Home::Open(tmp.path()).ok());
  struct stat st;
  ASSERT_EQ(::stat(tmp.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
}

}  // namespace
}  // namespace poolops
