#include "devnet/simulators/core_v9_config.h"

#include "devnet/simulators/spring_values.h"

namespace poolops::sim {

const std::vector<V8OnlyVariable>& CoreV8OnlyVariables() {
  static const auto* variables = [] {
    auto* v = new std::vector<V8OnlyVariable>{
        {"IEXEC_PRIVATE_CHAIN_ADDRESS", "use IEXEC_BLOCKCHAIN_NODE_ADDRESS"}};
    for (const char* part : {"PROTOCOL", "HOST", "PORT"}) {
      v->push_back({std::string("IEXEC_CORE_CHAIN_ADAPTER_") + part,
                    "use IEXEC_CORE_CHAIN_ADAPTER_URL"});
    }
    for (const char* part : {"PROTOCOL", "HOST", "PORT"}) {
      v->push_back({std::string("IEXEC_RESULT_REPOSITORY_") + part,
                    "use IEXEC_RESULT_REPOSITORY_URL"});
    }
    v->push_back({"IEXEC_CHAIN_HEALTH_POLLING_INTERVAL_IN_BLOCKS",
                  "removed in 9.x, nothing replaces it"});
    v->push_back({"IEXEC_CHAIN_HEALTH_OUT_OF_SERVICE_THRESHOLD",
                  "removed in 9.x; CHAIN_OUTOFSERVICETHRESHOLD, a duration "
                  "such as PT15S, replaces it"});
    for (const char* part : {"PROTOCOL", "HOST", "PORT"}) {
      v->push_back({std::string("IEXEC_SMS_") + part,
                    "removed in 9.x; the core reads its SMS URLs as "
                    "SMS_SCONE, SMS_GRAMINE, SMS_TDX"});
    }
    return v;
  }();
  return *variables;
}

absl::StatusOr<CoreConfig> CoreV9ConfigFromEnv(const Env& env) {
  absl::Status refused =
      RefuseV8OnlyVariables(env, "iexec-core 9.3", CoreV8OnlyVariables());
  if (!refused.ok()) return refused;
  CoreConfig c;
  c.stack = SimStack::kV93;
  c.version = EnvOr(env, "POOLOPS_SIM_VERSION", "9.3.0");
  absl::StatusOr<int> port = EnvInt(env, "IEXEC_CORE_PORT", 13000);
  if (!port.ok()) return port.status();
  c.port = *port;
  absl::StatusOr<std::string> pool = EnvNonZeroAddress(env, "POOL_ADDRESS", "");
  if (!pool.ok()) return pool.status();
  c.pool_address = *pool;
  c.wallet_path =
      EnvOr(env, "IEXEC_CORE_WALLET_PATH",
            "./src/main/resources/wallet/encrypted-wallet_scheduler.json");
  struct UrlVariable {
    const char* name;
    const char* fallback;  // "": required
    UrlSchemes schemes;
    std::string* out;
  };
  for (const UrlVariable& u : {
           UrlVariable{"IEXEC_BLOCKCHAIN_NODE_ADDRESS", "",
                       UrlSchemes::kHttpOrHttps, &c.blockchain_node_address},
           UrlVariable{"IEXEC_CORE_CHAIN_ADAPTER_URL", "http://localhost:13010",
                       UrlSchemes::kHttpOrHttps, &c.chain_adapter_url},
           UrlVariable{"IEXEC_CONFIG_SERVER_URL", "", UrlSchemes::kHttpOnly,
                       &c.config_server_url},
           UrlVariable{"IEXEC_RESULT_REPOSITORY_URL", "http://localhost:13200",
                       UrlSchemes::kHttpOrHttps, &c.result_repository_url},
       }) {
    absl::StatusOr<std::string> url =
        EnvUrl(env, u.name, u.fallback, u.schemes);
    if (!url.ok()) return url.status();
    *u.out = *url;
  }
  absl::StatusOr<int> ask = EnvInt(env, "IEXEC_ASK_REPLICATE_PERIOD", 5000);
  if (!ask.ok()) return ask.status();
  c.ask_replicate_period_ms = *ask;
  c.required_worker_version =
      EnvOr(env, "IEXEC_CORE_REQUIRED_WORKER_VERSION", "");
  absl::StatusOr<double> gas =
      EnvPositiveDecimal(env, "IEXEC_GAS_PRICE_MULTIPLIER", 1.0);
  if (!gas.ok()) return gas.status();
  c.gas_price_multiplier = *gas;
  absl::StatusOr<int64_t> start =
      EnvNonNegativeInt64(env, "IEXEC_START_BLOCK_NUMBER", 0);
  if (!start.ok()) return start.status();
  c.start_block_number = *start;
  return c;
}

}  // namespace poolops::sim
