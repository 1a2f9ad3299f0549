// The file under the vault's audit log, behind an interface so that tests
// can count fsyncs, make a write fail half way (a full disk) or fail an
// fsync. The log opens the file once per batch, so a rotated or replaced
// audit.log is picked up by the next batch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace poolops::wallet {

class AuditFile {
 public:
  struct Stat {
    uint64_t size = 0;
    uint64_t id = 0;  // device and inode: tells a replaced file apart
  };
  virtual ~AuditFile() = default;
  virtual absl::StatusOr<Stat> GetStat() = 0;
  // Up to `n` bytes from `offset` (fewer at the end of the file).
  virtual absl::StatusOr<std::string> Read(uint64_t offset, size_t n) = 0;
  // Appends at the end of the file; may write fewer bytes than given (the
  // count is returned) and fail after a partial write, as write(2) does.
  virtual absl::StatusOr<size_t> Write(std::string_view data) = 0;
  virtual absl::Status Sync() = 0;
  virtual absl::Status Truncate(uint64_t size) = 0;
  // Takes an exclusive lock on the file for as long as this handle lives;
  // FailedPrecondition when another handle (another vault) holds it.
  virtual absl::Status LockExclusive() = 0;
};

class AuditFiles {
 public:
  virtual ~AuditFiles() = default;
  // Opens `path` for reading and appending, creating it 0600.
  virtual absl::StatusOr<std::unique_ptr<AuditFile>> Open(
      const std::filesystem::path& path) = 0;
  // open(2) with O_APPEND, pread, write, fsync, ftruncate.
  static AuditFiles* Posix();
};

}  // namespace poolops::wallet
