// Where the monitor reads a pool's Docker Swarm stacks: the docker CLI on
// this machine, asking the stack's manager (DOCKER_HOST in the child's
// environment, never argv). Tests give a fake.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/process_runner.h"
#include "libs/common/swarm_listing.h"
#include "poolops/monitor/v1/monitor.pb.h"

namespace poolops::monitor {

class SwarmSource {
 public:
  virtual ~SwarmSource() = default;
  // Unavailable when the manager cannot be asked (and why).
  virtual absl::StatusOr<std::vector<SwarmServiceState>> Stack(
      const v1::SwarmStack& stack, absl::Duration timeout) = 0;
};

class DockerSwarmSource : public SwarmSource {
 public:
  explicit DockerSwarmSource(proc::ProcessRunner* runner) : runner_(runner) {}
  absl::StatusOr<std::vector<SwarmServiceState>> Stack(
      const v1::SwarmStack& stack, absl::Duration timeout) override;

 private:
  proc::ProcessRunner* runner_;
};

}  // namespace poolops::monitor
