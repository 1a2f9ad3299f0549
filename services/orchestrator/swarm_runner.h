// The compose runner's verbs on a swarm target (Target::SwarmHost): the
// docker CLI on the orchestrator's machine, talking to the manager
// (DOCKER_HOST, set in the script, never in argv), in the bundle's folder:
// `docker stack deploy` / `stack rm` / service states and logs.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/swarm_listing.h"
#include "services/orchestrator/compose_runner.h"
#include "services/orchestrator/target.h"

namespace poolops::orchestrator {

// The script prefix that points the docker CLI at the target's manager.
std::string SwarmEnv(const Target& target);

absl::Status StackDeploy(Target* target, const ComposeBundle& bundle);
// stack rm, then waits (up to a minute) for its services to be gone; with
// `remove_volumes` removes the stack's volumes on the manager node.
absl::Status StackRemove(Target* target, const ComposeBundle& bundle,
                         bool remove_volumes);
absl::StatusOr<std::vector<SwarmServiceState>> StackServices(
    Target* target, const ComposeBundle& bundle);
absl::StatusOr<std::string> StackLogs(Target* target,
                                      const ComposeBundle& bundle,
                                      const std::string& service, int lines);

using poolops::ParseStackServices;
using poolops::StackListing;
using poolops::SwarmServiceState;

}  // namespace poolops::orchestrator
