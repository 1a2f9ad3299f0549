// iexec-core 9.3's environment (application.yml at v9.3.0), read stricter
// than the real core: the v8 names it ignores are refused, and so are the
// values its validation (or the devnet) would trip on.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/sim_stack.h"

namespace poolops::sim {

// IEXEC_PRIVATE_CHAIN_ADDRESS, IEXEC_CORE_CHAIN_ADAPTER_{PROTOCOL,HOST,PORT},
// IEXEC_RESULT_REPOSITORY_{PROTOCOL,HOST,PORT},
// IEXEC_CHAIN_HEALTH_{POLLING_INTERVAL_IN_BLOCKS,OUT_OF_SERVICE_THRESHOLD},
// IEXEC_SMS_{PROTOCOL,HOST,PORT}.
const std::vector<V8OnlyVariable>& CoreV8OnlyVariables();

// Required: POOL_ADDRESS (non-zero), IEXEC_BLOCKCHAIN_NODE_ADDRESS (http(s)),
// IEXEC_CONFIG_SERVER_URL (http: the simulator reads it). Optional:
// IEXEC_CORE_PORT, IEXEC_CORE_WALLET_PATH, IEXEC_CORE_CHAIN_ADAPTER_URL,
// IEXEC_RESULT_REPOSITORY_URL, IEXEC_ASK_REPLICATE_PERIOD,
// IEXEC_CORE_REQUIRED_WORKER_VERSION, IEXEC_GAS_PRICE_MULTIPLIER (> 0),
// IEXEC_START_BLOCK_NUMBER (>= 0).
absl::StatusOr<CoreConfig> CoreV9ConfigFromEnv(const Env& env);

}  // namespace poolops::sim
