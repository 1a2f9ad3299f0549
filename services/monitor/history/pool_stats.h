// What a pool did and earned, from its history (HistoryStore): deals won,
// tasks completed / failed / still running, RLC earned by its scheduler
// and by its workers, stake seized from them, the gas they spent, and the
// same per worker. Amounts in nRLC (gas in wei), as decimal strings.
//   earned     Reward events of the pool's tasks to the scheduler (its
//              share, and kitty bonuses) or to a worker that contributed
//   seized     Seize events of the pool's tasks from the scheduler (its
//              stake on a failed task) or a contributor (a wrong result)
//   running    tasks initialized and neither finalized nor claimed (now,
//              whatever the window)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/monitor/history/history_store.h"

namespace poolops::monitor {

struct WorkerStats {
  std::string address;  // lowercase 0x
  uint64_t tasks = 0;   // contributions
  std::string earned = "0";
  std::string seized = "0";
};

// One slice of the window: what ended in it and what it earned.
struct StatsPoint {
  uint64_t time = 0;  // the slice's start (unix seconds)
  uint64_t completed = 0;
  uint64_t failed = 0;
  std::string earned = "0";  // scheduler and workers
  std::string seized = "0";
};

struct PoolStats {
  std::string pool;
  std::string workerpool;
  std::string scheduler;
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  uint64_t deals = 0;
  uint64_t deal_tasks = 0;  // tasks bought by those deals
  uint64_t completed = 0;
  uint64_t failed = 0;
  uint64_t running = 0;
  std::string earned_scheduler = "0";
  std::string earned_workers = "0";
  std::string seized = "0";
  std::string gas_spent = "0";
  std::vector<WorkerStats> workers;  // by address
  // The window cut into kTimelinePoints equal slices, from its first event
  // to its last (empty without events): what the status page charts.
  std::vector<StatsPoint> timeline;
};

inline constexpr size_t kTimelinePoints = 24;

// The pool's stats over events at or after `min_time` (0: all its history).
// NotFound when the pool's history was never read.
absl::StatusOr<PoolStats> ComputePoolStats(HistoryStore& store,
                                           const std::string& pool,
                                           uint64_t min_time = 0);

}  // namespace poolops::monitor
