#include "devnet/simulators/adapter_simulator.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace poolops::sim {

absl::StatusOr<ChainConfig> ChainConfigFromEnv(const Env& env) {
  const std::string p = "IEXEC_BLOCKCHAIN_ADAPTER_API_";
  ChainConfig c;
  absl::StatusOr<int> port = EnvInt(env, p + "PORT", c.port);
  if (!port.ok()) return port.status();
  c.port = *port;
  absl::StatusOr<int> chain_id = EnvInt(env, p + "CHAIN_ID", c.chain_id);
  if (!chain_id.ok()) return chain_id.status();
  c.chain_id = *chain_id;
  absl::StatusOr<bool> sidechain =
      EnvBool(env, p + "IS_SIDECHAIN", c.sidechain);
  if (!sidechain.ok()) return sidechain.status();
  c.sidechain = *sidechain;
  c.node_address = EnvOr(env, p + "NODE_ADDRESS", c.node_address);
  c.hub_address = EnvOr(env, p + "HUB_ADDRESS", c.hub_address);
  absl::StatusOr<int> block_time =
      EnvInt(env, p + "BLOCK_TIME", c.block_time_seconds);
  if (!block_time.ok()) return block_time.status();
  if (*block_time < 1) {
    return absl::InvalidArgumentError(p + "BLOCK_TIME must be >= 1");
  }
  c.block_time_seconds = *block_time;
  return c;
}

std::string ChainConfigJson(const ChainConfig& c) {
  nlohmann::ordered_json json;
  json["chainId"] = c.chain_id;
  json["sidechain"] = c.sidechain;
  json["chainNodeUrl"] = c.node_address;
  json["iexecHubContractAddress"] = c.hub_address;
  json["blockTime"] = absl::StrCat("PT", c.block_time_seconds, "S");
  return json.dump();
}

HttpResponse HandleAdapter(const ChainConfig& config,
                           const HttpRequest& request) {
  if (request.method == "GET" && request.path == "/config/chain") {
    return {200, "application/json", ChainConfigJson(config)};
  }
  // Everything else needs basic auth on the real adapter.
  return {401, "application/json", R"({"status":401,"error":"Unauthorized"})"};
}

}  // namespace poolops::sim
