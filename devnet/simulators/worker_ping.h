// What a worker simulator sends on POST /workers/ping. The real worker
// authenticates with a JWT from /workers/login and was registered with its
// CPU count beforehand; the simulator folds both into one JSON body:
//   {"walletAddress":"0x<40 hex>","cpuNb":2,"gpuEnabled":false}
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace poolops::sim {

struct WorkerPing {
  std::string wallet_address;  // lower-cased, 0x-prefixed
  int cpu_nb = 0;
  bool gpu_enabled = false;
};

absl::StatusOr<WorkerPing> ParseWorkerPing(const std::string& body);
std::string WorkerPingJson(const WorkerPing& ping);

}  // namespace poolops::sim
