// A Docker Swarm stack's services as `docker` lists them: the script that
// asks (one round trip: services, their newest tasks, their update states,
// and optionally the bundle's deployed labels) and the parser of what it
// prints. Shared by the orchestrator (its gates) and the monitor (status).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace poolops {

// One service of a stack as the swarm sees it.
struct SwarmServiceState {
  std::string service;  // the compose name ("core", "worker0")
  int running = 0;
  int desired = 0;
  std::string node;   // where its newest task is (hostname)
  std::string state;  // that task's: "running", "pending", "rejected", ...
  std::string error;  // why it is not running, when the swarm says
  // The poolops.spec label it runs with, and the one deployed last (from
  // the bundle): they differ after the swarm rolled an update back.
  std::string spec;
  std::string deployed_spec;
  std::string update_state;  // "completed", "rollback_completed", ...
  std::string update_message;
  // Runs every replica of what was deployed: its newest task running, no
  // update under way (the spec changes at once, the tasks later: an old
  // task still counts as a replica), and the label deployed (the swarm's
  // own rollback puts the previous one back).
  // For people: "running on node-1", "pending: no suitable node (...)",
  // "ready on node-1 (update rollback_completed: rollback completed)".
  std::string Describe() const;
  bool Converged() const {
    const bool settled = update_state.empty() || update_state == "completed" ||
                         update_state == "rollback_completed";
    return desired > 0 && running >= desired &&
           (state.empty() || state == "running") && settled &&
           (deployed_spec.empty() || spec == deployed_spec);
  }
};

// The sh script that lists stack `project` through the docker CLI (the
// manager is the environment's DOCKER_HOST), then cats `deployed_file` when
// given (a file of the current folder). InvalidArgument for a project that
// is not a stack name (letters, digits, _ . -), which the script could not
// hold as a plain word.
absl::StatusOr<std::string> SwarmListingScript(
    const std::string& project, const std::string& deployed_file);

// What StackServices' script printed, in sections:
//   services: `docker service ls --format '{{.Name}}|{{.Replicas}}'`
//   tasks:    `docker stack ps --format '{{.Name}}|{{.Node}}|
//              {{.CurrentState}}|{{.Error}}|{{.DesiredState}}'`
//   updates:  `docker service inspect` as "name|label|state|message"
//   deployed: the bundle's swarm-services.txt ("service hash" lines)
struct StackListing {
  std::string services, tasks, updates, deployed;
};
StackListing SplitStackListing(const std::string& output);
std::vector<SwarmServiceState> ParseStackServices(const std::string& project,
                                                  const StackListing& out);

}  // namespace poolops
