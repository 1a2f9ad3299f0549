// The orchestrator's state in SQLite (<home>/state.db): pools, revisions,
// hosts and events. Every write is one transaction in WAL mode with
// synchronous=FULL, so a crash at any point leaves the last committed state:
// a revision is inserted "in-progress" before anything is touched and only
// marked "applied" at the end; `up` again finds the in-progress one, marks
// it "interrupted" and converges. Thread-safe (one connection, a mutex).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "libs/common/sqlite_db.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"


namespace poolops::orchestrator {

// What was deployed of a bundle: file hashes (sha-256 hex by path) and one
// hash per compose service (its definition and the values it reads).
struct BundleRecord {
  std::string name;
  std::string role;
  std::string target;
  std::string project;
  std::vector<std::string> compose_files;
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> services;
};

struct RevisionRecord {
  std::string pool;
  uint32_t revision = 0;
  std::string applied_at;  // RFC 3339 (start of the apply)
  std::string outcome;     // in-progress | applied | failed | rolled-back |
                           // interrupted | down
  std::string spec_json;   // the PoolSpec as JSON
  std::string workerpool;
  std::vector<BundleRecord> bundles;
  std::string message;  // why it failed, when it did
};

struct EventRecord {
  int64_t id = 0;
  uint32_t revision = 0;
  std::string time;
  std::string step;
  std::string target;
  std::string state;
  std::string message;
};

class StateStore {
 public:
  // Opens (creating, 0600) the database and its tables.
  static absl::StatusOr<std::unique_ptr<StateStore>> Open(
      const std::filesystem::path& file, Clock* clock = Clock::Real());
  ~StateStore();

  // A new revision (previous max + 1) "in-progress"; in-progress revisions
  // left by a crash are marked "interrupted" first.
  absl::StatusOr<uint32_t> BeginRevision(const std::string& pool,
                                         const std::string& spec_json);
  absl::Status FinishRevision(const std::string& pool, uint32_t revision,
                              const std::string& outcome,
                              const std::string& workerpool,
                              const std::vector<BundleRecord>& bundles,
                              const std::string& message = "");
  // The latest revision with outcome "applied" (what runs now), if any.
  absl::StatusOr<std::optional<RevisionRecord>> LastApplied(
      const std::string& pool);
  absl::StatusOr<std::optional<RevisionRecord>> Get(const std::string& pool,
                                                    uint32_t revision);
  // Oldest first. NotFound when the pool was never applied.
  absl::StatusOr<std::vector<RevisionRecord>> History(const std::string& pool);
  // The pool's workerpool address once registered ("" before).
  absl::StatusOr<std::string> Workerpool(const std::string& pool);
  absl::Status SetWorkerpool(const std::string& pool,
                             const std::string& address);
  // The block a v9.3 core starts reading deals at, fixed at the pool's first
  // deployment (the chain head then); "" before.
  absl::StatusOr<std::string> StartBlock(const std::string& pool);
  absl::Status SetStartBlock(const std::string& pool, const std::string& block);
  // Marks the pool down (history kept).
  absl::Status MarkDown(const std::string& pool);
  absl::StatusOr<std::string> PoolStatus(const std::string& pool);
  // Names of the pools in `status` ("up", "down"), sorted.
  absl::StatusOr<std::vector<std::string>> PoolsWithStatus(
      const std::string& status);

  absl::Status RecordEvent(const std::string& pool, uint32_t revision,
                           const std::string& step, const std::string& target,
                           const std::string& state,
                           const std::string& message);
  absl::StatusOr<std::vector<EventRecord>> Events(const std::string& pool,
                                                  uint32_t revision);
  absl::Status SetHost(const std::string& pool, const std::string& bundle,
                       const std::string& target, uint32_t revision,
                       const std::string& status);
  // The revision that last wrote the bundle's folder on its host (nullopt:
  // never). A folder a later, unfinished revision wrote still has the last
  // applied revision's files in its backup, which must then be kept.
  // Every row of the pool (pool, revisions, start block, hosts, events) as
  // JSON: {"<table>":[{"<column>":"<text>"}]}; a backup's state.json.
  absl::StatusOr<std::string> ExportPool(const std::string& pool);
  // Puts an ExportPool document back in one transaction: AlreadyExists when
  // the store has revisions of the pool, InvalidArgument (naming the table
  // and row) for a table, a column or a pool name it does not expect.
  absl::Status ImportPool(const std::string& pool, const std::string& json);
  absl::StatusOr<std::optional<uint32_t>> HostRevision(
      const std::string& pool, const std::string& bundle);

 private:
  StateStore(std::unique_ptr<sqlite::Db> db, Clock* clock)
      : db_(std::move(db)), clock_(clock) {}
  absl::Status Exec(const std::string& sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<RevisionRecord>> QueryRevision(
      const std::string& where_sql, const std::vector<sqlite::Value>& args)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The first column of the first row of `sql` (one ?1), "" when none.
  absl::StatusOr<std::string> One(const std::string& sql, const std::string& arg)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string Now() const;

  absl::Mutex mu_;
  std::unique_ptr<sqlite::Db> db_ ABSL_GUARDED_BY(mu_);
  Clock* clock_;
};

std::string BundlesToJson(const std::vector<BundleRecord>& bundles);
std::vector<BundleRecord> BundlesFromJson(const std::string& json);

}  // namespace poolops::orchestrator
