#include "devnet/simulators/adapter_v9.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "devnet/simulators/spring_values.h"

namespace poolops::sim {

const std::vector<V8OnlyVariable>& AdapterV8OnlyVariables() {
  static const auto* variables = [] {
    auto* v = new std::vector<V8OnlyVariable>;
    for (const char* part :
         {"NODE_ADDRESS", "CHAIN_ID", "IS_SIDECHAIN", "HUB_ADDRESS",
          "BLOCK_TIME", "GAS_PRICE_MULTIPLIER", "GAS_PRICE_CAP"}) {
      v->push_back({absl::StrCat("IEXEC_BLOCKCHAIN_ADAPTER_API_", part),
                    absl::StrCat("use IEXEC_", part)});
    }
    return v;
  }();
  return *variables;
}

absl::StatusOr<AdapterV9Config> AdapterV9ConfigFromEnv(const Env& env) {
  absl::Status refused = RefuseV8OnlyVariables(
      env, "iexec-blockchain-adapter-api 9.0.5", AdapterV8OnlyVariables());
  if (!refused.ok()) return refused;
  const std::string p = "IEXEC_BLOCKCHAIN_ADAPTER_API_";
  AdapterV9Config c;
  absl::StatusOr<int> port = EnvInt(env, p + "PORT", c.port);
  if (!port.ok()) return port.status();
  c.port = *port;
  c.mongo_host = EnvOr(env, p + "MONGO_HOST", c.mongo_host);
  absl::StatusOr<int> mongo_port = EnvInt(env, p + "MONGO_PORT", c.mongo_port);
  if (!mongo_port.ok()) return mongo_port.status();
  c.mongo_port = *mongo_port;
  c.wallet_path =
      EnvOr(env, p + "WALLET_PATH", "src/main/resources/wallet.json");
  absl::StatusOr<int> max_tx =
      EnvInt(env, p + "MAX_ALLOWED_TX_PER_BLOCK", c.max_allowed_tx_per_block);
  if (!max_tx.ok()) return max_tx.status();
  if (*max_tx < 1 || *max_tx > 8) {
    return absl::InvalidArgumentError(absl::StrCat(
        p, "MAX_ALLOWED_TX_PER_BLOCK=", *max_tx, ": must be within 1..8"));
  }
  c.max_allowed_tx_per_block = *max_tx;

  absl::StatusOr<int64_t> chain_id =
      EnvNonNegativeInt64(env, "IEXEC_CHAIN_ID", c.chain_id);
  if (!chain_id.ok()) return chain_id.status();
  if (*chain_id == 0) {
    return absl::InvalidArgumentError(
        "IEXEC_CHAIN_ID=0: must be greater than 0");
  }
  c.chain_id = *chain_id;
  absl::StatusOr<std::string> node =
      EnvUrl(env, "IEXEC_BLOCKCHAIN_NODE_ADDRESS", c.node_address,
             UrlSchemes::kHttpOrHttps);
  if (!node.ok()) return node.status();
  c.node_address = *node;
  absl::StatusOr<bool> sidechain =
      EnvBool(env, "IEXEC_IS_SIDECHAIN", c.sidechain);
  if (!sidechain.ok()) return sidechain.status();
  c.sidechain = *sidechain;
  absl::StatusOr<std::string> hub =
      EnvNonZeroAddress(env, "IEXEC_HUB_ADDRESS", c.hub_address);
  if (!hub.ok()) return hub.status();
  c.hub_address = *hub;
  absl::StatusOr<absl::Duration> block_time =
      EnvBlockTime(env, "IEXEC_BLOCK_TIME", c.block_time);
  if (!block_time.ok()) return block_time.status();
  c.block_time = *block_time;
  absl::StatusOr<double> gas = EnvPositiveDecimal(
      env, "IEXEC_GAS_PRICE_MULTIPLIER", c.gas_price_multiplier);
  if (!gas.ok()) return gas.status();
  c.gas_price_multiplier = *gas;
  absl::StatusOr<int64_t> cap =
      EnvNonNegativeInt64(env, "IEXEC_GAS_PRICE_CAP", c.gas_price_cap);
  if (!cap.ok()) return cap.status();
  c.gas_price_cap = *cap;
  return c;
}

std::string AdapterV9Summary(const AdapterV9Config& c) {
  return absl::StrCat("chain ", c.chain_id, " (sidechain ",
                      c.sidechain ? "true" : "false", ") at ", c.node_address,
                      ", hub ", c.hub_address, ", block time ",
                      absl::FormatDuration(c.block_time),
                      ", gas price multiplier ", c.gas_price_multiplier,
                      ", max ", c.max_allowed_tx_per_block, " tx per block");
}

HttpResponse HandleAdapterV9(const HttpRequest& request) {
  if (request.method == "GET" && request.path == "/actuator/health") {
    return {200, "application/json", R"({"status":"UP"})"};
  }
  if (request.path == "/config/chain") {
    return {404, "application/json",
            nlohmann::json{
                {"status", 404}, {"error", "Not Found"}, {"path", request.path}}
                .dump()};
  }
  return {401, "application/json", R"({"status":401,"error":"Unauthorized"})"};
}

}  // namespace poolops::sim
