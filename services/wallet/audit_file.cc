#include "services/wallet/audit_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace poolops::wallet {
namespace {

absl::Status Errno(int err, std::string_view what,
                   const std::filesystem::path& path) {
  std::string message =
      absl::StrCat(std::string(what), " ", path.string(), ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(message);
  }
  if (err == EACCES || err == EPERM)
    return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

class PosixAuditFile : public AuditFile {
 public:
  PosixAuditFile(int fd, std::filesystem::path path)
      : fd_(fd), path_(std::move(path)) {}
  ~PosixAuditFile() override { ::close(fd_); }

  absl::StatusOr<Stat> GetStat() override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Errno(errno, "cannot stat", path_);
    return Stat{static_cast<uint64_t>(st.st_size),
                static_cast<uint64_t>(st.st_dev) << 32 ^
                    static_cast<uint64_t>(st.st_ino)};
  }

  absl::StatusOr<std::string> Read(uint64_t offset, size_t n) override {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out.data() + got, n - got,
                          static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Errno(errno, "cannot read", path_);
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
  }

  absl::StatusOr<size_t> Write(std::string_view data) override {
    while (true) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno(errno, "cannot write", path_);
      return static_cast<size_t>(n);
    }
  }

  absl::Status Sync() override {
    if (::fsync(fd_) != 0) return Errno(errno, "cannot fsync", path_);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Errno(errno, "cannot truncate", path_);
    }
    return absl::OkStatus();
  }

  absl::Status LockExclusive() override {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return absl::OkStatus();
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat(path_.string(),
                       " is in use by another wallet-vault (one writer "
                       "per audit log)"));
    }
    return Errno(errno, "cannot lock", path_);
  }

 private:
  const int fd_;
  const std::filesystem::path path_;
};

class PosixAuditFiles : public AuditFiles {
 public:
  absl::StatusOr<std::unique_ptr<AuditFile>> Open(
      const std::filesystem::path& path) override {
    int fd = ::open(path.c_str(),
                    O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Errno(errno, "cannot open", path);
    return std::make_unique<PosixAuditFile>(fd, path);
  }
};

}  // namespace

AuditFiles* AuditFiles::Posix() {
  static PosixAuditFiles* files = new PosixAuditFiles();
  return files;
}

}  // namespace poolops::wallet
