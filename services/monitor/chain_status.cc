// The chain: its head block, and the core's lag behind it.
#include "absl/strings/str_cat.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

void EvaluateChain(const PoolEndpoints& endpoints, const PoolObservations& obs,
                   const std::optional<CoreMetrics>& core,
                   v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  if (obs.head) {
    ProbeResult probe;
    probe.mutable_spec()->set_prober(v1::ProbeSpec::PROBER_HTTP);
    probe.mutable_spec()->set_target(obs.rpc);
    probe.set_probed_at(Rfc3339(now));
    probe.set_probe_duration_seconds(absl::ToDoubleSeconds(obs.head_duration));
    Component* c = nullptr;
    if (!obs.head->ok()) {
      probe.set_probe_failed_due_to(
          absl::IsDeadlineExceeded(obs.head->status()) ? "timeout" : "rpc");
      c = Add(status, "chain", v1::HEALTH_DOWN,
              absl::StrCat("chain node not answering: ",
                           obs.head->status().message()),
              now);
    } else {
      probe.set_probe_success(true);
      uint64_t head = **obs.head;
      uint32_t max_lag = endpoints.max_head_lag_blocks()
                             ? endpoints.max_head_lag_blocks()
                             : kDefaultMaxHeadLagBlocks;
      std::string lag_text;
      Health h = v1::HEALTH_OK;
      if (core && core->latest_block) {
        uint64_t lag =
            head > *core->latest_block ? head - *core->latest_block : 0;
        lag_text = absl::StrCat("; the core is ", lag, " blocks behind");
        if (lag > max_lag) {
          h = v1::HEALTH_DEGRADED;
          absl::StrAppend(&lag_text, " (more than ", max_lag,
                          ": it may miss new deals)");
        }
        (*probe.mutable_values())["headLag"] = absl::StrCat(lag);
      } else if (core) {
        lag_text = absl::StrCat("; the core's own block is not known (core ",
                                core->generation,
                                " /metrics do not carry it; 9.x do)");
      }
      c = Add(status, "chain", h, absl::StrCat("head block ", head, lag_text),
              now);
      (*c->mutable_values())["headBlock"] = absl::StrCat(head);
      if (auto lag = probe.values().find("headLag");
          lag != probe.values().end()) {
        (*c->mutable_values())["headLag"] = lag->second;
      }
    }
    *c->add_probes() = std::move(probe);
  } else if (!obs.chain_unknown.empty()) {
    Add(status, "chain", v1::HEALTH_DEGRADED,
        absl::StrCat("chain unknown: ", obs.chain_unknown), now,
        /*known=*/false);
  }
}

}  // namespace poolops::monitor
