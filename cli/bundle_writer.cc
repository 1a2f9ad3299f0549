#include "cli/bundle_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/files.h"
#include "libs/common/random.h"

namespace poolops::cli {
namespace {

absl::Status Errno(int err, const char* what, const std::string& path) {
  std::string m = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(m);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(m);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(m);
  return absl::InternalError(m);
}

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens (creating 0700 when missing) the folder `name` under `parent`,
// refusing a symlink or anything that is not a folder.
absl::StatusOr<int> OpenSubdir(int parent, const std::string& name,
                               const std::string& shown) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::openat(parent, name.c_str(),
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      // Only tighten: a folder holding secrets is the owner's alone.
      if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
        ::fchmod(fd, st.st_mode & 0700);
      }
      return fd;
    }
    int err = errno;
    if (err == ENOENT && attempt == 0) {
      if (::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
        return Errno(errno, "cannot create folder", shown);
      }
      continue;
    }
    struct stat st;
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISLNK(st.st_mode)) {
        return absl::FailedPreconditionError(absl::StrCat(
            shown, " is a symlink: refusing to follow it out of --out"));
      }
      if (!S_ISDIR(st.st_mode)) {
        return absl::FailedPreconditionError(
            absl::StrCat(shown, " exists and is not a folder"));
      }
    }
    return Errno(err, "cannot open folder", shown);
  }
  return absl::InternalError(absl::StrCat("cannot open folder ", shown));
}

absl::Status WriteAll(int fd, std::string_view content,
                      const std::string& shown) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(errno, "cannot write", shown);
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ContainedDir> ContainedDir::Open(
    const std::filesystem::path& root) {
  if (absl::Status s = files::EnsureDir(root, 0700); !s.ok()) return s;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(errno, "cannot open folder", root.string());
  return ContainedDir(root, fd);
}

ContainedDir::ContainedDir(ContainedDir&& other) noexcept
    : root_(std::move(other.root_)), fd_(other.fd_) {
  other.fd_ = -1;
}

ContainedDir::~ContainedDir() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status ContainedDir::Write(const std::string& relative,
                                 std::string_view content, mode_t mode) {
  std::vector<std::string> parts = absl::StrSplit(relative, '/');
  for (const std::string& p : parts) {
    if (p.empty() || p == "." || p == ".." ||
        p.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refusing to write '", relative,
          "': not a relative path inside --out (empty, . or .. component)"));
    }
  }
  std::string shown = root_.string();
  int dir = fd_;
  std::unique_ptr<Fd> held;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    shown = absl::StrCat(shown, "/", parts[i]);
    absl::StatusOr<int> sub = OpenSubdir(dir, parts[i], shown);
    if (!sub.ok()) return sub.status();
    held = std::make_unique<Fd>(*sub);
    dir = held->fd;
  }
  const std::string& name = parts.back();
  shown = absl::StrCat(shown, "/", name);
  // A temp file next to it, created exclusively (never through a link).
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    uint64_t r = 0;
    if (absl::Status s = Random::Secure()->Fill(
            absl::MakeSpan(reinterpret_cast<uint8_t*>(&r), sizeof r));
        !s.ok())
      return s;
    tmp = absl::StrCat(".", name, ".tmp-", absl::Hex(r));
    fd = ::openat(dir, tmp.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return Errno(errno, "cannot create a temp file for", shown);
    }
  }
  if (fd < 0) return absl::InternalError("no free temp file name for " + shown);
  auto fail = [&](absl::Status s) {
    if (fd >= 0) ::close(fd);
    ::unlinkat(dir, tmp.c_str(), 0);
    return s;
  };
  if (::fchmod(fd, mode) != 0) return fail(Errno(errno, "cannot chmod", shown));
  if (absl::Status s = WriteAll(fd, content, shown); !s.ok()) return fail(s);
  if (::fsync(fd) != 0) return fail(Errno(errno, "cannot fsync", shown));
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0) return fail(Errno(errno, "cannot close", shown));
  if (::renameat(dir, tmp.c_str(), dir, name.c_str()) != 0) {
    return fail(Errno(errno, "cannot replace", shown));
  }
  ::fsync(dir);
  return absl::OkStatus();
}

}  // namespace poolops::cli
