// Builds the simulator images with the docker CLI: poolops-sim/<role>:<tag>,
// one per role, all FROM scratch with the same static binary.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/process_runner.h"

namespace poolops::sim {

std::string SimulatorImageName(const std::string& role, const std::string& tag);

struct ImageBuildOptions {
  std::string docker = "docker";
  std::string binary;      // the static poolops-stack-sim
  std::string dockerfile;  // simulators/Dockerfile
  std::string tag = "dev";
  std::vector<std::string> roles;  // empty: every role
};

// Stages binary + Dockerfile in a temporary context and builds each image
// with DOCKER_BUILDKIT=0 (the legacy builder: no buildx here).
absl::Status BuildSimulatorImages(const ImageBuildOptions& options,
                                  proc::ProcessRunner* runner);

}  // namespace poolops::sim
