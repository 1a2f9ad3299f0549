// GET /metrics of iexec-core 9.x (iexec-task-api PlatformMetric): the
// registered/computing counts, the chain's latest block, the deal counters,
// and the alive* fields 9.0.0 deprecated but still fills.
#pragma once

#include <optional>
#include <string>

#include "devnet/simulators/latest_block.h"
#include "devnet/simulators/worker_registry.h"

namespace poolops::sim {

// Field order as Jackson writes the 9.3 class. Nothing computes, so
// aliveComputing* are 0 and available equals registered; the deal counters
// are what the core's on-chain duties saw ({} for currentTaskStatusesCount).
// latestBlockMetric is null until a block was read, as on a core that has not
// polled yet; blockTimestamp is epoch seconds (a long in 9.3's
// LatestBlockMetric).
std::string PlatformMetricV9Json(const PlatformMetric& alive,
                                 const std::optional<LatestBlock>& block);

}  // namespace poolops::sim
