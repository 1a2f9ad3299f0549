// Reads a pool's history from the chain into the HistoryStore with
// eth_getLogs on the hub: the deals of its workerpool (SchedulerNotice and
// their OrdersMatched), its tasks (TaskInitialize naming the workerpool, then
// every task event of those tasks), the escrow's Reward and Seize of those
// tasks, the Lock and Unlock of its scheduler and workers in the pool's own
// transactions, and the gas of the transactions its scheduler and workers
// sent. Only final blocks are read (head minus the chain's confirmations);
// the hashes of the last blocks read are checked on each pass and a reorg
// below them is rewound and read again. Ranges adapt to the node: halved
// when it refuses a query as too large, doubled after each success.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/ethrpc/eth_api.h"
#include "services/monitor/history/history_store.h"

namespace poolops::monitor {

struct HistorySource {
  std::string pool;
  std::string chain_id;  // decimal
  eth::Address hub;
  eth::Address workerpool;
  // A block is final once it has this many confirmations counting itself
  // (0 and 1: once mined).
  uint64_t confirmations = 0;
};

struct IndexOptions {
  uint64_t initial_span = 2'000;  // blocks per eth_getLogs at first
  uint64_t max_span = 100'000;
  size_t header_batch = 100;      // block headers per JSON-RPC batch
};

struct SyncReport {
  uint64_t from_block = 0;  // first block read by this pass
  uint64_t to_block = 0;    // last final block read (the cursor minus one)
  uint64_t ranges = 0;      // eth_getLogs calls that answered
  uint64_t splits = 0;      // ranges the node refused as too large
  uint64_t logs = 0;        // hub logs read
  uint64_t events = 0;      // of them, the pool's
  bool reset = false;       // a new pool, or another chain/hub/workerpool
  std::optional<uint64_t> rewound_to;  // a reorg was undone from this block
};

class HistoryIndexer {
 public:
  // Both must outlive the indexer. Not thread-safe: one Sync at a time.
  HistoryIndexer(chain::EthApi* api, HistoryStore* store,
                 IndexOptions options = {})
      : api_(api), store_(store), options_(options) {}

  // Reads every final block not read yet. `progress` (may be empty) gets
  // the last block read after each range.
  absl::StatusOr<SyncReport> Sync(
      const HistorySource& source,
      const std::function<void(uint64_t)>& progress = nullptr);

 private:
  struct PoolSet {
    uint64_t next_block = 0;  // what it reflects: the store up to here
    std::string scheduler;
    std::set<std::string> deals;
    std::set<std::string> tasks;
    std::set<std::string> workers;
  };

  absl::StatusOr<HistoryCursor> Prepare(const HistorySource& source,
                                        uint64_t head, SyncReport* report);
  // Where the workerpool's history starts: eth_getCode at old blocks, or
  // the registry's mint of its NFT when the node has no old state.
  absl::StatusOr<uint64_t> CreationBlock(const eth::Address& hub,
                                         const eth::Address& contract,
                                         uint64_t head);
  static constexpr int kMaxCreationQueries = 64;
  absl::Status UndoReorg(const std::string& pool, const HistoryCursor& cursor,
                         SyncReport* report);
  absl::StatusOr<PoolSet> LoadSet(const std::string& pool,
                                  const std::string& scheduler);
  absl::StatusOr<std::vector<chain::Log>> Logs(const eth::Address& hub,
                                               uint64_t from, uint64_t to,
                                               SyncReport* report,
                                               uint64_t* read_to);
  absl::Status Index(const HistorySource& source, PoolSet& set,
                     const std::vector<chain::Log>& logs, uint64_t from,
                     uint64_t to, SyncReport* report);

  chain::EthApi* api_;
  HistoryStore* store_;
  IndexOptions options_;
  std::map<std::string, uint64_t> span_;  // per hub, what the node allows
  // Each pool's deals, tasks and workers as read so far, loaded from the
  // store once, then kept up to date; loaded again when the store's cursor
  // is not where the set left it (a reset, a rewind, another indexer).
  std::map<std::string, PoolSet> sets_;
};

}  // namespace poolops::monitor
