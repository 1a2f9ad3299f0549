// The vault's append-only audit trail: one JSON object per line, one line per
// signing decision (allowed or denied), durable (fsync) before the vault
// hands out a signature. A vault whose audit sink fails refuses to sign.
//
// Line format (absent values are null):
//   {"time":"2026-11-28T17:53:55.123Z","wallet":"core","account":"0x...",
//    "caller":"chain-gateway","client":"chain-gateway","purpose":"tx deposit
//    100 nRLC","type":"tx-legacy"|"tx-1559"|"typed-data"|"message",
//    "chain":"134","to":"0x...","value":"0","digest":"0x...",
//    "decision":"allowed"|"denied","rule":null|"locked"|...,
//    "check":"<16 hex>"}
// Typed-data lines add "domain" and "primaryType". "caller" is the peer as
// the transport authenticated it (mTLS certificate name, or the socket);
// "client" and "purpose" are what the caller declared about itself and are
// recorded as such. Text from outside is cut to kMaxAuditFieldBytes.
// "check" (always last) is the first 8 bytes of SHA-256 over the line up to
// ',"check"': a line cut short or damaged is detected (CheckAuditLine).
// Recovery lines ({"type":"audit-recovery",...}) record a torn tail found
// when the log was opened. Nothing secret is written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/wallet/audit_file.h"

namespace poolops::wallet {

inline constexpr size_t kMaxAuditFieldBytes = 256;

struct AuditRecord {
  absl::Time time;
  std::string wallet;                  // vault name
  std::string account;                 // EIP-55 address
  std::string caller;                  // peer identity as the transport saw it
  std::optional<std::string> client;   // self-declared client label
  std::optional<std::string> purpose;  // self-declared operation
  std::string type;  // tx-legacy, tx-1559, typed-data, message
  std::optional<std::string> chain;
  std::optional<std::string> to;
  std::optional<std::string> value;
  std::optional<std::string> digest;
  std::optional<std::string> domain;        // typed-data: domain name
  std::optional<std::string> primary_type;  // typed-data
  bool allowed = false;
  std::optional<std::string> rule;  // why it was denied

  std::string ToJsonLine() const;  // sealed with "check"; no newline
};

// Who asks for a signature: the peer the transport authenticated, plus what
// the caller declares about itself (x-poolops-client, x-poolops-purpose).
struct AuditCaller {
  AuditCaller(const char* peer) : peer(peer) {}         // NOLINT: implicit
  AuditCaller(std::string_view peer) : peer(peer) {}    // NOLINT: implicit
  AuditCaller(const std::string& peer) : peer(peer) {}  // NOLINT: implicit
  AuditCaller(std::string peer, std::optional<std::string> client,
              std::optional<std::string> purpose)
      : peer(std::move(peer)),
        client(std::move(client)),
        purpose(std::move(purpose)) {}
  std::string peer;
  std::optional<std::string> client;
  std::optional<std::string> purpose;
};

// Seals a one-line JSON object (`{...}`) with its "check" field.
std::string SealAuditLine(std::string_view json_object);

enum class AuditLineState {
  kSealed,    // carries a matching "check"
  kUnsealed,  // a JSON object without "check" (written before checks)
  kDamaged,   // a wrong check, or not a JSON object
};
AuditLineState CheckAuditLine(std::string_view line);

// What a whole-file check found (VerifyAuditLog).
struct AuditLogReport {
  uint64_t sealed = 0;
  uint64_t unsealed = 0;
  std::vector<uint64_t> damaged_lines;  // 1-based line numbers
  uint64_t torn_tail_bytes = 0;         // bytes after the last newline
  bool ok() const { return damaged_lines.empty() && torn_tail_bytes == 0; }
};
absl::StatusOr<AuditLogReport> VerifyAuditLog(
    const std::filesystem::path& path);

// Where records go. Append returns only once the record is durable.
// Implementations are thread-safe.
class AuditSink {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~AuditSink() = default;
  virtual absl::Status Append(const AuditRecord& record) = 0;
  // Calls `done` once the record is durable (or failed), possibly on another
  // thread; by default synchronously through Append.
  virtual void AppendAsync(const AuditRecord& record, Done done) {
    done(Append(record));
  }
};

// A torn tail found (and repaired) when the log was opened or reopened.
struct AuditRecovery {
  uint64_t torn_bytes = 0;  // cut from the end of the file
  uint64_t kept_bytes = 0;  // the complete lines before them
};

// Appends to a file (created 0600, O_APPEND) with group commit: a committer
// thread takes every record queued since its last batch, writes them with
// one write and one fsync, then answers each of their callers. A batch that
// cannot be written whole and synced is cut off the file again (no partial
// line stays) and fails every record in it; the vault then refuses those
// signatures. One FileAuditLog per file (an flock, so a second vault on the
// same home cannot interleave). Before each batch the file is checked against
// what the last batch left: a torn tail (a crash, a write that could not be
// undone) is cut, kept in hex in an "audit-recovery" line, and reported in the
// log.
class FileAuditLog : public AuditSink {
 public:
  // Opens `path`, repairing a torn tail. Fails when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<FileAuditLog>> Open(
      std::filesystem::path path, AuditFiles* files = AuditFiles::Posix());
  ~FileAuditLog() override;  // commits what is queued, then stops

  absl::Status Append(const AuditRecord& record) override;
  void AppendAsync(const AuditRecord& record, Done done) override;

  const std::filesystem::path& path() const { return path_; }
  // What Open repaired.
  const AuditRecovery& recovery_at_open() const { return recovery_at_open_; }
  // Records queued and not yet taken by the committer (for tests).
  size_t queued() const;

 private:
  FileAuditLog(std::filesystem::path path, AuditFiles* files);
  void Enqueue(std::string line, Done done);
  void CommitLoop();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !queued_done_.empty();
  }
  // Writes `lines` whole and syncs, or undoes the write.
  absl::Status Commit(std::string_view lines);
  // Cuts a torn tail off `file` (of `stat`) and records it.
  absl::StatusOr<AuditRecovery> Repair(AuditFile& file, AuditFile::Stat stat);

  const std::filesystem::path path_;
  AuditFiles* const files_;
  AuditRecovery recovery_at_open_;
  std::unique_ptr<AuditFile> lock_;  // the handle holding the flock
  // The file as the last commit left it (committer thread only).
  std::optional<AuditFile::Stat> expected_;

  mutable absl::Mutex mu_;
  std::string queued_lines_ ABSL_GUARDED_BY(mu_);
  std::vector<Done> queued_done_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread committer_;
};

}  // namespace poolops::wallet
