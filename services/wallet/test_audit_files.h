// Real audit files with faults on demand, for tests: a disk that fills up
// after N more bytes (short write, then ENOSPC), failing fsync or truncate,
// fsyncs counted and held until released.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/wallet/audit_file.h"

namespace poolops::test {

using wallet::AuditFile;
using wallet::AuditFiles;

class FaultyAuditFiles : public AuditFiles {
 public:
  absl::StatusOr<std::unique_ptr<AuditFile>> Open(
      const std::filesystem::path& path) override {
    absl::StatusOr<std::unique_ptr<AuditFile>> real =
        AuditFiles::Posix()->Open(path);
    if (!real.ok()) return real.status();
    return std::make_unique<File>(this, *std::move(real));
  }

  // Bytes that still fit on the "disk"; negative: unlimited.
  void set_space(int64_t bytes) {
    absl::MutexLock lock(&mu_);
    space_ = bytes;
  }
  void set_fail_sync(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_sync_ = fail;
  }
  void set_fail_truncate(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_truncate_ = fail;
  }
  // While held, Sync blocks (after counting itself).
  void HoldSyncs(bool hold) {
    absl::MutexLock lock(&mu_);
    hold_syncs_ = hold;
  }
  int syncs() const {
    absl::MutexLock lock(&mu_);
    return syncs_;
  }
  int blocked_syncs() const {
    absl::MutexLock lock(&mu_);
    return blocked_;
  }

 private:
  bool SyncsReleased() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !hold_syncs_;
  }

  class File : public AuditFile {
   public:
    File(FaultyAuditFiles* owner, std::unique_ptr<AuditFile> real)
        : owner_(owner), real_(std::move(real)) {}
    absl::StatusOr<Stat> GetStat() override { return real_->GetStat(); }
    absl::StatusOr<std::string> Read(uint64_t offset, size_t n) override {
      return real_->Read(offset, n);
    }
    absl::StatusOr<size_t> Write(std::string_view data) override {
      absl::MutexLock lock(&owner_->mu_);
      if (owner_->space_ == 0) {
        return absl::ResourceExhaustedError("No space left on device");
      }
      if (owner_->space_ > 0 &&
          data.size() > static_cast<size_t>(owner_->space_)) {
        data = data.substr(0, static_cast<size_t>(owner_->space_));
      }
      absl::StatusOr<size_t> n = real_->Write(data);
      if (n.ok() && owner_->space_ > 0) owner_->space_ -= *n;
      return n;
    }
    absl::Status Sync() override {
      absl::MutexLock lock(&owner_->mu_);
      ++owner_->syncs_;
      ++owner_->blocked_;
      owner_->mu_.Await(
          absl::Condition(owner_, &FaultyAuditFiles::SyncsReleased));
      --owner_->blocked_;
      if (owner_->fail_sync_) return absl::UnavailableError("fsync: EIO");
      return real_->Sync();
    }
    absl::Status Truncate(uint64_t size) override {
      {
        absl::MutexLock lock(&owner_->mu_);
        if (owner_->fail_truncate_) {
          return absl::UnavailableError("ftruncate: EIO");
        }
      }
      return real_->Truncate(size);
    }
    absl::Status LockExclusive() override { return real_->LockExclusive(); }

   private:
    FaultyAuditFiles* const owner_;
    std::unique_ptr<AuditFile> real_;
  };

  mutable absl::Mutex mu_;
  int64_t space_ ABSL_GUARDED_BY(mu_) = -1;
  bool fail_sync_ ABSL_GUARDED_BY(mu_) = false;
  bool fail_truncate_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_syncs_ ABSL_GUARDED_BY(mu_) = false;
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int blocked_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace poolops::test
