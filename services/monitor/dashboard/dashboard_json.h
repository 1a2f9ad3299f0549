// What the status page's /api answers, as JSON: a pool's status without its
// probes' evidence (request and response logs may carry URLs with keys),
// every URL cut to scheme://host:port; its stats with the CLI's field names
// (`poolctl pool stats`) and the timeline the charts draw.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "poolops/monitor/v1/monitor.pb.h"
#include "services/monitor/history/pool_stats.h"

namespace poolops::monitor {

// A pool's deployments as the orchestrator lists them, without their specs.
struct RevisionSummary {
  uint32_t revision = 0;
  std::string applied_at;  // RFC 3339
  std::string outcome;     // "applied", "failed", "rolled-back", ...
  std::string message;
};

// "https://user:pw@node.example/v3/KEY?x=1" -> "https://node.example/…":
// node providers put API keys in paths, queries and user info.
std::string RedactUrls(std::string_view text);

nlohmann::json StatusJson(const v1::PoolStatus& status);
nlohmann::json StatsJson(const PoolStats& stats);
nlohmann::json RevisionsJson(const std::vector<RevisionSummary>& revisions);

}  // namespace poolops::monitor
