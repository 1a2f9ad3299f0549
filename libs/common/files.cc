#include "libs/common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace poolops::files {
namespace {

absl::Status ErrnoError(int err, std::string_view what,
                        const std::filesystem::path& path) {
  std::string message = absl::StrCat(std::string(what), " ", path.string(),
                                     ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

// Writes all of `content`, retrying short writes and EINTR.
absl::Status WriteAll(int fd, std::string_view content,
                      const std::filesystem::path& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot write", path);
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// fsync of the parent folder makes a rename durable.
void SyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

absl::Status EnsureDir(const std::filesystem::path& dir, mode_t mode) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), " exists and is not a folder"));
  }
  // Missing parents are created with `mode` too: a new home made on the way
  // to home/logs is as private as its subfolders.
  std::filesystem::path prefix;
  for (const std::filesystem::path& part : dir) {
    prefix /= part;
    if (part.empty() || part == "/" || part == "." || part == "..") continue;
    if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoError(errno, "cannot create folder", prefix);
    }
  }
  if (::stat(dir.c_str(), &st) != 0) {
    return ErrnoError(errno, "cannot stat", dir);
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), " exists and is not a folder"));
  }
  // Only tighten: never open up a folder the operator locked down further.
  if ((st.st_mode & 07777 & ~mode) != 0) {
    if (::chmod(dir.c_str(), st.st_mode & mode & 07777) != 0) {
      return ErrnoError(errno, "cannot chmod", dir);
    }
  }
  return absl::OkStatus();
}

absl::Status EnsureOwnDir(const std::filesystem::path& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoError(errno, "cannot stat", dir);
    return EnsureDir(dir, 0700);  // ours: created private
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), " exists and is not a folder"));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return absl::FailedPreconditionError(absl::StrCat(
        dir.string(), " is writable by ",
        (st.st_mode & S_IWOTH) != 0 ? "others" : "its group", " (mode ", mode,
        "): poolops keeps keys and sockets there, so only its owner may "
        "write to it, and it never changes the mode of a folder it did not "
        "create: run `chmod go-w ",
        dir.string(), "` or choose another home"));
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomic(const std::filesystem::path& path,
                             std::string_view content, mode_t mode,
                             bool exclusive) {
  std::filesystem::path dir = path.parent_path();
  std::string tmpl =
      (dir / absl::StrCat(".", path.filename().string(), ".tmp-XXXXXX"))
          .string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return ErrnoError(errno, "cannot create a temp file for", path);
  std::filesystem::path tmp = tmpl;
  auto fail = [&](absl::Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (::fchmod(fd, mode) != 0) {
    return fail(ErrnoError(errno, "cannot chmod", tmp));
  }
  if (absl::Status s = WriteAll(fd, content, path); !s.ok()) return fail(s);
  if (::fsync(fd) != 0) return fail(ErrnoError(errno, "cannot fsync", path));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return ErrnoError(errno, "cannot close", path);
  }
  if (exclusive) {
    // link() fails with EEXIST instead of replacing: no check-then-write race.
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) return ErrnoError(err, "cannot create", path);
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError(err, "cannot replace", path);
  }
  SyncDir(dir);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path,
                                     size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "cannot open", path);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoError(err, "cannot read", path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return absl::ResourceExhaustedError(
          absl::StrCat(path.string(), " is larger than ", max_bytes, " bytes"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& path) {
  absl::StatusOr<std::string> content = ReadFile(path, 1 << 20);
  if (!content.ok()) return content.status();
  std::string secret = std::move(*content);
  size_t eol = secret.find('\n');
  if (eol != std::string::npos) {
    secret.resize(eol);
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  }
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("secret file ", path.string(), " is empty"));
  }
  return secret;
}

absl::Status AppendLine(const std::filesystem::path& path,
                        std::string_view line) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError(errno, "cannot open", path);
  std::string data = absl::StrCat(std::string(line), "\n");
  absl::Status s = WriteAll(fd, data, path);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoError(errno, "cannot fsync", path);
  ::close(fd);
  return s;
}

}  // namespace poolops::files
