// Arbitrary bytes as what a pool's endpoints answer: the core's /metrics
// (every version), Probe's json_fields, actuator health, the adapter's
// /config/chain, grafana's /api/health and the market orderbook. Must never
// crash, hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/iexec/core_metrics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
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
  (void)m::ParseActuatorHealth(body);
  (void)m::ParseAdapterChainConfig(body);
  (void)m::ParseGrafanaHealth(body);
  (void)m::ParseOrderbook(body);
  return 0;
}
