// The iexec-core 7.x simulator: its configuration from the core's own
// environment variables (STACKS.md 8.1) and its HTTP routes, transport-free.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/sim_env.h"
#include "devnet/simulators/worker_registry.h"
#include "libs/common/clock.h"

namespace poolops::sim {

struct CoreConfig {
  int port = 13000;                     // IEXEC_CORE_PORT
  std::string version = "7.1.0";        // POOLOPS_SIM_VERSION (the image tag)
  std::string pool_address;             // POOL_ADDRESS
  std::string required_worker_version;  // IEXEC_CORE_REQUIRED_WORKER_VERSION
  std::string
      chain_adapter_url;  // IEXEC_CORE_CHAIN_ADAPTER_{PROTOCOL,HOST,PORT}
  std::string
      result_repository_url;  // IEXEC_RESULT_REPOSITORY_{PROTOCOL,HOST,PORT}
  std::string sms_url;        // IEXEC_SMS_{PROTOCOL,HOST,PORT}
  int ask_replicate_period_ms = 5000;  // IEXEC_ASK_REPLICATE_PERIOD
  std::string wallet_path;             // IEXEC_CORE_WALLET_PATH (address only)
};

absl::StatusOr<CoreConfig> CoreConfigFromEnv(const Env& env);

class CoreSimulator {
 public:
  // scheduler_address: the core wallet's address ("" when unreadable).
  CoreSimulator(CoreConfig config, std::string scheduler_address,
                const Clock* clock);

  HttpResponse Handle(const HttpRequest& request);
  const WorkerRegistry& registry() const { return registry_; }

 private:
  std::string WorkersConfigJson() const;

  CoreConfig config_;
  std::string scheduler_address_;
  WorkerRegistry registry_;
};

}  // namespace poolops::sim
