// Grafana: dashboards only, so it never takes the pool down.
#include "absl/strings/str_cat.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

void EvaluateGrafana(const PoolObservations& obs, v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  if (obs.grafana) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.grafana, &probe, now);
    Component* c = nullptr;
    if (!v.ok) {
      c = Add(status, "grafana", v1::HEALTH_DEGRADED, v.reason, now);
    } else if (absl::StatusOr<GrafanaHealth> g =
                   ParseGrafanaHealth(obs.grafana->response.body);
               !g.ok()) {
      ParseFailed(&probe);
      c = Add(status, "grafana", v1::HEALTH_DEGRADED,
              absl::StrCat(obs.grafana->url, ": ", g.status().message()), now);
    } else if (g->database != "ok") {
      c = Add(status, "grafana", v1::HEALTH_DEGRADED,
              absl::StrCat("grafana database ", g->database), now);
    } else {
      c = Add(status, "grafana", v1::HEALTH_OK,
              absl::StrCat("grafana ", g->version, " answers, database ok"),
              now);
    }
    *c->add_probes() = std::move(probe);
  }
}

}  // namespace poolops::monitor
