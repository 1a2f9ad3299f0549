#include "cli/secret_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::cli {
namespace {

// A pipe holding `content`, read end returned; closed by the test.
int PipeWith(const std::string& content) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  EXPECT_EQ(::write(fds[1], content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  ::close(fds[1]);
  return fds[0];
}

TEST(SecretsTest, PasswordFileFirstLineWithoutLineEnding) {
  test::TempDir dir;
  for (const char* content :
       {"s3cret\n", "s3cret\r\n", "s3cret", "s3cret\nx"}) {
    std::filesystem::path f = dir.path() / "pw";
    ASSERT_TRUE(files::WriteFileAtomic(f, content).ok());
    PasswordOptions o;
    o.file = f.string();
    absl::StatusOr<SecureBytes> pw = ReadPassword(o);
    ASSERT_TRUE(pw.ok()) << pw.status();
    EXPECT_EQ(pw->str(), "s3cret");
  }
  ASSERT_TRUE(files::WriteFileAtomic(dir.path() / "empty", "\n").ok());
  PasswordOptions o;
  o.file = (dir.path() / "empty").string();
  EXPECT_EQ(ReadPassword(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SecretsTest, PasswordFromStdin) {
  PasswordOptions o;
  o.from_stdin = true;
  o.stdin_fd = PipeWith("from stdin\r\nrest");
  absl::StatusOr<SecureBytes> pw = ReadPassword(o);
  ::close(o.stdin_fd);
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(pw->str(), "from stdin");

  o.stdin_fd = PipeWith("");
  EXPECT_EQ(ReadPassword(o).status().code(),
            absl::StatusCode::kInvalidArgument);
  ::close(o.stdin_fd);

  o.stdin_fd = PipeWith(std::string(kMaxSecretBytes + 10, 'x'));
  EXPECT_EQ(ReadPassword(o).status().code(),
            absl::StatusCode::kInvalidArgument);
  ::close(o.stdin_fd);
}

TEST(SecretsTest, NoSourceAndNoTerminalNamesTheFlags) {
  PasswordOptions o;
  o.tty_path = "/nonexistent/tty";
  absl::Status s = ReadPassword(o).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--password-file"), absl::string_view::npos);
  EXPECT_NE(s.message().find("--password-stdin"), absl::string_view::npos);
  o.tty_path = "/dev/null";  // exists, but not a terminal
  EXPECT_EQ(ReadPassword(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SecretsTest, BothSourcesIsAnError) {
  PasswordOptions o;
  o.file = "/x";
  o.from_stdin = true;
  EXPECT_EQ(ReadPassword(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SecretsTest, PrivateKeyFileAndWipe) {
  test::TempDir dir;
  std::filesystem::path f = dir.path() / "pk";
  ASSERT_TRUE(files::WriteFileAtomic(f, "0xabc\r\n").ok());
  absl::StatusOr<SecureBytes> key = ReadPrivateKeyFile(f);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->str(), "0xabc");
  std::string s = "secret";
  WipeString(&s);
  EXPECT_TRUE(s.empty());
}

}  // namespace
}  // namespace poolops::cli
