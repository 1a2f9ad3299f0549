// iexec-worker 9.2.0: its environment (application.yml at v9.2.0), read
// stricter than the real worker, and what it does before its first ping:
// read the core's public configuration, then the chain config from the
// config server the core names.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "devnet/simulators/answer_wait.h"
#include "devnet/simulators/public_chain_config.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/sim_stack.h"
#include "devnet/simulators/worker_simulator.h"

namespace poolops::sim {

// IEXEC_CORE_{PROTOCOL,HOST,PORT} (-> IEXEC_CORE_URL), IEXEC_CORE_GRAYLOG_HOST.
const std::vector<V8OnlyVariable>& WorkerV8OnlyVariables();

// Required: IEXEC_CORE_URL (http), POOL_ADDRESS (not empty, 0x0 or the zero
// address: refused since worker 8.6.0). Optional: IEXEC_GAS_PRICE_MULTIPLIER
// (> 0, default 1.3), IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS (an
// http(s) URL), and ReadWorkerOwnVariables's.
absl::StatusOr<WorkerConfig> WorkerV9ConfigFromEnv(const Env& env,
                                                   int hardware_cpus);

// GET {IEXEC_CORE_URL}/workers/config; its workerPoolAddress must equal
// POOL_ADDRESS (in any case); then GET {configServerUrl}/config/chain,
// validated as the core validates it. Both wait while nothing answers.
absl::StatusOr<PublicChainConfig> WorkerV9Startup(const WorkerConfig& config,
                                                  const HttpGet& get,
                                                  const AnswerWait& wait);

}  // namespace poolops::sim
