// The chain configuration the 9.x core and workers read at start from the
// config server (iexec-common PublicChainConfig, GET /config/chain):
//   {"chainId":134,"sidechain":true,"chainNodeUrl":"http://...",
//    "iexecHubContractAddress":"0x...","blockTime":"PT5S"}
// validated as core 9.3's ChainConfig validates it.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "devnet/simulators/answer_wait.h"

namespace poolops::sim {

struct PublicChainConfig {
  int64_t chain_id = 0;
  bool sidechain = false;
  std::string chain_node_url;
  std::string hub_address;
  absl::Duration block_time;
};

// Every field present and of its JSON type; chainId > 0, chainNodeUrl an
// http(s) URL, iexecHubContractAddress a non-zero address, blockTime an
// ISO-8601 duration string within 100ms..20s. Errors name the field.
absl::StatusOr<PublicChainConfig> ParsePublicChainConfig(
    const std::string& json_text);

// GET {config_server_url}/config/chain (waiting while nothing answers),
// then ParsePublicChainConfig; errors name the URL.
absl::StatusOr<PublicChainConfig> FetchPublicChainConfig(
    const std::string& config_server_url, const HttpGet& get,
    const AnswerWait& wait);

}  // namespace poolops::sim
