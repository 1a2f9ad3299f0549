// The core: its /metrics (which the workers and chain evaluators read too)
// and its actuator health.
#include "absl/strings/str_cat.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

std::optional<CoreMetrics> EvaluateCoreMetrics(const PoolObservations& obs,
                                               v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  std::optional<CoreMetrics> core;
  if (obs.core_metrics) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.core_metrics, &probe, now);
    Component* c = nullptr;
    if (!v.ok) {
      c = Add(status, "core", v1::HEALTH_DOWN,
              absl::StrCat("core not serving its metrics: ", v.reason), now);
    } else if (absl::StatusOr<CoreMetrics> m =
                   ParseCoreMetrics(obs.core_metrics->response.body);
               !m.ok()) {
      ParseFailed(&probe);
      c = Add(status, "core", v1::HEALTH_DOWN,
              absl::StrCat(obs.core_metrics->url,
                           " is not an iexec-core "
                           "/metrics: ",
                           m.status().message()),
              now);
    } else {
      core = *m;
      c = Add(status, "core", v1::HEALTH_OK,
              absl::StrCat(
                  "core (", m->generation, " metrics) answers: ",
                  Plural(m->alive_workers, "alive worker", "alive workers"),
                  ", ", m->cpu_total, " CPUs (", m->cpu_available,
                  " available), ", m->gpu_total, " GPUs"),
              now);
      auto& values = *c->mutable_values();
      values["aliveWorkers"] = absl::StrCat(m->alive_workers);
      values["aliveTotalCpu"] = absl::StrCat(m->cpu_total);
      values["aliveAvailableCpu"] = absl::StrCat(m->cpu_available);
      values["aliveTotalGpu"] = absl::StrCat(m->gpu_total);
      values["aliveAvailableGpu"] = absl::StrCat(m->gpu_available);
      values["metricsGeneration"] = m->generation;
      if (m->completed_tasks) {
        values["completedTasks"] = absl::StrCat(*m->completed_tasks);
      }
      if (m->latest_block) {
        values["latestBlock"] = absl::StrCat(*m->latest_block);
      }
      if (m->latest_block_with_deal) {
        values["latestBlockNumberWithDeal"] =
            absl::StrCat(*m->latest_block_with_deal);
      }
    }
    *c->add_probes() = std::move(probe);
  }
  return core;
}

void EvaluateCoreHealth(const PoolObservations& obs, bool core_answers,
                        v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  if (obs.core_health) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.core_health, &probe, now);
    Component* c = nullptr;
    int code = obs.core_health->response.status_code;
    if (!v.ok && code == 404 && core_answers) {
      // Cores 7.0-7.2 serve the actuator on their unpublished management
      // port: /metrics answering is all the health they show.
      c = Add(status, "core/health", v1::HEALTH_OK,
              absl::StrCat("no actuator at ", obs.core_health->url,
                           " (404; cores 7.0-7.2 serve it on the unpublished "
                           "port 13001): /metrics answers, so the core is up "
                           "(--core-health none stops this probe)"),
              now, /*known=*/false);
    } else if (!v.ok && code == 503) {
      // Spring answers 503 with {"status":"DOWN"|"OUT_OF_SERVICE"}.
      absl::StatusOr<std::string> s =
          ParseActuatorHealth(obs.core_health->response.body);
      c = Add(status, "core/health", v1::HEALTH_DOWN,
              absl::StrCat("core reports ", s.ok() ? *s : std::string("503"),
                           " at ", obs.core_health->url,
                           s.ok() && *s == "OUT_OF_SERVICE"
                               ? " (it lost its chain connection and hands "
                                 "out no task)"
                               : ""),
              now);
    } else if (!v.ok) {
      c = Add(status, "core/health", v1::HEALTH_DOWN, v.reason, now);
    } else if (absl::StatusOr<std::string> s =
                   ParseActuatorHealth(obs.core_health->response.body);
               !s.ok()) {
      ParseFailed(&probe);
      c = Add(status, "core/health", v1::HEALTH_DOWN,
              absl::StrCat(obs.core_health->url, ": ", s.status().message()),
              now);
    } else if (*s == "UP") {
      c = Add(status, "core/health", v1::HEALTH_OK, "core health UP", now);
    } else {
      probe.set_probe_success(false);
      probe.set_probe_failed_due_to("health");
      c = Add(status, "core/health",
              *s == "DOWN" ? v1::HEALTH_DOWN : v1::HEALTH_DEGRADED,
              absl::StrCat("core health ", *s), now);
    }
    (*c->mutable_values())["healthStatus"] =
        code == 200 || code == 503
            ? ParseActuatorHealth(obs.core_health->response.body).value_or("")
            : "";
    *c->add_probes() = std::move(probe);
  }
}

}  // namespace poolops::monitor
