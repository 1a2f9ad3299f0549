#include "devnet/simulators/role_runner.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "devnet/simulators/adapter_simulator.h"
#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/http_server.h"
#include "devnet/simulators/roles.h"
#include "devnet/simulators/wallet_address.h"
#include "devnet/simulators/worker_simulator.h"
#include "libs/common/clock.h"

namespace poolops::sim {
namespace {

void Log(const std::string& role, const std::string& line) {
  std::fprintf(stderr, "[%s simulator] %s\n", role.c_str(), line.c_str());
}

HttpResponse HealthUp(const HttpRequest& request) {
  if (request.path == "/actuator/health") {
    return {200, "application/json", R"({"status":"UP"})"};
  }
  return {404, "text/plain", "not found"};
}

HttpHandler PassiveHandler(const std::string& role, const Env& env) {
  if (role == "grafana") {
    std::string version = EnvOr(env, "POOLOPS_SIM_VERSION", "simulator");
    return [version](const HttpRequest& request) -> HttpResponse {
      if (request.path == "/api/health") {
        return {200, "application/json",
                nlohmann::json{{"commit", "poolops-simulator"},
                               {"database", "ok"},
                               {"version", version}}
                    .dump()};
      }
      return {200, "text/html", "<html><body>grafana simulator</body></html>"};
    };
  }
  if (role == "mongo-express" || role == "blockchain-adapter-mongo-express") {
    return [](const HttpRequest&) -> HttpResponse {
      return {200, "text/html",
              "<html><body>mongo-express simulator</body></html>"};
    };
  }
  return nullptr;  // mongo, mongodb-proxy: accept and close
}

absl::Status RunOrderPublisher(const Env& env, absl::Notification* stop) {
  std::string core_url = EnvOr(env, "CORE_URL", "http://core:13000");
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(core_url);
  if (!url.ok()) return url.status();
  absl::StatusOr<int> sleep = EnvInt(env, "CHECK_SLEEP_TIME", 30);
  if (!sleep.ok()) return sleep.status();
  absl::StatusOr<bool> gpu = EnvBool(env, "IS_GPU_POOL", false);
  if (!gpu.ok()) return gpu.status();
  Log("order-publisher",
      absl::StrCat("workerpool ", EnvOr(env, "WORKERPOOL", "?"), ", polling ",
                   core_url, "/metrics every ", *sleep,
                   " s (the simulator publishes no orders)"));
  do {
    absl::StatusOr<HttpResponse> r =
        HttpCall("GET", url->host, url->port, "/metrics", "", absl::Seconds(5));
    if (!r.ok()) {
      Log("order-publisher",
          absl::StrCat("core unreachable: ", r.status().ToString()));
      continue;
    }
    nlohmann::json metrics = nlohmann::json::parse(r->body, nullptr, false);
    const char* field = *gpu ? "aliveAvailableGpu" : "aliveAvailableCpu";
    if (metrics.is_object() && metrics.contains(field)) {
      Log("order-publisher",
          absl::StrCat("core ", field, "=", metrics[field].dump(),
                       ", aliveWorkers=", metrics.value("aliveWorkers", 0)));
    } else {
      Log("order-publisher", "unexpected /metrics answer");
    }
  } while (!stop->WaitForNotificationWithTimeout(absl::Seconds(*sleep)));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunRole(const std::string& role_name, const Env& env,
                     absl::Notification* stop) {
  absl::StatusOr<RoleSpec> role = FindRole(role_name);
  if (!role.ok()) return role.status();
  absl::StatusOr<int> port = RolePort(*role, env);
  if (!port.ok()) return port.status();
  std::string bind = EnvOr(env, "POOLOPS_SIM_BIND", "0.0.0.0");
  std::unique_ptr<CoreSimulator> core;
  std::unique_ptr<ChainConfig> chain;
  HttpHandler handler;

  if (role_name == "core") {
    absl::StatusOr<CoreConfig> config = CoreConfigFromEnv(env);
    if (!config.ok()) return config.status();
    absl::StatusOr<std::string> scheduler =
        ReadWalletAddress(config->wallet_path);
    if (!scheduler.ok()) {
      Log("core", absl::StrCat("no scheduler address: ",
                               scheduler.status().ToString()));
    }
    core = std::make_unique<CoreSimulator>(*config, scheduler.value_or(""),
                                           Clock::Real());
    handler = [c = core.get()](const HttpRequest& r) { return c->Handle(r); };
  } else if (role_name == "blockchain-adapter") {
    absl::StatusOr<ChainConfig> config = ChainConfigFromEnv(env);
    if (!config.ok()) return config.status();
    chain = std::make_unique<ChainConfig>(*config);
    Log(role_name, absl::StrCat("/config/chain: ", ChainConfigJson(*chain)));
    handler = [c = chain.get()](const HttpRequest& r) {
      return HandleAdapter(*c, r);
    };
  } else if (role_name == "worker") {
    handler = HealthUp;
  } else {
    handler = PassiveHandler(role_name, env);
  }

  std::unique_ptr<HttpServer> server;
  if (*port > 0) {
    absl::StatusOr<std::unique_ptr<HttpServer>> started =
        HttpServer::Start(bind, *port, handler);
    if (!started.ok()) return started.status();
    server = std::move(*started);
    Log(role_name, absl::StrCat("listening on ", bind, ":", server->port(),
                                " (", role->about, ")"));
  }

  if (role_name == "worker") {
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    absl::StatusOr<WorkerConfig> config =
        WorkerConfigFromEnv(env, cpus > 0 ? static_cast<int>(cpus) : 1);
    if (!config.ok()) return config.status();
    absl::StatusOr<std::string> wallet = ReadWalletAddress(config->wallet_path);
    if (!wallet.ok()) return wallet.status();
    WorkerSimulator worker(*config, *wallet, HttpCoreCaller(*config));
    worker.Run(stop);
  } else if (role_name == "order-publisher") {
    absl::Status status = RunOrderPublisher(env, stop);
    if (!status.ok()) return status;
  } else {
    stop->WaitForNotification();
  }
  if (server) server->Stop();
  Log(role_name, "stopped");
  return absl::OkStatus();
}

}  // namespace poolops::sim
