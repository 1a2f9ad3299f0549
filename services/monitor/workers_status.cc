// The workers: each with a health URL, then the count the core gives.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

void EvaluateWorkers(const PoolEndpoints& endpoints,
                     const PoolObservations& obs,
                     const std::optional<CoreMetrics>& core, PoolMemory* memory,
                     v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  std::vector<std::string> not_answering;
  int answering = 0;
  for (const v1::WorkerTarget& w : endpoints.workers()) {
    auto it = obs.worker_health.find(w.name());
    if (it == obs.worker_health.end()) continue;
    ProbeResult probe;
    HttpVerdict v = CheckHttp(it->second, &probe, now);
    std::string name = absl::StrCat("worker/", w.name());
    Component* c = nullptr;
    if (v.ok) {
      ++answering;
      memory->worker_last_seen[w.name()] = now;
      memory->worker_down_since.erase(w.name());
      c = Add(status, name, v1::HEALTH_OK,
              absl::StrCat(w.name(), " answers at ", it->second.url), now);
    } else {
      auto since = memory->worker_down_since.emplace(w.name(), now).first;
      auto seen = memory->worker_last_seen.find(w.name());
      std::string when =
          seen == memory->worker_last_seen.end()
              ? std::string("never seen answering")
              : absl::StrCat("last seen ", Ago(now - seen->second), " ago");
      std::string line = absl::StrCat(w.name(), " not answering (", when, "): ",
                                      it->second.response.failed_due_to.empty()
                                          ? v.reason
                                          : it->second.response.failed_due_to);
      not_answering.push_back(line);
      c = Add(status, name, v1::HEALTH_DEGRADED,
              absl::StrCat(line, "; probed ", it->second.url), now);
      (*c->mutable_values())["downSince"] = Rfc3339(since->second);
    }
    *c->add_probes() = std::move(probe);
  }
  uint32_t expected = endpoints.expected_workers() != 0
                          ? endpoints.expected_workers()
                          : static_cast<uint32_t>(endpoints.workers_size());
  if (core) {
    int64_t alive = core->alive_workers;
    std::string which =
        not_answering.empty()
            ? std::string()
            : absl::StrCat(": ", absl::StrJoin(not_answering, "; "));
    Component* c = nullptr;
    if (alive == 0 && (expected > 0 || endpoints.workers_size() == 0)) {
      c = Add(status, "workers", v1::HEALTH_DOWN,
              absl::StrCat("0", expected ? absl::StrCat(" of ", expected) : "",
                           " workers alive: no worker pinged the core in the "
                           "last minute",
                           which),
              now);
    } else if (expected == 0 || alive >= expected) {
      if (!not_answering.empty()) {
        c = Add(
            status, "workers", v1::HEALTH_DEGRADED,
            absl::StrCat(alive, expected ? absl::StrCat(" of ", expected) : "",
                         " workers alive by the core's count (a worker "
                         "counts for 1 min after its last ping), but ",
                         absl::StrJoin(not_answering, "; ")),
            now);
      } else {
        c = Add(status, "workers", v1::HEALTH_OK,
                expected == 0 ? Plural(alive, "worker alive", "workers alive")
                : alive > expected
                    ? absl::StrCat(alive, " workers alive (", expected,
                                   " expected)")
                    : absl::StrCat(alive, " of ", expected, " workers alive"),
                now);
      }
    } else {
      c = Add(status, "workers", v1::HEALTH_DEGRADED,
              absl::StrCat(alive, " of ", expected, " workers alive",
                           which.empty()
                               ? std::string(" (the core counts them; it does "
                                             "not say which are missing)")
                               : which),
              now);
    }
    (*c->mutable_values())["aliveWorkers"] = absl::StrCat(alive);
    (*c->mutable_values())["expectedWorkers"] = absl::StrCat(expected);
    if (!obs.worker_health.empty()) {
      (*c->mutable_values())["answeringWorkers"] = absl::StrCat(answering);
    }
  } else if (obs.core_metrics) {
    Add(status, "workers", v1::HEALTH_DEGRADED,
        absl::StrCat("unknown: the core's /metrics is unavailable (", expected,
                     " expected)"),
        now, /*known=*/false);
  }
}

}  // namespace poolops::monitor
