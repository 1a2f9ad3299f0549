// The iexec-core simulator: its configuration from the core's own
// environment variables (7.x: STACKS.md 8.1; 9.3: core_v9_config.h) and its
// HTTP routes, transport-free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/latest_block.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/sim_stack.h"
#include "devnet/simulators/worker_registry.h"
#include "libs/common/clock.h"

namespace poolops::sim {

struct CoreConfig {
  SimStack stack = SimStack::kV71;      // POOLOPS_SIM_STACK
  int port = 13000;                     // IEXEC_CORE_PORT
  std::string version = "7.1.0";        // POOLOPS_SIM_VERSION (the image tag)
  std::string pool_address;             // POOL_ADDRESS
  std::string required_worker_version;  // IEXEC_CORE_REQUIRED_WORKER_VERSION
  // 7.x: IEXEC_CORE_CHAIN_ADAPTER_{PROTOCOL,HOST,PORT}; 9.3: _URL.
  std::string chain_adapter_url;
  // 7.x: IEXEC_RESULT_REPOSITORY_{PROTOCOL,HOST,PORT}; 9.3: _URL.
  std::string result_repository_url;
  std::string sms_url;  // 7.x only: IEXEC_SMS_{PROTOCOL,HOST,PORT}
  int ask_replicate_period_ms = 5000;  // IEXEC_ASK_REPLICATE_PERIOD
  std::string wallet_path;             // IEXEC_CORE_WALLET_PATH (address only)
  // 9.3 only.
  std::string blockchain_node_address;  // IEXEC_BLOCKCHAIN_NODE_ADDRESS
  std::string config_server_url;        // IEXEC_CONFIG_SERVER_URL
  double gas_price_multiplier = 1.0;    // IEXEC_GAS_PRICE_MULTIPLIER
  int64_t start_block_number = 0;       // IEXEC_START_BLOCK_NUMBER
};

// By POOLOPS_SIM_STACK: the 7.x variables (v7.1, v8.3) or CoreV9ConfigFromEnv.
absl::StatusOr<CoreConfig> CoreConfigFromEnv(const Env& env);

class CoreSimulator {
 public:
  // scheduler_address: the core wallet's address ("" when unreadable).
  CoreSimulator(CoreConfig config, std::string scheduler_address,
                const Clock* clock);

  // 9.3: where /metrics takes latestBlockMetric from (set before serving).
  void SetLatestBlockSource(
      std::function<std::optional<LatestBlock>()> latest_block) {
    latest_block_ = std::move(latest_block);
  }

  // Where GET /replicates/available goes: the core's chain duties
  // (scheduler_duties.h). Without them every worker hears 204, no work.
  void SetReplicateSource(
      std::function<HttpResponse(const HttpRequest&)> replicates) {
    replicates_ = std::move(replicates);
  }

  // What the on-chain duties did, for /metrics (deals, completed tasks).
  void SetActivitySource(std::function<void(PlatformMetric*)> activity) {
    activity_ = std::move(activity);
  }

  HttpResponse Handle(const HttpRequest& request);
  const WorkerRegistry& registry() const { return registry_; }

 private:
  std::string WorkersConfigJson() const;
  std::string MetricsJson() const;

  CoreConfig config_;
  std::string scheduler_address_;
  WorkerRegistry registry_;
  std::function<std::optional<LatestBlock>()> latest_block_;
  std::function<HttpResponse(const HttpRequest&)> replicates_;
  std::function<void(PlatformMetric*)> activity_;
};

}  // namespace poolops::sim
