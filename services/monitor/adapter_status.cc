// The blockchain adapter: its chain config (or actuator health).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

void EvaluateAdapter(const PoolObservations& obs, v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  if (obs.adapter) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.adapter, &probe, now);
    Component* c = nullptr;
    bool config_path = absl::EndsWith(obs.adapter->url, "/config/chain");
    if (!v.ok) {
      c = Add(status, "blockchain-adapter", v1::HEALTH_DOWN, v.reason, now);
    } else if (config_path) {
      absl::StatusOr<AdapterChainConfig> cc =
          ParseAdapterChainConfig(obs.adapter->response.body);
      if (!cc.ok()) {
        ParseFailed(&probe);
        c = Add(status, "blockchain-adapter", v1::HEALTH_DOWN,
                absl::StrCat(obs.adapter->url, ": ", cc.status().message()),
                now);
      } else if (!obs.chain_id.empty() &&
                 absl::StrCat(cc->chain_id) != obs.chain_id) {
        c = Add(status, "blockchain-adapter", v1::HEALTH_DEGRADED,
                absl::StrCat("adapter serves chain ", cc->chain_id,
                             " but the pool's chain is ", obs.chain_id,
                             ": workers would get the wrong chain"),
                now);
      } else {
        c = Add(status, "blockchain-adapter", v1::HEALTH_OK,
                absl::StrCat("adapter answers for chain ", cc->chain_id,
                             cc->sidechain ? " (sidechain)" : "", ", hub ",
                             cc->hub.substr(0, 42)),
                now);
      }
      if (cc.ok()) {
        (*c->mutable_values())["chainId"] = absl::StrCat(cc->chain_id);
        (*c->mutable_values())["hub"] = cc->hub.substr(0, 42);
      }
    } else {
      absl::StatusOr<std::string> s =
          ParseActuatorHealth(obs.adapter->response.body);
      if (!s.ok()) {
        ParseFailed(&probe);
        c = Add(status, "blockchain-adapter", v1::HEALTH_DOWN,
                absl::StrCat(obs.adapter->url, ": ", s.status().message()),
                now);
      } else {
        c = Add(status, "blockchain-adapter",
                *s == "UP" ? v1::HEALTH_OK : v1::HEALTH_DOWN,
                absl::StrCat("adapter health ", *s), now);
      }
    }
    *c->add_probes() = std::move(probe);
  }
}

}  // namespace poolops::monitor
