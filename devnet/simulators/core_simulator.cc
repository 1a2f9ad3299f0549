#include "devnet/simulators/core_simulator.h"

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "devnet/simulators/core_v9_config.h"
#include "devnet/simulators/platform_metric_v9.h"

namespace poolops::sim {
namespace {

absl::StatusOr<std::string> UrlFromEnv(const Env& env,
                                       const std::string& prefix,
                                       const std::string& host, int port) {
  absl::StatusOr<int> p = EnvInt(env, prefix + "_PORT", port);
  if (!p.ok()) return p.status();
  return absl::StrCat(EnvOr(env, prefix + "_PROTOCOL", "http"), "://",
                      EnvOr(env, prefix + "_HOST", host), ":", *p);
}

HttpResponse Json(int status, const nlohmann::json& json) {
  return {status, "application/json", json.dump()};
}

}  // namespace

absl::StatusOr<CoreConfig> CoreConfigFromEnv(const Env& env) {
  absl::StatusOr<SimStack> stack = StackFromEnv(env);
  if (!stack.ok()) return stack.status();
  if (*stack == SimStack::kV93) return CoreV9ConfigFromEnv(env);
  CoreConfig c;
  c.stack = *stack;
  absl::StatusOr<int> port = EnvInt(env, "IEXEC_CORE_PORT", 13000);
  if (!port.ok()) return port.status();
  c.port = *port;
  c.version = EnvOr(env, "POOLOPS_SIM_VERSION", c.version);
  c.pool_address =
      EnvOr(env, "POOL_ADDRESS", "0x365E7BABAa85eC61Dffe5b520763062e6C29dA27");
  c.required_worker_version =
      EnvOr(env, "IEXEC_CORE_REQUIRED_WORKER_VERSION", "");
  absl::StatusOr<std::string> adapter =
      UrlFromEnv(env, "IEXEC_CORE_CHAIN_ADAPTER", "blockchain-adapter", 13010);
  if (!adapter.ok()) return adapter.status();
  c.chain_adapter_url = *adapter;
  absl::StatusOr<std::string> result =
      UrlFromEnv(env, "IEXEC_RESULT_REPOSITORY", "localhost", 13200);
  if (!result.ok()) return result.status();
  c.result_repository_url = *result;
  absl::StatusOr<std::string> sms =
      UrlFromEnv(env, "IEXEC_SMS", "localhost", 13300);
  if (!sms.ok()) return sms.status();
  c.sms_url = *sms;
  absl::StatusOr<int> ask = EnvInt(env, "IEXEC_ASK_REPLICATE_PERIOD", 5000);
  if (!ask.ok()) return ask.status();
  c.ask_replicate_period_ms = *ask;
  c.wallet_path =
      EnvOr(env, "IEXEC_CORE_WALLET_PATH",
            "./src/main/resources/wallet/encrypted-wallet_scheduler.json");
  return c;
}

CoreSimulator::CoreSimulator(CoreConfig config, std::string scheduler_address,
                             const Clock* clock)
    : config_(std::move(config)),
      scheduler_address_(std::move(scheduler_address)),
      registry_(clock) {}

std::string CoreSimulator::WorkersConfigJson() const {
  nlohmann::ordered_json json;
  if (config_.stack == SimStack::kV93) {
    // 9.0.0 dropped blockchainAdapterUrl and smsURL: workers read the chain
    // from the config server instead.
    json["workerPoolAddress"] = config_.pool_address;
    json["schedulerPublicAddress"] = scheduler_address_;
    json["configServerUrl"] = config_.config_server_url;
    json["resultRepositoryURL"] = config_.result_repository_url;
    json["askForReplicatePeriod"] = config_.ask_replicate_period_ms;
    json["requiredWorkerVersion"] = config_.required_worker_version;
    return json.dump();
  }
  json["workerPoolAddress"] = config_.pool_address;
  json["schedulerPublicAddress"] = scheduler_address_;
  json["blockchainAdapterUrl"] = config_.chain_adapter_url;
  json["resultRepositoryURL"] = config_.result_repository_url;
  json["smsURL"] = config_.sms_url;
  json["askForReplicatePeriod"] = config_.ask_replicate_period_ms;
  json["requiredWorkerVersion"] = config_.required_worker_version;
  return json.dump();
}

std::string CoreSimulator::MetricsJson() const {
  PlatformMetric metric = registry_.Metrics();
  if (activity_) activity_(&metric);
  if (config_.stack != SimStack::kV93) {
    return PlatformMetricJson(metric);
  }
  return PlatformMetricV9Json(
      metric, latest_block_ ? latest_block_() : std::optional<LatestBlock>());
}

HttpResponse CoreSimulator::Handle(const HttpRequest& request) {
  const std::string& path = request.path;
  if (request.method == "GET") {
    if (path == "/metrics") {
      return {200, "application/json", MetricsJson()};
    }
    if (path == "/actuator/health") return Json(200, {{"status", "UP"}});
    if (path == "/version") return {200, "text/plain", config_.version};
    if (path == "/workers/config") {
      return {200, "application/json", WorkersConfigJson()};
    }
    if (path == "/replicates/available") {
      // As the real core: work only for a registered worker that is alive
      // (its pings; the real one also checks the worker's JWT).
      if (!registry_.IsAlive(QueryParam(request.query, "walletAddress"))) {
        return Json(401,
                    {{"status", 401}, {"error", "unknown or dead worker"}});
      }
      return replicates_ ? replicates_(request)
                         : HttpResponse{204, "application/json", ""};
    }
  }
  if (request.method == "POST" && path == "/workers/ping") {
    absl::StatusOr<WorkerPing> ping = ParseWorkerPing(request.body);
    if (!ping.ok()) {
      return {400, "text/plain", std::string(ping.status().message())};
    }
    registry_.Ping(*ping);
    std::fprintf(stderr,
                 "[core simulator] ping from worker %s (cpuNb=%d gpu=%s)\n",
                 ping->wallet_address.c_str(), ping->cpu_nb,
                 ping->gpu_enabled ? "true" : "false");
    // The session id: since core 7.2.1 a hash of the public configuration,
    // so that workers register again (and check their version) only when
    // it changes.
    return {
        200, "text/plain",
        absl::StrCat("simulator-session-",
                     absl::Hex(std::hash<std::string>{}(WorkersConfigJson())))};
  }
  return {
      404, "application/json",
      nlohmann::json{{"status", 404}, {"error", "Not Found"}, {"path", path}}
          .dump()};
}

}  // namespace poolops::sim
