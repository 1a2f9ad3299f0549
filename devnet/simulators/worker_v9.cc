#include "devnet/simulators/worker_v9.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/spring_values.h"

namespace poolops::sim {

const std::vector<V8OnlyVariable>& WorkerV8OnlyVariables() {
  static const auto* variables = new std::vector<V8OnlyVariable>{
      {"IEXEC_CORE_PROTOCOL", "use IEXEC_CORE_URL"},
      {"IEXEC_CORE_HOST", "use IEXEC_CORE_URL"},
      {"IEXEC_CORE_PORT", "use IEXEC_CORE_URL"},
      {"IEXEC_CORE_GRAYLOG_HOST", "removed in 9.x, nothing replaces it"},
  };
  return *variables;
}

absl::StatusOr<WorkerConfig> WorkerV9ConfigFromEnv(const Env& env,
                                                   int hardware_cpus) {
  absl::Status refused =
      RefuseV8OnlyVariables(env, "iexec-worker 9.2.0", WorkerV8OnlyVariables());
  if (!refused.ok()) return refused;
  WorkerConfig c;
  c.stack = SimStack::kV93;
  absl::StatusOr<std::string> core_url =
      EnvUrl(env, "IEXEC_CORE_URL", "", UrlSchemes::kHttpOnly);
  if (!core_url.ok()) return core_url.status();
  c.core_url = std::string(absl::StripSuffix(*core_url, "/"));
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(c.core_url);
  if (!url.ok()) return url.status();
  c.core_host = url->host;
  c.core_port = url->port;
  c.core_path = url->path == "/" ? "" : url->path;

  std::string pool = EnvOr(env, "POOL_ADDRESS", "");
  if (pool.empty() || absl::AsciiStrToLower(pool) == "0x0") {
    return absl::InvalidArgumentError(absl::StrCat(
        "POOL_ADDRESS='", pool,
        "': the workerpool address must be filled in (worker 8.6.0+ refuses "
        "an empty one and 0x0)"));
  }
  absl::StatusOr<std::string> address =
      EnvNonZeroAddress(env, "POOL_ADDRESS", "");
  if (!address.ok()) return address.status();
  c.pool_address = *address;

  absl::StatusOr<double> gas =
      EnvPositiveDecimal(env, "IEXEC_GAS_PRICE_MULTIPLIER", 1.3);
  if (!gas.ok()) return gas.status();
  c.gas_price_multiplier = *gas;
  const char* kOverride = "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS";
  c.override_blockchain_node_address = EnvOr(env, kOverride, "");
  if (!c.override_blockchain_node_address.empty()) {
    absl::Status ok = CheckUrl(kOverride, c.override_blockchain_node_address,
                               UrlSchemes::kHttpOrHttps);
    if (!ok.ok()) return ok;
  }
  absl::Status own = ReadWorkerOwnVariables(env, hardware_cpus, &c);
  if (!own.ok()) return own;
  return c;
}

absl::StatusOr<PublicChainConfig> WorkerV9Startup(const WorkerConfig& config,
                                                  const HttpGet& get,
                                                  const AnswerWait& wait) {
  const std::string url = absl::StrCat(config.core_url, "/workers/config");
  absl::StatusOr<std::string> body = GetBodyWhenAnswered(url, get, wait);
  if (!body.ok()) return body.status();
  nlohmann::json json = nlohmann::json::parse(*body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::FailedPreconditionError(
        absl::StrCat("GET ", url, ": not a JSON object"));
  }
  auto pool = json.find("workerPoolAddress");
  std::string core_pool =
      pool != json.end() && pool->is_string() ? pool->get<std::string>() : "";
  if (absl::AsciiStrToLower(core_pool) !=
      absl::AsciiStrToLower(config.pool_address)) {
    return absl::FailedPreconditionError(
        absl::StrCat("POOL_ADDRESS=", config.pool_address, " but the core at ",
                     config.core_url, " schedules workerpool '", core_pool,
                     "' (workerPoolAddress of /workers/config)"));
  }
  auto server = json.find("configServerUrl");
  if (server == json.end() || !server->is_string() ||
      server->get<std::string>().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("GET ", url,
                     " has no configServerUrl: a 9.x worker needs a 9.x core "
                     "(POOLOPS_SIM_STACK=v9.3 on the core as well)"));
  }
  std::string config_server = server->get<std::string>();
  absl::Status scheme =
      CheckUrl("configServerUrl", config_server, UrlSchemes::kHttpOnly);
  if (!scheme.ok()) return scheme;
  return FetchPublicChainConfig(config_server, get, wait);
}

}  // namespace poolops::sim
