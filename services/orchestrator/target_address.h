// A target as a spec writes it: "local:<path>",
// "ssh://[user@]host[:port]/absolute/path", host a DNS name, an IPv4
// address or an IPv6 address in brackets ("ssh://deploy@[::1]:2222/srv"),
// or a Docker Swarm manager: "swarm://local" (the orchestrator's own
// DOCKER_HOST), "swarm+unix:///path/docker.sock" or
// "swarm+ssh://[user@]host[:port]" (docker's own ssh transport).
// Every part is checked here so that no value can reach ssh as an option
// (a user or host starting with "-") or a remote shell as anything but a
// quoted word (control characters, newlines).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace poolops::orchestrator {

struct TargetAddress {
  enum class Kind { kLocal, kSsh, kSwarm };
  Kind kind = Kind::kLocal;
  std::string user;  // "" when the spec names none (ssh's default)
  std::string host;  // IPv6 without its brackets: "::1"
  int port = 22;
  std::string path;  // absolute for ssh; as written for local; swarm socket
  // Swarm: the DOCKER_HOST of the manager ("" for swarm://local,
  // "unix:///p", "ssh://u@h:p"): only ever passed in the environment.
  std::string docker_host;
  // The spec's form back ("ssh://u@[::1]:2222/p").
  std::string ToString() const;
};

// InvalidArgument naming the target and the part that is wrong.
absl::StatusOr<TargetAddress> ParseTarget(const std::string& text);

}  // namespace poolops::orchestrator
