// The iexec-worker simulator: reads the real worker's environment (7.x:
// STACKS.md 9.1; 9.2.0: worker_v9.h) and pings the core every 10 s
// (PingService PING_RATE_IN_SECONDS); POOLOPS_SIM_PING_INTERVAL_MS shortens
// it for tests.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/sim_stack.h"
#include "devnet/simulators/worker_ping.h"

namespace poolops::sim {

struct WorkerConfig {
  SimStack stack = SimStack::kV71;      // POOLOPS_SIM_STACK
  std::string core_protocol = "http";   // IEXEC_CORE_PROTOCOL (9.3: _URL)
  std::string core_host = "localhost";  // IEXEC_CORE_HOST (9.3: _URL)
  int core_port = 13000;                // IEXEC_CORE_PORT (9.3: _URL)
  std::string core_path;        // 9.3: IEXEC_CORE_URL's path, "" for the root
  std::string name = "worker";  // IEXEC_WORKER_NAME
  std::string wallet_path;      // IEXEC_WORKER_WALLET_PATH
  int cpu_nb = 1;  // IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT or max(n-1,1)
  bool gpu_enabled = false;  // IEXEC_WORKER_GPU_ENABLED
  absl::Duration ping_interval = absl::Seconds(10);
  // The version the simulator plays (POOLOPS_SIM_VERSION: poolops sets the
  // worker image tag), checked against the core's requiredWorkerVersion.
  std::string version = "simulator";
  // 9.3 only.
  std::string core_url;               // IEXEC_CORE_URL
  std::string pool_address;           // POOL_ADDRESS
  double gas_price_multiplier = 1.3;  // IEXEC_GAS_PRICE_MULTIPLIER
  // IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS ("" when unset).
  std::string override_blockchain_node_address;
};

// By POOLOPS_SIM_STACK: the 7.x variables (v7.1, v8.3) or
// WorkerV9ConfigFromEnv. hardware_cpus: what the machine has (the real worker's
// default is n-1).
absl::StatusOr<WorkerConfig> WorkerConfigFromEnv(const Env& env,
                                                 int hardware_cpus);
// What every version reads the same way: IEXEC_WORKER_NAME,
// IEXEC_WORKER_WALLET_PATH, IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT,
// IEXEC_WORKER_GPU_ENABLED and POOLOPS_SIM_PING_INTERVAL_MS.
absl::Status ReadWorkerOwnVariables(const Env& env, int hardware_cpus,
                                    WorkerConfig* config);

// Sends one request to the core: (method, path, body) -> response.
using CoreCaller = std::function<absl::StatusOr<HttpResponse>(
    const std::string&, const std::string&, const std::string&)>;
CoreCaller HttpCoreCaller(const WorkerConfig& config);

class WorkerSimulator {
 public:
  WorkerSimulator(WorkerConfig config, std::string wallet_address,
                  CoreCaller call_core);

  // One ping. A new session id (the core restarted with another
  // configuration) makes the worker register again, which checks its
  // version: FailedPrecondition when the core requires another.
  absl::Status PingOnce();
  // At registration, as iexec-worker does: the core's requiredWorkerVersion,
  // when set, must be this worker's version ("Bad version! please upgrade
  // your iexec-worker"). A core that cannot be asked is not a refusal.
  absl::Status CheckRequiredVersion();
  // Checks the version, then pings now and every ping_interval until stop
  // is notified; ping failures are logged and retried (the real worker
  // restarts after 6). Returns the refusal that ends the worker.
  absl::Status Run(absl::Notification* stop);

 private:
  WorkerConfig config_;
  WorkerPing ping_;
  CoreCaller call_core_;
  std::string session_;  // the first session id the core answered
};

}  // namespace poolops::sim
