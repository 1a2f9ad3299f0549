// The vault's append-only audit trail: one JSON object per line, one line per
// signing decision (allowed or denied), durable (fsync) before the vault
// hands out a signature. A vault whose audit sink fails refuses to sign.
//
// Line format (absent values are null):
//   {"time":"2026-11-28T17:53:55.123Z","wallet":"core","account":"0x...",
//    "caller":"unix:... client=poolctl pid=42","type":"tx-legacy"|"tx-1559"|
//    "typed-data"|"message","chain":"134","to":"0x...","value":"0",
//    "digest":"0x...","decision":"allowed"|"denied","rule":null|"locked"|
//    "allowed_chain_ids"|...}
// Typed-data lines add "domain" and "primaryType". Nothing secret is written.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace poolops::wallet {

struct AuditRecord {
  absl::Time time;
  std::string wallet;   // vault name
  std::string account;  // EIP-55 address
  std::string caller;   // peer identity as the transport saw it
  std::string type;     // tx-legacy, tx-1559, typed-data, message
  std::optional<std::string> chain;
  std::optional<std::string> to;
  std::optional<std::string> value;
  std::optional<std::string> digest;
  std::optional<std::string> domain;        // typed-data: domain name
  std::optional<std::string> primary_type;  // typed-data
  bool allowed = false;
  std::optional<std::string> rule;  // why it was denied

  std::string ToJsonLine() const;  // no trailing newline
};

// Where records go. Append returns only once the record is durable.
// Implementations are thread-safe.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual absl::Status Append(const AuditRecord& record) = 0;
};

// Appends to a file (created 0600, opened O_APPEND) and fsyncs. Concurrent
// appends share one write + fsync (group commit): each caller returns once
// the batch holding its line is on disk, or with that batch's error.
class FileAuditLog : public AuditSink {
 public:
  explicit FileAuditLog(std::filesystem::path path) : path_(std::move(path)) {}
  absl::Status Append(const AuditRecord& record) override;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Batch {
    std::string lines;  // '\n'-joined, no trailing newline
    bool done = false;
    absl::Status status;
  };
  const std::filesystem::path path_;
  absl::Mutex mu_;
  std::shared_ptr<Batch> open_ ABSL_GUARDED_BY(mu_);  // filling up
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace poolops::wallet
