#include "devnet/simulators/platform_metric_v9.h"

#include <nlohmann/json.hpp>

namespace poolops::sim {

std::string PlatformMetricV9Json(const PlatformMetric& alive,
                                 const std::optional<LatestBlock>& block) {
  const int computing_cpu = 0;
  const int computing_gpu = 0;
  nlohmann::ordered_json json;
  json["aliveWorkers"] = alive.alive_workers;
  json["aliveComputingCpu"] = computing_cpu;
  json["aliveRegisteredCpu"] = alive.alive_total_cpu;
  json["aliveComputingGpu"] = computing_gpu;
  json["aliveRegisteredGpu"] = alive.alive_total_gpu;
  json["currentTaskStatusesCount"] = nlohmann::ordered_json::object();
  if (block.has_value()) {
    nlohmann::ordered_json b;
    b["blockNumber"] = block->number;
    b["blockHash"] = block->hash;
    b["blockTimestamp"] = block->timestamp;
    json["latestBlockMetric"] = b;
  } else {
    json["latestBlockMetric"] = nullptr;
  }
  json["dealEventsCount"] = alive.deals;
  json["dealsCount"] = alive.deals;
  json["replayDealsCount"] = 0;
  json["latestBlockNumberWithDeal"] = alive.latest_block_with_deal;
  json["aliveAvailableCpu"] = alive.alive_total_cpu - computing_cpu;
  json["aliveTotalCpu"] = alive.alive_total_cpu;
  json["aliveAvailableGpu"] = alive.alive_total_gpu - computing_gpu;
  json["aliveTotalGpu"] = alive.alive_total_gpu;
  return json.dump();
}

}  // namespace poolops::sim
