// The monitor's access to pools' histories, behind an interface so that the
// Monitor is tested without a chain: Sync reads what is new on the pool's
// chain (HistoryIndexer over JSON-RPC), Stats computes from what was read.
// The RPC implementation keeps one JSON-RPC client per node URL and runs
// one Sync at a time (each pool's cursor is its own, the store is shared).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/monitor/history/history_indexer.h"
#include "services/monitor/history/pool_stats.h"

namespace poolops::monitor {

class HistoryReader {
 public:
  virtual ~HistoryReader() = default;
  virtual absl::StatusOr<SyncReport> Sync(const HistorySource& source,
                                          const std::string& rpc_url) = 0;
  virtual absl::StatusOr<PoolStats> Stats(const std::string& pool,
                                          uint64_t min_time) = 0;
};

// Over <file> (history.db) and libcurl.
absl::StatusOr<std::unique_ptr<HistoryReader>> NewRpcHistoryReader(
    const std::filesystem::path& file, IndexOptions options = {});

}  // namespace poolops::monitor
