// Arbitrary bytes as what a pool's endpoints answer: the core's /metrics
// (every version), Probe's json_fields, actuator health, the adapter's
// /config/chain, grafana's /api/health and the market orderbook. Must never
// crash, hang or allocate without bound. Accepted: one of those parsers
// (Probe's json_fields aside) takes the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/iexec/core_metrics.h"
#include "tests/fuzz/fuzz_target.h"

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  namespace m = poolops::iexec;
  auto core = m::ParseCoreMetrics(body);
  if (core.ok() && (core->alive_workers < 0 || core->cpu_total < 0 ||
                    core->cpu_available < 0)) {
    __builtin_trap();  // counts are never negative
  }
  (void)m::JsonFieldValues(
      body, {"aliveWorkers", "aliveTotalCpu", "aliveAvailableCpu",
             "aliveAvailableGpu", "latestBlockMetric"});
  bool actuator = m::ParseActuatorHealth(body).ok();
  bool adapter = m::ParseAdapterChainConfig(body).ok();
  bool grafana = m::ParseGrafanaHealth(body).ok();
  bool orderbook = m::ParseOrderbook(body).ok();
  return core.ok() || actuator || adapter || grafana || orderbook;
}
