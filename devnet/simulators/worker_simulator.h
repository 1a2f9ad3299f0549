// The iexec-worker 7.x simulator: reads the real worker's environment
// (STACKS.md 9.1) and pings the core every 10 s (PingService
// PING_RATE_IN_SECONDS); POOLOPS_SIM_PING_INTERVAL_MS shortens it for tests.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/worker_ping.h"

namespace poolops::sim {

struct WorkerConfig {
  std::string core_protocol = "http";   // IEXEC_CORE_PROTOCOL
  std::string core_host = "localhost";  // IEXEC_CORE_HOST
  int core_port = 13000;                // IEXEC_CORE_PORT
  std::string name = "worker";          // IEXEC_WORKER_NAME
  std::string wallet_path;              // IEXEC_WORKER_WALLET_PATH
  int cpu_nb = 1;  // IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT or max(n-1,1)
  bool gpu_enabled = false;  // IEXEC_WORKER_GPU_ENABLED
  absl::Duration ping_interval = absl::Seconds(10);
};

// hardware_cpus: what the machine has (the real worker's default is n-1).
absl::StatusOr<WorkerConfig> WorkerConfigFromEnv(const Env& env,
                                                 int hardware_cpus);

// Sends one request to the core: (method, path, body) -> response.
using CoreCaller = std::function<absl::StatusOr<HttpResponse>(
    const std::string&, const std::string&, const std::string&)>;
CoreCaller HttpCoreCaller(const WorkerConfig& config);

class WorkerSimulator {
 public:
  WorkerSimulator(WorkerConfig config, std::string wallet_address,
                  CoreCaller call_core);

  absl::Status PingOnce();
  // Pings now and then every ping_interval until stop is notified; failures
  // are logged and retried (the real worker restarts after 6 failures).
  void Run(absl::Notification* stop);

 private:
  WorkerConfig config_;
  WorkerPing ping_;
  CoreCaller call_core_;
};

}  // namespace poolops::sim
