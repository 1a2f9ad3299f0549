// Parsers for what the pool's HTTP endpoints answer: the core's /metrics
// (PlatformMetric of iexec-core 7.x, 8.x and 9.x), Spring actuator health,
// the blockchain adapter's /config/chain, grafana's /api/health and the
// market's workerpool orderbook. Outside input: every function bounds its
// work, never throws, and returns InvalidArgumentError naming what is wrong.
// No gRPC here (also built for the fuzzers). Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace poolops::iexec {

// The core's PlatformMetric, whatever its version. Field names, newest first:
//   9.x  aliveRegisteredCpu/aliveComputingCpu (and Gpu), latestBlockMetric
//   8.x  aliveTotalCpu/aliveAvailableCpu, latestBlockNumberWithDeal
//   7.x  the same plus completedTasks
struct CoreMetrics {
  std::string generation;  // "9.x", "8.x" or "7.x": which field set answered
  int64_t alive_workers = 0;
  int64_t cpu_total = 0;      // aliveRegisteredCpu | aliveTotalCpu
  int64_t cpu_available = 0;  // registered - computing | aliveAvailableCpu
  int64_t gpu_total = 0;
  int64_t gpu_available = 0;
  // Whether the core said what is free (aliveComputing* | aliveAvailable*);
  // when it did not, *_available above is the total, which only a display
  // may assume (the order publisher must not offer what it cannot see).
  bool cpu_available_reported = false;
  bool gpu_available_reported = false;
  std::optional<int64_t> completed_tasks;          // 7.x
  std::optional<uint64_t> latest_block;            // 9.x latestBlockMetric
  std::optional<uint64_t> latest_block_with_deal;  // 8.x
};

absl::StatusOr<CoreMetrics> ParseCoreMetrics(std::string_view body);

// Reads `fields` of a JSON object body as strings (numbers as decimal,
// booleans as true/false, nested values as JSON). For a core's names, an
// older name asked of a newer core answers with the newer field
// (aliveTotalCpu ← aliveRegisteredCpu). Missing fields are left out.
absl::StatusOr<std::map<std::string, std::string>> JsonFieldValues(
    std::string_view body, const std::vector<std::string>& fields);

// Spring actuator /actuator/health: {"status":"UP"|"DOWN"|"OUT_OF_SERVICE"..}.
absl::StatusOr<std::string> ParseActuatorHealth(std::string_view body);

// The adapter's /config/chain (STACKS.md 7.3), and the 9.x config server's,
// which serves the same document; blockTime as an ISO-8601 duration
// ("PT5S", "PT0.5S", "PT1M30S") or seconds (5.0). `what` names the endpoint
// in errors.
struct AdapterChainConfig {
  int64_t chain_id = 0;
  bool sidechain = false;
  std::string chain_node_url;
  std::string hub;
  std::optional<double> block_time_seconds;
  // blockTime as written (at most 40 characters), when it is a string: says
  // what was there when it is not a duration.
  std::string block_time_text;
};
absl::StatusOr<AdapterChainConfig> ParseAdapterChainConfig(
    std::string_view body, std::string_view what = "adapter /config/chain");

// Grafana /api/health: {"database":"ok","version":...}.
struct GrafanaHealth {
  std::string database;
  std::string version;
};
absl::StatusOr<GrafanaHealth> ParseGrafanaHealth(std::string_view body);

// GET {market}/workerpoolorders?chainId=..&workerpool=.. (PROTOCOL.md §5).
struct OrderbookSummary {
  int64_t count = 0;         // the market's total count of open orders
  int64_t orders_read = 0;   // orders in this page
  uint64_t open_volume = 0;  // sum of `remaining` over this page
  // What the workerpool owner must have staked for these orders to match:
  // sum of (workerpoolprice * 30 / 100) * remaining, in nRLC (saturating).
  uint64_t required_stake = 0;
  bool more_pages = false;  // nextPage present: the sums cover one page
};
absl::StatusOr<OrderbookSummary> ParseOrderbook(std::string_view body);

// PoCo's WORKERPOOL_STAKE_RATIO (poco:contracts/Store.sol).
inline constexpr uint64_t kWorkerpoolStakeRatioPercent = 30;

}  // namespace poolops::iexec
