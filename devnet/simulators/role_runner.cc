#include "devnet/simulators/role_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "devnet/simulators/adapter_simulator.h"
#include "devnet/simulators/adapter_v9.h"
#include "devnet/simulators/answer_wait.h"
#include "devnet/simulators/chain_duties.h"
#include "devnet/simulators/config_server_simulator.h"
#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/http_server.h"
#include "devnet/simulators/latest_block.h"
#include "devnet/simulators/mongo_store.h"
#include "devnet/simulators/public_chain_config.h"
#include "devnet/simulators/roles.h"
#include "devnet/simulators/sim_stack.h"
#include "devnet/simulators/wallet_address.h"
#include "devnet/simulators/worker_simulator.h"
#include "devnet/simulators/worker_v9.h"
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

std::string ChainSummary(const PublicChainConfig& c) {
  return absl::StrCat("chain ", c.chain_id, " (sidechain ",
                      c.sidechain ? "true" : "false", ", node ",
                      c.chain_node_url, ", hub ", c.hub_address,
                      ", block time ", absl::FormatDuration(c.block_time), ")");
}

// Core 9.3 at start: the chain config from the config server, then the
// latest block polled every block time (at least 1 s). Cancelled when
// stopped while waiting.
absl::StatusOr<std::unique_ptr<LatestBlockPoller>> StartCoreV9(
    const CoreConfig& config, const Env& env, absl::Notification* stop,
    PublicChainConfig* chain_out) {
  absl::StatusOr<AnswerWait> wait = AnswerWaitFromEnv(env, "core", stop);
  if (!wait.ok()) return wait.status();
  absl::StatusOr<PublicChainConfig> chain =
      FetchPublicChainConfig(config.config_server_url, RealHttpGet(), *wait);
  if (!chain.ok()) return chain.status();
  Log("core", absl::StrCat("chain config from ", config.config_server_url, ": ",
                           ChainSummary(*chain)));
  *chain_out = *chain;
  const std::string node = config.blockchain_node_address;
  auto poller = std::make_unique<LatestBlockPoller>(
      [node] { return FetchLatestBlock(node); },
      std::max(chain->block_time, absl::Seconds(1)), node);
  poller->Start();
  return poller;
}

ChainAccess WorkerChainAccess(const WorkerConfig& config,
                              const PublicChainConfig& chain,
                              const std::string& password) {
  return {config.override_blockchain_node_address.empty()
              ? chain.chain_node_url
              : config.override_blockchain_node_address,
          chain.hub_address, config.wallet_path, password};
}

// A 7.x/8.x worker finds the chain as the real one does: the core's
// /workers/config names the blockchain adapter, whose /config/chain says it.
absl::StatusOr<ChainAccess> WorkerChainFromAdapter(const WorkerConfig& config,
                                                   const std::string& password,
                                                   const AnswerWait& wait) {
  const std::string url =
      absl::StrCat(config.core_protocol, "://", config.core_host, ":",
                   config.core_port, "/workers/config");
  absl::StatusOr<std::string> body =
      GetBodyWhenAnswered(url, RealHttpGet(), wait);
  if (!body.ok()) return body.status();
  nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
  if (!j.is_object() ||
      !j.value("blockchainAdapterUrl", nlohmann::json()).is_string())
    return absl::FailedPreconditionError(
        absl::StrCat(url, " names no blockchainAdapterUrl"));
  absl::StatusOr<PublicChainConfig> chain = FetchPublicChainConfig(
      j["blockchainAdapterUrl"].get<std::string>(), RealHttpGet(), wait);
  if (!chain.ok()) return chain.status();
  return WorkerChainAccess(config, *chain, password);
}

}  // namespace

