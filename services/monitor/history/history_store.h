// A pool's on-chain history as the monitor has read it, in
// <home>/monitor/history.db (SQLite, 0600): per pool a cursor (the next
// block to read, where the pool's history starts, what chain, hub and
// workerpool it is of), the hub events that belong to the pool, the gas
// its scheduler and workers spent, and the hashes of the last blocks read
// (checkpoints) to notice a reorg. Each read range is committed in one
// transaction with the cursor, so a monitor killed mid-way resumes at the
// last committed block and never counts an event twice.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/sqlite_db.h"
#include "libs/iexec/poco_events.h"

namespace poolops::monitor {

struct HistoryCursor {
  std::string chain_id;   // decimal
  std::string hub;        // lowercase hex addresses
  std::string workerpool;
  std::string scheduler;  // the workerpool's owner
  uint64_t start_block = 0;  // the workerpool's creation block
  uint64_t next_block = 0;   // the first block not read yet
};

struct StoredEvent {
  uint64_t block = 0;
  uint64_t log_index = 0;
  std::string tx;  // 0x hash
  uint64_t time = 0;  // the block's timestamp
  iexec::PocoEventKind kind = iexec::PocoEventKind::kSchedulerNotice;
  std::string id;       // deal or task id, 0x hex
  std::string account;  // lowercase 0x address, or empty
  std::string amount;   // decimal
  std::string ref;      // Reward/Seize: the task id
};

struct StoredGas {
  std::string tx;
  uint64_t block = 0;
  uint64_t time = 0;
  std::string sender;  // lowercase 0x address
  std::string wei;     // gasUsed * effectiveGasPrice, decimal
};

struct Checkpoint {
  uint64_t block = 0;
  std::string hash;
};

class HistoryStore {
 public:
  static absl::StatusOr<std::unique_ptr<HistoryStore>> Open(
      const std::filesystem::path& file);

  absl::StatusOr<std::optional<HistoryCursor>> Cursor(const std::string& pool);
  // Forgets what was read of `pool` and starts over at `cursor`.
  absl::Status Reset(const std::string& pool, const HistoryCursor& cursor);
  // One read range, atomically: its events and gas, the cursor moved to
  // `next_block`, `checkpoint` (the range's last block) remembered.
  absl::Status Commit(const std::string& pool,
                      const std::vector<StoredEvent>& events,
                      const std::vector<StoredGas>& gas, uint64_t next_block,
                      const Checkpoint& checkpoint);
  // The remembered checkpoints, newest first (at most kCheckpoints).
  absl::StatusOr<std::vector<Checkpoint>> Checkpoints(const std::string& pool);
  // Drops everything read from `block` on (a reorg) and moves the cursor
  // back to it.
  absl::Status Rewind(const std::string& pool, uint64_t block);
  // Events at or after `min_time`, in chain order.
  absl::StatusOr<std::vector<StoredEvent>> Events(const std::string& pool,
                                                  uint64_t min_time = 0);
  absl::StatusOr<std::vector<StoredGas>> Gas(const std::string& pool,
                                             uint64_t min_time = 0);
  // The first block at or after `min_time` that holds one of the pool's
  // events; nullopt when none does.
  absl::StatusOr<std::optional<uint64_t>> FirstBlockSince(
      const std::string& pool, uint64_t min_time);

  static constexpr int kCheckpoints = 64;

 private:
  explicit HistoryStore(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}
  absl::Status InTransaction(const std::function<absl::Status()>& body);

  std::unique_ptr<sqlite::Db> db_;
};

}  // namespace poolops::monitor
