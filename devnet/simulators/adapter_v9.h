// The iexec-blockchain-adapter-api 9.0.5 simulator: the adapter's 9.x
// environment (the chain under IEXEC_ names shared with the core) and its
// routes. 9.0.0 removed GET /config/chain: the config server serves it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/sim_stack.h"

namespace poolops::sim {

struct AdapterV9Config {
  int port = 13010;                      // IEXEC_BLOCKCHAIN_ADAPTER_API_PORT
  std::string mongo_host = "localhost";  // ..._MONGO_HOST
  int mongo_port = 13012;                // ..._MONGO_PORT
  std::string wallet_path;               // ..._WALLET_PATH (not read)
  int max_allowed_tx_per_block = 1;      // ..._MAX_ALLOWED_TX_PER_BLOCK, 1..8
  int64_t chain_id = 134;                // IEXEC_CHAIN_ID
  std::string node_address = "https://bellecour.iex.ec";
  bool sidechain = true;  // IEXEC_IS_SIDECHAIN
  std::string hub_address = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
  absl::Duration block_time = absl::Seconds(5);  // IEXEC_BLOCK_TIME
  double gas_price_multiplier = 1.0;             // IEXEC_GAS_PRICE_MULTIPLIER
  int64_t gas_price_cap = 22000000000;           // IEXEC_GAS_PRICE_CAP
};

// IEXEC_BLOCKCHAIN_ADAPTER_API_{NODE_ADDRESS,CHAIN_ID,IS_SIDECHAIN,
// HUB_ADDRESS,BLOCK_TIME,GAS_PRICE_MULTIPLIER,GAS_PRICE_CAP}.
const std::vector<V8OnlyVariable>& AdapterV8OnlyVariables();

// Defaults as 9.0.5's application.yml; values validated as its ChainConfig
// (block time 100ms..20s, where a bare number is milliseconds).
absl::StatusOr<AdapterV9Config> AdapterV9ConfigFromEnv(const Env& env);
std::string AdapterV9Summary(const AdapterV9Config& config);

// /actuator/health 200 UP; /config/chain 404 (gone in 9.0.0); anything
// else 401, as without the basic auth credentials.
HttpResponse HandleAdapterV9(const HttpRequest& request);

}  // namespace poolops::sim