absl::Status RunRole(const std::string& role_name, const Env& env,
                     absl::Notification* stop) {
  absl::StatusOr<RoleSpec> role = FindRole(role_name);
  if (!role.ok()) return role.status();
  absl::StatusOr<SimStack> stack = StackFromEnv(env);
  if (!stack.ok()) return stack.status();
  absl::StatusOr<int> port = RolePort(*role, env);
  if (!port.ok()) return port.status();
  std::string bind = EnvOr(env, "POOLOPS_SIM_BIND", "0.0.0.0");
  std::unique_ptr<CoreSimulator> core;
  std::unique_ptr<ChainConfig> chain;
  std::unique_ptr<LatestBlockPoller> latest_block;
  std::unique_ptr<CoreChainDuties> core_duties;
  HttpHandler handler;

  if (role_name == "mongo" || role_name == "blockchain-adapter-mongo") {
    // What mongod does on an empty volume: data that is this database's own.
    const std::string dir = EnvOr(env, "POOLOPS_SIM_MONGO_DIR", kMongoDataDir);
    absl::StatusOr<std::string> id = EnsureMongoInstance(dir);
    if (!id.ok()) return id.status();
    Log(role_name, absl::StrCat("data in ", dir, ": instance ", *id));
  }
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
    const std::string password = EnvOr(env, "IEXEC_CORE_WALLET_PASSWORD", "");
    ChainResolver resolve;
    if (config->stack == SimStack::kV93) {
      PublicChainConfig chain_config;
      absl::StatusOr<std::unique_ptr<LatestBlockPoller>> poller =
          StartCoreV9(*config, env, stop, &chain_config);
      if (absl::IsCancelled(poller.status())) return absl::OkStatus();
      if (!poller.ok()) return poller.status();
      latest_block = *std::move(poller);
      core->SetLatestBlockSource(
          [p = latest_block.get()] { return p->Latest(); });
      resolve = [access = ChainAccess{config->blockchain_node_address,
                                      chain_config.hub_address,
                                      config->wallet_path, password}] {
        return absl::StatusOr<ChainAccess>(access);
      };
    } else {
      absl::StatusOr<AnswerWait> wait = AnswerWaitFromEnv(env, "core", stop);
      if (!wait.ok()) return wait.status();
      resolve = [adapter = config->chain_adapter_url,
                 wallet = config->wallet_path, password,
                 wait = *wait]() -> absl::StatusOr<ChainAccess> {
        absl::StatusOr<PublicChainConfig> chain =
            FetchPublicChainConfig(adapter, RealHttpGet(), wait);
        if (!chain.ok()) return chain.status();
        return ChainAccess{chain->chain_node_url, chain->hub_address, wallet,
                           password};
      };
    }
    core_duties = std::make_unique<CoreChainDuties>(
        std::move(resolve), config->pool_address,
        static_cast<uint64_t>(std::max<int64_t>(config->start_block_number, 0)),
        [](const std::string& line) { Log("core", line); });
    core->SetReplicateSource([d = core_duties.get()](const HttpRequest& r) {
      return d->HandleAvailable(r);
    });
    core->SetActivitySource(
        [d = core_duties.get()](PlatformMetric* m) { d->AddActivity(m); });
    handler = [c = core.get()](const HttpRequest& r) { return c->Handle(r); };
  } else if (role_name == "blockchain-adapter" && *stack == SimStack::kV93) {
    absl::StatusOr<AdapterV9Config> config = AdapterV9ConfigFromEnv(env);
    if (!config.ok()) return config.status();
    Log(role_name, AdapterV9Summary(*config));
    handler = HandleAdapterV9;
  } else if (role_name == "config-server") {
    std::string file = ConfigServerFile(env);
    absl::StatusOr<PublicChainConfig> served = CheckConfigServerFile(file);
    if (!served.ok()) return served.status();
    Log(role_name,
        absl::StrCat("/config/chain from ", file, ": ", ChainSummary(*served)));
    handler = [file](const HttpRequest& r) {
      return HandleConfigServer(file, r);
    };
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

  std::unique_ptr<WorkerChainDuties> worker_duties;
  if (role_name == "worker") {
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    absl::StatusOr<WorkerConfig> config =
        WorkerConfigFromEnv(env, cpus > 0 ? static_cast<int>(cpus) : 1);
    if (!config.ok()) return config.status();
    absl::StatusOr<std::string> wallet = ReadWalletAddress(config->wallet_path);
    if (!wallet.ok()) return wallet.status();
    const std::string password = EnvOr(env, "IEXEC_WORKER_WALLET_PASSWORD", "");
    ChainResolver resolve;
    if (config->stack == SimStack::kV93) {
      absl::StatusOr<AnswerWait> wait = AnswerWaitFromEnv(env, role_name, stop);
      if (!wait.ok()) return wait.status();
      absl::StatusOr<PublicChainConfig> chain_config =
          WorkerV9Startup(*config, RealHttpGet(), *wait);
      if (absl::IsCancelled(chain_config.status())) return absl::OkStatus();
      if (!chain_config.ok()) return chain_config.status();
      Log(role_name,
          absl::StrCat("workerpool ", config->pool_address, " at ",
                       config->core_url, ": ", ChainSummary(*chain_config)));
      resolve = [access = WorkerChainAccess(*config, *chain_config, password)] {
        return absl::StatusOr<ChainAccess>(access);
      };
    } else {
      absl::StatusOr<AnswerWait> wait = AnswerWaitFromEnv(env, role_name, stop);
      if (!wait.ok()) return wait.status();
      resolve = [config = *config, password, wait = *wait] {
        return WorkerChainFromAdapter(config, password, wait);
      };
    }
    worker_duties = std::make_unique<WorkerChainDuties>(
        std::move(resolve),
        [call = HttpCoreCaller(*config)](const std::string& path) {
          return call("GET", path, "");
        },
        absl::Seconds(1),
        [role_name](const std::string& line) { Log(role_name, line); });
    WorkerSimulator worker(*config, *wallet, HttpCoreCaller(*config));
    if (absl::Status ended = worker.Run(stop); !ended.ok()) {
      if (server) server->Stop();
      return ended;
    }
  } else if (role_name == "order-publisher") {
    absl::Status status = RunOrderPublisher(env, stop);
    if (!status.ok()) return status;
  } else {
    stop->WaitForNotification();
  }
  if (server) server->Stop();
  if (latest_block) latest_block->Stop();
  Log(role_name, "stopped");
  return absl::OkStatus();
}

}  // namespace poolops::sim
