// A pool's Docker Swarm stacks: where each service runs and its task state.
// A worker stack short of a service is DEGRADED (the others work); a core
// stack whose core service does not run is DOWN.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

void EvaluateSwarm(const PoolObservations& obs, v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  for (const auto& [stack, listed] : obs.swarm) {
    const std::string name = absl::StrCat("swarm/", stack.project());
    if (!listed.ok()) {
      Add(status, name, v1::HEALTH_DEGRADED,
          absl::StrCat("swarm state unknown: ", listed.status().message()), now,
          /*known=*/false);
      continue;
    }
    if (listed->empty()) {
      Add(status, name, v1::HEALTH_DOWN,
          "the stack has no service on the swarm (removed?)", now);
      continue;
    }
    std::vector<std::string> problems;
    bool core_down = false;
    for (const SwarmServiceState& s : *listed) {
      if (s.Converged()) continue;
      problems.push_back(absl::StrCat(s.service, " ", s.Describe()));
      core_down |= stack.role() == "core" && s.service == "core";
    }
    const v1::Health health = problems.empty() ? v1::HEALTH_OK
                              : core_down      ? v1::HEALTH_DOWN
                                               : v1::HEALTH_DEGRADED;
    const std::string detail =
        problems.empty()
            ? absl::StrCat(Plural(static_cast<int64_t>(listed->size()),
                                  "service", "services"),
                           " running")
            : absl::StrCat(problems.size(), " of ", listed->size(),
                           " not running: ", absl::StrJoin(problems, "; "));
    v1::Component* c = Add(status, name, health, detail, now);
    for (const SwarmServiceState& s : *listed) {
      (*c->mutable_values())[s.service] = s.Describe();
    }
    (*c->mutable_values())["role"] = stack.role();
  }
}

}  // namespace poolops::monitor
