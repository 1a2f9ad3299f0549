// The chain's latest block as core 9.x reports it in /metrics
// (latestBlockMetric), read from the node by JSON-RPC
// eth_getBlockByNumber("latest", false), and a poller that keeps the last
// block read in the background.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace poolops::sim {

struct LatestBlock {
  uint64_t number = 0;
  std::string hash;
  uint64_t timestamp = 0;  // seconds since the epoch, as the block has it
};

// The JSON-RPC answer's "result" (number and timestamp hex quantities).
absl::StatusOr<LatestBlock> ParseLatestBlockResponse(const std::string& body);
// POSTs eth_getBlockByNumber to node_url (http only).
absl::StatusOr<LatestBlock> FetchLatestBlock(const std::string& node_url);

using LatestBlockFetch = std::function<absl::StatusOr<LatestBlock>()>;

// Reads the block at once in Start(), then every `interval` on its thread.
// When the node cannot be read the last block is kept and the failure
// logged once, until a read succeeds again.
class LatestBlockPoller {
 public:
  LatestBlockPoller(LatestBlockFetch fetch, absl::Duration interval,
                    std::string node_url);
  ~LatestBlockPoller();
  LatestBlockPoller(const LatestBlockPoller&) = delete;
  LatestBlockPoller& operator=(const LatestBlockPoller&) = delete;

  void Start();
  void Stop();
  // One read now (also what the thread does).
  void PollOnce();
  std::optional<LatestBlock> Latest() const;

 private:
  LatestBlockFetch fetch_;
  absl::Duration interval_;
  std::string node_url_;
  mutable absl::Mutex mu_;
  std::optional<LatestBlock> latest_ ABSL_GUARDED_BY(mu_);
  bool failing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace poolops::sim
