// Builds the simulator images with the docker CLI: poolops-sim/<role>:<tag>,
// one per role, all FROM scratch with the same static binary.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace poolops::sim {

std::string SimulatorImageName(const std::string& role, const std::string& tag);

// Runs a command (argv[0] looked up on PATH) and returns its combined output.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual absl::StatusOr<std::string> Run(
      const std::vector<std::string>& argv) = 0;
  // fork/exec with DOCKER_BUILDKIT=0 (the legacy builder: no buildx here).
  static CommandRunner* Real();
};

struct ImageBuildOptions {
  std::string docker = "docker";
  std::string binary;      // the static poolops-stack-sim
  std::string dockerfile;  // simulators/Dockerfile
  std::string tag = "dev";
  std::vector<std::string> roles;  // empty: every role
};

// Stages binary + Dockerfile in a temporary context and builds each image.
absl::Status BuildSimulatorImages(const ImageBuildOptions& options,
                                  CommandRunner* runner);

}  // namespace poolops::sim
