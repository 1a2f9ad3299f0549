#include "services/orchestrator/stack_variables.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/orchestrator/spring_duration.h"

namespace poolops::orchestrator {
namespace {

using Names = std::set<std::string>;
using Renames = std::map<std::string, std::string>;  // v8 name -> the fix

// application.yml of core 9.3.0, adapter 9.0.5, worker 9.2.0.
const Names& V9Names(StackRole role) {
  static const auto* core = new Names{"IEXEC_CORE_PORT",
                                      "MONGO_HOST",
                                      "MONGO_PORT",
                                      "IEXEC_PLATFORM_REGISTRY",
                                      "IEXEC_PLATFORM_REGISTRY_STACK",
                                      "IEXEC_PLATFORM_REGISTRY_LABEL",
                                      "REVEAL_TIMEOUT_PERIOD",
                                      "IEXEC_ASK_REPLICATE_PERIOD",
                                      "IEXEC_CORE_REQUIRED_WORKER_VERSION",
                                      "IEXEC_WORKERS_WHITELIST",
                                      "IEXEC_CORE_WALLET_PATH",
                                      "IEXEC_CORE_WALLET_PASSWORD",
                                      "IEXEC_BLOCKCHAIN_NODE_ADDRESS",
                                      "POOL_ADDRESS",
                                      "IEXEC_START_BLOCK_NUMBER",
                                      "IEXEC_GAS_PRICE_MULTIPLIER",
                                      "IEXEC_GAS_PRICE_CAP",
                                      "IEXEC_CORE_CHAIN_ADAPTER_URL",
                                      "IEXEC_CORE_CHAIN_ADAPTER_USERNAME",
                                      "IEXEC_CORE_CHAIN_ADAPTER_PASSWORD",
                                      "IEXEC_CONFIG_SERVER_URL",
                                      "IEXEC_RESULT_REPOSITORY_URL",
                                      "IEXEC_CORE_MANAGEMENT_ACTUATORS",
                                      "IEXEC_LOGS_PURGE_RATE_IN_DAYS",
                                      "IEXEC_LOGS_AVAILABILITY_PERIOD_IN_DAYS",
                                      "CHAIN_OUTOFSERVICETHRESHOLD"};
  static const auto* adapter =
      new Names{"IEXEC_BLOCKCHAIN_ADAPTER_API_PORT",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_USERNAME",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_PASSWORD",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_HOST",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_PORT",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_MAX_ALLOWED_TX_PER_BLOCK",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_WALLET_PATH",
                "IEXEC_BLOCKCHAIN_ADAPTER_API_WALLET_PASSWORD",
                "IEXEC_CHAIN_ID",
                "IEXEC_BLOCKCHAIN_NODE_ADDRESS",
                "IEXEC_BLOCK_TIME",
                "IEXEC_HUB_ADDRESS",
                "IEXEC_IS_SIDECHAIN",
                "IEXEC_GAS_PRICE_MULTIPLIER",
                "IEXEC_GAS_PRICE_CAP"};
  static const auto* worker =
      new Names{"IEXEC_WORKER_PORT",
                "IEXEC_CORE_URL",
                "POOL_ADDRESS",
                "IEXEC_WORKER_NAME",
                "IEXEC_WORKER_BASE_DIR",
                "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT",
                "IEXEC_WORKER_GPU_ENABLED",
                "IEXEC_GAS_PRICE_MULTIPLIER",
                "IEXEC_GAS_PRICE_CAP",
                "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS",
                "IEXEC_DEVELOPER_LOGGER_ENABLED",
                "IEXEC_WORKER_TEE_COMPUTE_MAX_HEAP_SIZE_GB",
                "IEXEC_WORKER_DOCKER_NETWORK_NAME",
                "IEXEC_WORKER_DOCKER_REGISTRY_USERNAME_0",
                "IEXEC_WORKER_DOCKER_REGISTRY_PASSWORD_0",
                "IEXEC_WORKER_DOCKER_REGISTRY_ADDRESS_1",
                "IEXEC_WORKER_DOCKER_REGISTRY_USERNAME_1",
                "IEXEC_WORKER_DOCKER_REGISTRY_PASSWORD_1",
                "IEXEC_WORKER_DOCKER_IMAGE_MIN_PULL_TIMEOUT",
                "IEXEC_WORKER_DOCKER_IMAGE_MAX_PULL_TIMEOUT",
                "IEXEC_WORKER_WALLET_PATH",
                "IEXEC_WORKER_WALLET_PASSWORD",
                "IEXEC_SCONE_SHOW_VERSION",
                "IEXEC_SCONE_LOG_LEVEL",
                "IEXEC_WORKER_SCONTAIN_REGISTRY_NAME",
                "IEXEC_WORKER_SCONTAIN_REGISTRY_USERNAME",
                "IEXEC_WORKER_SCONTAIN_REGISTRY_PASSWORD",
                "IEXEC_LAS_PORT",
                "IEXEC_WORKER_SGX_DRIVER_MODE",
                "IEXEC_WORKER_METRICS_WINDOW_SIZE"};
  switch (role) {
    case StackRole::kCore:
      return *core;
    case StackRole::kBlockchainAdapter:
      return *adapter;
    default:
      return *worker;
  }
}

// The v8.3 -> v9 renames and removals (application.yml diff).
const Renames& V8Only(StackRole role) {
  static const auto* core = new Renames{
      {"IEXEC_PRIVATE_CHAIN_ADDRESS", "reads IEXEC_BLOCKCHAIN_NODE_ADDRESS"},
      {"IEXEC_CORE_CHAIN_ADAPTER_PROTOCOL",
       "reads IEXEC_CORE_CHAIN_ADAPTER_URL"},
      {"IEXEC_CORE_CHAIN_ADAPTER_HOST", "reads IEXEC_CORE_CHAIN_ADAPTER_URL"},
      {"IEXEC_CORE_CHAIN_ADAPTER_PORT", "reads IEXEC_CORE_CHAIN_ADAPTER_URL"},
      {"IEXEC_RESULT_REPOSITORY_PROTOCOL", "reads IEXEC_RESULT_REPOSITORY_URL"},
      {"IEXEC_RESULT_REPOSITORY_HOST", "reads IEXEC_RESULT_REPOSITORY_URL"},
      {"IEXEC_RESULT_REPOSITORY_PORT", "reads IEXEC_RESULT_REPOSITORY_URL"},
      {"IEXEC_CHAIN_HEALTH_POLLING_INTERVAL_IN_BLOCKS",
       "removed it (the block time comes from the config server)"},
      {"IEXEC_CHAIN_HEALTH_OUT_OF_SERVICE_THRESHOLD",
       "reads CHAIN_OUTOFSERVICETHRESHOLD (an ISO-8601 duration)"},
      {"IEXEC_PUBLIC_CHAIN_ADDRESS", "removed it"},
      {"IEXEC_CHAIN_ID", "reads the chain id from the config server"},
      {"IEXEC_HUB_ADDRESS", "reads the hub from the config server"},
      {"IEXEC_IS_SIDECHAIN", "reads it from the config server"},
      {"IEXEC_SMS_PROTOCOL", "finds the SMS through the platform registry"},
      {"IEXEC_SMS_HOST", "finds the SMS through the platform registry"},
      {"IEXEC_SMS_PORT", "finds the SMS through the platform registry"}};
  static const auto* adapter = [] {
    auto* r = new Renames;
    for (const char* n :
         {"NODE_ADDRESS", "CHAIN_ID", "IS_SIDECHAIN", "HUB_ADDRESS",
          "GAS_PRICE_MULTIPLIER", "GAS_PRICE_CAP"}) {
      (*r)[absl::StrCat("IEXEC_BLOCKCHAIN_ADAPTER_API_", n)] = absl::StrCat(
          "reads IEXEC_",
          std::string(n) == "NODE_ADDRESS" ? "BLOCKCHAIN_NODE_ADDRESS" : n);
    }
    (*r)["IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME"] =
        "reads IEXEC_BLOCK_TIME, an ISO-8601 duration (PT5S), not seconds";
    return r;
  }();
  static const auto* worker = new Renames{
      {"IEXEC_CORE_PROTOCOL", "reads IEXEC_CORE_URL (http(s)://host:port)"},
      {"IEXEC_CORE_HOST", "reads IEXEC_CORE_URL (http(s)://host:port)"},
      {"IEXEC_CORE_PORT", "reads IEXEC_CORE_URL (http(s)://host:port)"},
      {"IEXEC_CORE_GRAYLOG_HOST", "removed it"}};
  switch (role) {
    case StackRole::kCore:
      return *core;
    case StackRole::kBlockchainAdapter:
      return *adapter;
    default:
      return *worker;
  }
}

const char* RoleName(StackRole role) {
  switch (role) {
    case StackRole::kCore:
      return "core";
    case StackRole::kBlockchainAdapter:
      return "the blockchain adapter";
    default:
      return "the worker";
  }
}

bool SpringSetting(const std::string& name) {
  for (const char* prefix :
       {"MANAGEMENT_", "SPRING_", "LOGGING_", "SERVER_", "JAVA_", "JDK_"}) {
    if (absl::StartsWith(name, prefix)) return true;
  }
  return name == "TZ";
}

}  // namespace

std::optional<std::string> UnreadVariable(v1::StackVersion version,
                                          StackRole role,
                                          const std::string& name) {
  if (SpringSetting(name)) return std::nullopt;
  const char* who = RoleName(role);
  if (version != v1::STACK_VERSION_V9_3) {
    // The 9.x single-URL names mean nothing to the 7.x/8.x services.
    static const auto* v9_only = new std::map<std::string, std::string>{
        {"IEXEC_BLOCKCHAIN_NODE_ADDRESS",
         "IEXEC_PRIVATE_CHAIN_ADDRESS (core) or "
         "IEXEC_BLOCKCHAIN_ADAPTER_API_NODE_ADDRESS (adapter)"},
        {"IEXEC_CORE_CHAIN_ADAPTER_URL",
         "IEXEC_CORE_CHAIN_ADAPTER_PROTOCOL, _HOST and _PORT"},
        {"IEXEC_RESULT_REPOSITORY_URL",
         "IEXEC_RESULT_REPOSITORY_PROTOCOL, _HOST and _PORT"},
        {"IEXEC_CONFIG_SERVER_URL", "its chain variables instead"},
        {"IEXEC_CORE_URL", "IEXEC_CORE_PROTOCOL, _HOST and _PORT"},
        {"IEXEC_BLOCK_TIME", "IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME"}};
    auto it = v9_only->find(name);
    if (it == v9_only->end()) return std::nullopt;
    return absl::StrCat(name, " is a 9.x name that ", who,
                        " of this stack ignores: it reads ", it->second);
  }
  if (auto it = V8Only(role).find(name); it != V8Only(role).end()) {
    return absl::StrCat(name, " is a v8 name that ", who,
                        " 9.x ignores silently: it ", it->second);
  }
  if (!V9Names(role).count(name)) {
    return absl::StrCat(name, " is not a variable ", who,
                        " 9.x reads (a typo?): it would be ignored");
  }
  return std::nullopt;
}

std::optional<std::string> V9Replacement(StackRole role,
                                         const std::string& name) {
  auto it = V8Only(role).find(name);
  if (it == V8Only(role).end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> BadV9Value(const std::string& name,
                                      const std::string& value) {
  if (name == "IEXEC_GAS_PRICE_MULTIPLIER") {
    double m = 0;
    if (!absl::SimpleAtod(value, &m) || !(m > 0)) {
      return absl::StrCat(name, "=", value,
                          ": 9.x refuses to start unless it is a number > 0 "
                          "(v8's 0 for Bellecour no longer applies): use 1.0");
    }
  }
  if (name == "IEXEC_BLOCK_TIME" || name == "CHAIN_OUTOFSERVICETHRESHOLD") {
    absl::StatusOr<absl::Duration> d = ParseSpringDuration(value, name);
    if (!d.ok()) return std::string(d.status().message());
    if (name == "IEXEC_BLOCK_TIME") {
      if (absl::Status s = CheckV9BlockTime(*d, name); !s.ok()) {
        return std::string(s.message());
      }
    }
  }
  return std::nullopt;
}

}  // namespace poolops::orchestrator
