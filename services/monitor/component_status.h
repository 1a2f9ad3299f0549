// The parts of the status model (status_model.h): one evaluator per
// component, each judging its observations and adding its components to the
// pool's status, and what they share (the verdict on an HTTP exchange, a new
// component). EvaluatePool composes them. Pure, like the model.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "libs/iexec/core_metrics.h"
#include "poolops/monitor/v1/monitor.pb.h"
#include "services/monitor/pool_endpoints.h"
#include "services/monitor/status_model.h"

namespace poolops::monitor {

// The stack's answers are parsed by libs/iexec.
using iexec::AdapterChainConfig;
using iexec::CoreMetrics;
using iexec::GrafanaHealth;
using iexec::OrderbookSummary;
using iexec::ParseActuatorHealth;
using iexec::ParseAdapterChainConfig;
using iexec::ParseCoreMetrics;
using iexec::ParseGrafanaHealth;
using iexec::ParseOrderbook;

// The core's /metrics ("core"); what it read, when it answered.
std::optional<CoreMetrics> EvaluateCoreMetrics(const PoolObservations& obs,
                                               v1::PoolStatus* status);
// The core's actuator health ("core/health"); `core_answers`: /metrics did.
void EvaluateCoreHealth(const PoolObservations& obs, bool core_answers,
                        v1::PoolStatus* status);
// Each worker with a health URL ("worker/<name>"), then the count ("workers").
void EvaluateWorkers(const PoolEndpoints& endpoints,
                     const PoolObservations& obs,
                     const std::optional<CoreMetrics>& core, PoolMemory* memory,
                     v1::PoolStatus* status);
// "blockchain-adapter".
void EvaluateAdapter(const PoolObservations& obs, v1::PoolStatus* status);
// "config-server": the chain it serves against the pool's chain.
void EvaluateConfigServer(const PoolEndpoints& endpoints,
                          const PoolObservations& obs, v1::PoolStatus* status);
// "grafana".
void EvaluateGrafana(const PoolObservations& obs, v1::PoolStatus* status);

void EvaluateSwarm(const PoolObservations& obs, v1::PoolStatus* status);
// "market"; the open orders, when the orderbook was read.
std::optional<OrderbookSummary> EvaluateMarket(const PoolObservations& obs,
                                               v1::PoolStatus* status);
// "chain": the head, and the core's lag behind it.
void EvaluateChain(const PoolEndpoints& endpoints, const PoolObservations& obs,
                   const std::optional<CoreMetrics>& core,
                   v1::PoolStatus* status);
// "wallet/<name>": balances and stake against what the pool (and its open
// orders) need.
void EvaluateWallets(const PoolEndpoints& endpoints,
                     const PoolObservations& obs,
                     const std::optional<OrderbookSummary>& book,
                     v1::PoolStatus* status);

// --- shared by the evaluators

std::string Rfc3339(absl::Time t);

inline v1::Health Worst(v1::Health a, v1::Health b) { return std::max(a, b); }

// The verdict on one HTTP exchange of a JSON endpoint, before parsing: did
// it answer 2xx, in full, with a JSON (or unlabelled) body? Fills `probe`.
struct HttpVerdict {
  bool ok = false;
  std::string reason;  // for people, names the URL
};
HttpVerdict CheckHttp(const ProbeOutcome& o, v1::ProbeResult* probe,
                      absl::Time at);

// The body did not parse: the probe fails after all.
void ParseFailed(v1::ProbeResult* probe);

// A new component of `status`, checked at `at`.
v1::Component* Add(v1::PoolStatus* status, std::string name, v1::Health health,
                   std::string detail, absl::Time at, bool known = true);

// "1 worker", "3 workers".
std::string Plural(int64_t n, std::string_view one, std::string_view many);

}  // namespace poolops::monitor
