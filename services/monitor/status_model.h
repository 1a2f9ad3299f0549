// The status model: what one round of probes says about one pool, as
// components with a state and a reason a person understands. Pure: the
// Monitor gathers the observations (HTTP probes, chain head, balances) and
// keeps PoolMemory between rounds; this file only judges. Not thread-safe
// (PoolMemory belongs to one pool's round).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/swarm_listing.h"
#include "poolops/monitor/v1/monitor.pb.h"
#include "proto/poolops/monitor/v1/health_name.h"
#include "services/monitor/chain_sources.h"
#include "services/monitor/http_prober.h"
#include "services/monitor/pool_endpoints.h"

namespace poolops::monitor {

// One HTTP probe of the round and the URL it went to.
struct ProbeOutcome {
  std::string url;
  HttpProbeResponse response;
};

struct PoolObservations {
  absl::Time probed_at;
  std::optional<ProbeOutcome> core_metrics;
  std::optional<ProbeOutcome> core_health;
  std::map<std::string, ProbeOutcome> worker_health;  // workers with a URL
  std::optional<ProbeOutcome> adapter;
  std::optional<ProbeOutcome> config_server;
  std::optional<ProbeOutcome> grafana;
  std::optional<ProbeOutcome> market;
  // Why the market was not probed although a workerpool is set ("" if it
  // was, or if there is no workerpool).
  std::string market_unknown;
  // The chain: `rpc` empty and `chain_unknown` set when the chain name could
  // not be resolved; both empty when the pool names no chain.
  std::string rpc;
  std::string chain_unknown;
  std::optional<absl::StatusOr<uint64_t>> head;
  absl::Duration head_duration;
  std::string chain_id;  // expected chain id, when known
  std::string hub;       // expected hub address, when known (chain-gateway)
  // Why chain-gateway could not say what the pool's chain is (id, hub), ""
  // when it could or was not asked.
  std::string chain_info_unknown;
  std::map<std::string, absl::StatusOr<Balances>> balances;  // by wallet name
  // The pool's swarm stacks as their managers listed them.
  std::vector<
      std::pair<v1::SwarmStack, absl::StatusOr<std::vector<SwarmServiceState>>>>
      swarm;
};

// What the model remembers about a pool between rounds.
struct PoolMemory {
  std::map<std::string, absl::Time> worker_last_seen;   // answered its probe
  std::map<std::string, absl::Time> worker_down_since;  // first failed probe
  uint64_t rounds = 0;
};

inline constexpr uint32_t kDefaultMaxHeadLagBlocks = 20;
// A certificate expiring sooner degrades its component.
inline constexpr absl::Duration kCertExpiryWarning = absl::Hours(24 * 14);

v1::PoolStatus EvaluatePool(const PoolEndpoints& endpoints,
                            const PoolObservations& obs, PoolMemory* memory);

using v1::HealthName;  // "ok", "degraded", "down", "unknown"

// "3 min", "45 s", "2 h": how long ago, for people.
std::string Ago(absl::Duration d);

}  // namespace poolops::monitor
