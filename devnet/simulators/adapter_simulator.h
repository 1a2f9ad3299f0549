// The iexec-blockchain-adapter-api 7.1.1 simulator: GET /config/chain from
// the adapter's environment (STACKS.md 7.1, 7.3).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/sim_env.h"

namespace poolops::sim {

struct ChainConfig {
  int port = 13010;  // IEXEC_BLOCKCHAIN_ADAPTER_API_PORT
  int chain_id = 65535;
  bool sidechain = false;
  std::string node_address = "http://localhost:8545";
  std::string hub_address = "0xBF6B2B07e47326B7c8bfCb4A5460bef9f0Fd2002";
  int block_time_seconds = 1;
};

absl::StatusOr<ChainConfig> ChainConfigFromEnv(const Env& env);
// {"chainId":..,"sidechain":..,"chainNodeUrl":..,"iexecHubContractAddress":..,
//  "blockTime":"PT5S"} (Spring Boot writes Durations as ISO-8601).
std::string ChainConfigJson(const ChainConfig& config);
HttpResponse HandleAdapter(const ChainConfig& config,
                           const HttpRequest& request);

}  // namespace poolops::sim
