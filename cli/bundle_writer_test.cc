// `pool render --out DIR` writes only inside DIR: symlinks planted in it
// are refused (never followed), paths that would leave it are refused.
#include "cli/bundle_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "libs/common/temp_dir_test_support.h"

namespace poolops::cli {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ContainedDirTest, WritesFilesAndFoldersWithTheirModes) {
  poolops::test::TempDir tmp;
  fs::path out = tmp.path() / "out";
  auto dir = ContainedDir::Open(out);
  ASSERT_TRUE(dir.ok()) << dir.status();
  ASSERT_TRUE(dir->Write("core/.env", "A=1\n", 0600).ok());
  ASSERT_TRUE(
      dir->Write("core/platform-registry-config/app.yml", "x", 0644).ok());
  ASSERT_TRUE(dir->Write("core/.env", "A=2\n", 0600).ok());  // replaced
  EXPECT_EQ(Slurp(out / "core/.env"), "A=2\n");
  struct stat st;
  ASSERT_EQ(::stat((out / "core/.env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((out / "core").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // No temp file left behind.
  int n = 0;
  for (const auto& e : fs::directory_iterator(out / "core")) {
    (void)e;
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(ContainedDirTest, ASymlinkedFolderInsideIsRefusedNotFollowed) {
  poolops::test::TempDir tmp;
  fs::path out = tmp.path() / "out", outside = tmp.path() / "outside";
  fs::create_directories(out);
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, out / "core");
  auto dir = ContainedDir::Open(out);
  ASSERT_TRUE(dir.ok());
  absl::Status s = dir->Write("core/.env", "SECRET=1\n", 0600);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(std::string(s.message()).find("symlink"), std::string::npos) << s;
  EXPECT_TRUE(fs::is_empty(outside));
  // Deeper: a link two levels down.
  fs::create_directories(out / "w/sub");
  fs::remove(out / "w/sub");
  fs::create_directory_symlink(outside, out / "w/sub");
  EXPECT_FALSE(dir->Write("w/sub/x", "x", 0600).ok());
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST(ContainedDirTest, ASymlinkedFileIsReplacedNotWrittenThrough) {
  poolops::test::TempDir tmp;
  fs::path out = tmp.path() / "out", target = tmp.path() / "victim";
  fs::create_directories(out / "core");
  std::ofstream(target) << "precious\n";
  fs::create_symlink(target, out / "core/.env");
  auto dir = ContainedDir::Open(out);
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(dir->Write("core/.env", "A=1\n", 0600).ok());
  EXPECT_EQ(Slurp(target), "precious\n");
  EXPECT_FALSE(fs::is_symlink(out / "core/.env"));
  EXPECT_EQ(Slurp(out / "core/.env"), "A=1\n");
}

TEST(ContainedDirTest, PathsThatCouldLeaveAreRefused) {
  poolops::test::TempDir tmp;
  fs::path out = tmp.path() / "out";
  auto dir = ContainedDir::Open(out);
  ASSERT_TRUE(dir.ok());
  for (const char* bad : {"../escape", "core/../../escape", "/etc/passwd",
                          "core//x", "./x", "core/.", ""}) {
    absl::Status s = dir->Write(bad, "x", 0600);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(fs::exists(tmp.path() / "escape"));
}

}  // namespace
}  // namespace poolops::cli
