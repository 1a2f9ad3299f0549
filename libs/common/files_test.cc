#include "libs/common/files.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::files {
namespace {

mode_t ModeOf(const std::filesystem::path& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST(FilesTest, EnsureDirCreatesAndTightens) {
  test::TempDir tmp;
  auto dir = tmp.path() / "a" / "b";
  ASSERT_TRUE(EnsureDir(dir).ok());
  EXPECT_EQ(ModeOf(dir), 0700);
  ::chmod(dir.c_str(), 0755);
  ASSERT_TRUE(EnsureDir(dir).ok());
  EXPECT_EQ(ModeOf(dir), 0700);
}

TEST(FilesTest, EnsureDirCreatesMissingParentsPrivate) {
  test::TempDir tmp;
  ASSERT_TRUE(EnsureDir(tmp.path() / "p" / "q" / "r").ok());
  EXPECT_EQ(ModeOf(tmp.path() / "p"), 0700);
  EXPECT_EQ(ModeOf(tmp.path() / "p" / "q"), 0700);
}

TEST(FilesTest, EnsureOwnDirNeverChangesAnExistingMode) {
  test::TempDir tmp;
  auto mine = tmp.path() / "mine";
  ASSERT_TRUE(EnsureOwnDir(mine).ok());
  EXPECT_EQ(ModeOf(mine), 0700);
  ::chmod(mine.c_str(), 0750);
  EXPECT_TRUE(EnsureOwnDir(mine).ok());
  EXPECT_EQ(ModeOf(mine), 0750);
  ::chmod(mine.c_str(), 0775);
  absl::Status s = EnsureOwnDir(mine);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("writable by its group (mode 0775)"),
            std::string::npos)
      << s;
  EXPECT_EQ(ModeOf(mine), 0775);
  ASSERT_TRUE(WriteFileAtomic(tmp.path() / "f", "x").ok());
  EXPECT_EQ(EnsureOwnDir(tmp.path() / "f").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(FilesTest, EnsureDirRefusesAFile) {
  test::TempDir tmp;
  auto file = tmp.path() / "f";
  ASSERT_TRUE(WriteFileAtomic(file, "x").ok());
  EXPECT_EQ(EnsureDir(file).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(FilesTest, WriteAtomicModeAndReplace) {
  test::TempDir tmp;
  auto file = tmp.path() / "secret";
  ASSERT_TRUE(WriteFileAtomic(file, "one").ok());
  EXPECT_EQ(ModeOf(file), 0600);
  ASSERT_TRUE(WriteFileAtomic(file, "two", 0644).ok());
  EXPECT_EQ(*ReadFile(file), "two");
  EXPECT_EQ(ModeOf(file), 0644);
  // No temp files left behind.
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(tmp.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(FilesTest, WriteExclusiveNeverOverwrites) {
  test::TempDir tmp;
  auto file = tmp.path() / "keystore";
  ASSERT_TRUE(WriteFileAtomic(file, "first", 0600, /*exclusive=*/true).ok());
  absl::Status s = WriteFileAtomic(file, "second", 0600, /*exclusive=*/true);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*ReadFile(file), "first");
}

TEST(FilesTest, ReadFileErrorsNameThePath) {
  test::TempDir tmp;
  auto missing = tmp.path() / "missing";
  absl::StatusOr<std::string> r = ReadFile(missing);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find(missing.string()), std::string::npos);

  auto big = tmp.path() / "big";
  ASSERT_TRUE(WriteFileAtomic(big, std::string(100, 'x')).ok());
  EXPECT_EQ(ReadFile(big, 99).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFile(big, 100).ok());
}

TEST(FilesTest, ReadSecretFileTakesTheFirstLine) {
  test::TempDir tmp;
  auto file = tmp.path() / "pw";
  for (const char* content :
       {"hunter2", "hunter2\n", "hunter2\r\n", "hunter2\nsecond line\n"}) {
    ASSERT_TRUE(WriteFileAtomic(file, content).ok());
    EXPECT_EQ(*ReadSecretFile(file), "hunter2") << content;
  }
  // Inner spaces are part of the secret.
  ASSERT_TRUE(WriteFileAtomic(file, " a b \n").ok());
  EXPECT_EQ(*ReadSecretFile(file), " a b ");
  for (const char* content : {"", "\n", "\r\n"}) {
    ASSERT_TRUE(WriteFileAtomic(file, content).ok());
    EXPECT_EQ(ReadSecretFile(file).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(FilesTest, AppendLineCreates0600AndAppends) {
  test::TempDir tmp;
  auto file = tmp.path() / "audit.log";
  ASSERT_TRUE(AppendLine(file, "a").ok());
  ASSERT_TRUE(AppendLine(file, "b").ok());
  EXPECT_EQ(*ReadFile(file), "a\nb\n");
  EXPECT_EQ(ModeOf(file), 0600);
}

}  // namespace
}  // namespace poolops::files
