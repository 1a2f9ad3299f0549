#include "cli/secret_input.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "openssl/crypto.h"

namespace poolops::cli {
namespace {

// Copies `s` into SecureBytes and wipes `s`.
SecureBytes Take(std::string* s) {
  SecureBytes out = SecureBytes::FromString(*s);
  WipeString(s);
  return out;
}

absl::Status WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError("cannot write to the terminal");
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Echo off while reading one line from the terminal; restored before return.
absl::StatusOr<SecureBytes> PromptOnce(int tty, std::string_view prompt) {
  struct termios saved {};
  bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  absl::StatusOr<SecureBytes> line =
      WriteAll(tty, prompt).ok()
          ? ReadSecretLine(tty, "password")
          : absl::UnavailableError("cannot write to the terminal");
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  return line;
}

absl::StatusOr<SecureBytes> Prompt(const PasswordOptions& options) {
  int tty = ::open(options.tty_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0 || !::isatty(tty)) {
    if (tty >= 0) ::close(tty);
    return absl::InvalidArgumentError(
        "a password is needed: use --password-file FILE or --password-stdin "
        "(no terminal to prompt on)");
  }
  absl::StatusOr<SecureBytes> first = PromptOnce(tty, options.prompt);
  if (first.ok() && options.confirm) {
    absl::StatusOr<SecureBytes> second = PromptOnce(tty, "Repeat password: ");
    if (!second.ok()) {
      first = second.status();
    } else if (first->size() != second->size() ||
               CRYPTO_memcmp(first->data(), second->data(), first->size()) !=
                   0) {
      first = absl::InvalidArgumentError("the passwords do not match");
    }
  }
  ::close(tty);
  return first;
}

}  // namespace

void WipeString(std::string* s) {
  poolops::WipeString(s);  // libs/common: the whole buffer, in place
  s->shrink_to_fit();
}

absl::StatusOr<SecureBytes> ReadSecretLine(int fd, std::string_view what) {
  SecureBytes buf(kMaxSecretBytes + 2);
  size_t n = 0;
  while (true) {
    char c;
    ssize_t r = ::read(fd, &c, 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("cannot read the ", std::string(what)));
    }
    if (r == 0 || c == '\n') break;
    if (n == buf.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(what), " is longer than ", kMaxSecretBytes, " bytes"));
    }
    buf.data()[n++] = static_cast<uint8_t>(c);
  }
  if (n > 0 && buf.data()[n - 1] == '\r') --n;
  if (n == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", std::string(what), " is empty"));
  }
  if (n > kMaxSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(what), " is longer than ", kMaxSecretBytes, " bytes"));
  }
  return SecureBytes(absl::Span<const uint8_t>(buf.data(), n));
}

absl::StatusOr<SecureBytes> ReadPassword(const PasswordOptions& options) {
  if (!options.file.empty() && options.from_stdin) {
    return absl::InvalidArgumentError(
        "give only one of --password-file and --password-stdin");
  }
  if (!options.file.empty()) {
    absl::StatusOr<std::string> secret = files::ReadSecretFile(options.file);
    if (!secret.ok()) return secret.status();
    if (secret->size() > kMaxSecretBytes) {
      WipeString(&*secret);
      return absl::InvalidArgumentError(
          absl::StrCat("password in ", options.file, " is longer than ",
                       kMaxSecretBytes, " bytes"));
    }
    return Take(&*secret);
  }
  if (options.from_stdin) return ReadSecretLine(options.stdin_fd, "password");
  return Prompt(options);
}

absl::StatusOr<SecureBytes> ReadPrivateKeyFile(
    const std::filesystem::path& path) {
  absl::StatusOr<std::string> secret = files::ReadSecretFile(path);
  if (!secret.ok()) return secret.status();
  return Take(&*secret);
}

}  // namespace poolops::cli
