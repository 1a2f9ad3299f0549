#include "devnet/simulators/worker_simulator.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/worker_v9.h"
#include "nlohmann/json.hpp"

namespace poolops::sim {

absl::StatusOr<WorkerConfig> WorkerConfigFromEnv(const Env& env,
                                                 int hardware_cpus) {
  absl::StatusOr<SimStack> stack = StackFromEnv(env);
  if (!stack.ok()) return stack.status();
  if (*stack == SimStack::kV93) {
    return WorkerV9ConfigFromEnv(env, hardware_cpus);
  }
  WorkerConfig c;
  c.stack = *stack;
  c.core_protocol =
      absl::AsciiStrToLower(EnvOr(env, "IEXEC_CORE_PROTOCOL", "http"));
  if (c.core_protocol != "http") {
    return absl::InvalidArgumentError(
        absl::StrCat("IEXEC_CORE_PROTOCOL=", c.core_protocol,
                     ": the worker simulator speaks plain http only"));
  }
  c.core_host = EnvOr(env, "IEXEC_CORE_HOST", c.core_host);
  absl::StatusOr<int> port = EnvInt(env, "IEXEC_CORE_PORT", 13000);
  if (!port.ok()) return port.status();
  c.core_port = *port;
  absl::Status own = ReadWorkerOwnVariables(env, hardware_cpus, &c);
  if (!own.ok()) return own;
  return c;
}

absl::Status ReadWorkerOwnVariables(const Env& env, int hardware_cpus,
                                    WorkerConfig* config) {
  WorkerConfig& c = *config;
  c.name = EnvOr(env, "IEXEC_WORKER_NAME", c.name);
  c.version = EnvOr(env, "POOLOPS_SIM_VERSION", c.version);
  c.wallet_path =
      EnvOr(env, "IEXEC_WORKER_WALLET_PATH",
            "./src/main/resources/wallet/encrypted-wallet_worker1.json");
  absl::StatusOr<int> cpus =
      EnvInt(env, "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT",
             std::max(hardware_cpus - 1, 1));
  if (!cpus.ok()) return cpus.status();
  if (*cpus < 1) {
    return absl::InvalidArgumentError(
        "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT must be at least 1");
  }
  c.cpu_nb = *cpus;
  absl::StatusOr<bool> gpu = EnvBool(env, "IEXEC_WORKER_GPU_ENABLED", false);
  if (!gpu.ok()) return gpu.status();
  c.gpu_enabled = *gpu;
  absl::StatusOr<int> interval_ms =
      EnvInt(env, "POOLOPS_SIM_PING_INTERVAL_MS", 10000);
  if (!interval_ms.ok()) return interval_ms.status();
  if (*interval_ms < 1) {
    return absl::InvalidArgumentError(
        "POOLOPS_SIM_PING_INTERVAL_MS must be >= 1");
  }
  c.ping_interval = absl::Milliseconds(*interval_ms);
  return absl::OkStatus();
}

CoreCaller HttpCoreCaller(const WorkerConfig& config) {
  return [host = config.core_host, port = config.core_port,
          prefix = config.core_path](const std::string& method,
                                     const std::string& path,
                                     const std::string& body) {
    return HttpCall(method, host, port, prefix + path, body, absl::Seconds(5));
  };
}

WorkerSimulator::WorkerSimulator(WorkerConfig config,
                                 std::string wallet_address,
                                 CoreCaller call_core)
    : config_(std::move(config)), call_core_(std::move(call_core)) {
  ping_.wallet_address = absl::AsciiStrToLower(wallet_address);
  ping_.cpu_nb = config_.cpu_nb;
  ping_.gpu_enabled = config_.gpu_enabled;
}

absl::Status WorkerSimulator::CheckRequiredVersion() {
  absl::StatusOr<HttpResponse> response =
      call_core_("GET", "/workers/config", "");
  if (!response.ok() || response->status != 200) return absl::OkStatus();
  nlohmann::json config = nlohmann::json::parse(response->body, nullptr, false);
  if (!config.is_object()) return absl::OkStatus();
  std::string required = config.value("requiredWorkerVersion", "");
  if (required.empty() || required == config_.version) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "Bad version! please upgrade your iexec-worker: the core requires ",
      required, ", this worker is ", config_.version));
}

absl::Status WorkerSimulator::PingOnce() {
  absl::StatusOr<HttpResponse> response =
      call_core_("POST", "/workers/ping", WorkerPingJson(ping_));
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("core answered ", response->status, ": ", response->body));
  }
  if (session_.empty()) session_ = response->body;
  if (response->body != session_) {
    std::fprintf(stderr,
                 "[worker simulator %s] the core's session changed: "
                 "registering again\n",
                 config_.name.c_str());
    session_ = response->body;
    return CheckRequiredVersion();
  }
  return absl::OkStatus();
}

absl::Status WorkerSimulator::Run(absl::Notification* stop) {
  std::fprintf(stderr,
               "[worker simulator %s] version %s, wallet %s, cpuNb=%d, "
               "gpu=%s, pinging %s://%s:%d every %s\n",
               config_.name.c_str(), config_.version.c_str(),
               ping_.wallet_address.c_str(), ping_.cpu_nb,
               ping_.gpu_enabled ? "true" : "false",
               config_.core_protocol.c_str(), config_.core_host.c_str(),
               config_.core_port,
               absl::FormatDuration(config_.ping_interval).c_str());
  if (absl::Status refused = CheckRequiredVersion(); !refused.ok()) {
    return refused;
  }
  do {
    absl::Status status = PingOnce();
    if (absl::IsFailedPrecondition(status) &&
        absl::StartsWith(status.message(), "Bad version")) {
      return status;
    }
    if (status.ok()) {
      std::fprintf(stderr, "[worker simulator %s] ping ok\n",
                   config_.name.c_str());
    } else {
      std::fprintf(stderr, "[worker simulator %s] ping failed: %s\n",
                   config_.name.c_str(), status.ToString().c_str());
    }
  } while (!stop->WaitForNotificationWithTimeout(config_.ping_interval));
  return absl::OkStatus();
}

}  // namespace poolops::sim
