// A rendered compose bundle made into a Docker Swarm stack (docker stack
// deploy): what compose reads from .env is written into the files (stack
// deploy reads no .env), every service on the swarm's `host` network,
// placed by the spec, restarted and rolled by the swarm; the bundle's own
// files become swarm secrets (0600 ones: wallets) and configs, since a task
// may run on a node that has none of them. Pure: no I/O.
#pragma once

#include <map>
#include <string>

#include "absl/status/status.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/renderer.h"

namespace poolops::orchestrator {

// In a swarm bundle: "<service> <hash>" lines, the poolops.spec label each
// service of the stack carries when it runs what was deployed.
inline constexpr char kSwarmServicesFile[] = "swarm-services.txt";

struct SwarmStackOptions {
  // By compose service name; services not named get `placement`.
  std::map<std::string, v1::PoolSpec::Placement> placement_of;
  v1::PoolSpec::Placement placement;
  // update_config.parallelism: the spec's rollout.workers_at_once.
  uint32_t parallelism = 1;
};

// Rewrites `bundle` in place: its compose files (0600 now: they hold the
// values .env held), no .env. InvalidArgument naming the service for what a
// swarm cannot run: a bind mount of a path outside the bundle that is not
// absolute, a variable required (${X:?}) without a value.
absl::Status ToSwarmStack(Bundle* bundle, const SwarmStackOptions& options);

// Compose's interpolation of `text` with `values`: $X, ${X}, ${X:-d},
// ${X-d}, ${X:?e}, ${X?e}, and $$ for a dollar. InvalidArgument for a
// required variable without a value or a malformed reference.
absl::StatusOr<std::string> Interpolate(
    const std::string& text, const std::map<std::string, std::string>& values);

// The placement constraints docker reads ("node.id == x", "node.hostname
// == x", "node.labels.k == v"). A node that looks like a swarm node ID
// (25 lower-case letters and digits) is matched by ID, anything else by
// hostname.
std::vector<std::string> PlacementConstraints(
    const v1::PoolSpec::Placement& placement);

}  // namespace poolops::orchestrator
