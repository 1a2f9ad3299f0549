// How poolctl obtains secrets: never from argv. A password comes from
// --password-file FILE (its first line, without the trailing "\n" or
// "\r\n"), from --password-stdin (the first line of stdin), or from a no-echo
// prompt on the controlling terminal (asked twice when `confirm`). A private
// key comes from --private-key-file FILE (hex, "0x" optional) the same way.
// Everything read lands in SecureBytes; plain copies are wiped.
#pragma once

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "libs/common/secure_bytes.h"

namespace poolops::cli {

struct PasswordOptions {
  std::string file;         // --password-file
  bool from_stdin = false;  // --password-stdin
  std::string prompt = "Password: ";
  bool confirm = false;  // prompt twice (new passwords)
  // Test seams.
  int stdin_fd = 0;
  std::string tty_path = "/dev/tty";
};

// InvalidArgument when both sources are given, when the secret is empty or
// longer than kMaxSecretBytes, when two prompts differ, or when there is no
// source and no terminal to prompt on (naming the flags to use).
absl::StatusOr<SecureBytes> ReadPassword(const PasswordOptions& options);

// The first line of a private key file (hex), as SecureBytes.
absl::StatusOr<SecureBytes> ReadPrivateKeyFile(
    const std::filesystem::path& path);

// Reads one line from `fd` (up to "\n" or EOF), dropping "\n" / "\r\n".
absl::StatusOr<SecureBytes> ReadSecretLine(int fd, std::string_view what);

// Overwrites and clears a string that held a secret (e.g. a request field
// once it has been sent).
void WipeString(std::string* s);

inline constexpr size_t kMaxSecretBytes = 4096;

}  // namespace poolops::cli
