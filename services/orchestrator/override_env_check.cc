#include "services/orchestrator/override_env_check.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/stack_variables.h"

namespace poolops::orchestrator {
namespace {

// .env variables of the v7.1/v8.3 files that the v9.3 files no longer read.
const std::map<std::string, std::string>& V8EnvNames() {
  static const auto* names = new std::map<std::string, std::string>{
      {"PROD_CHAIN_ADAPTER_HOST",
       "the adapter is internal in 9.x: workers no longer reach it"},
      {"RESULT_HOST",
       "the result proxy is chain_params.result_host in the spec (Arbitrum "
       "has none)"},
      {"PROD_SMS_HOST",
       "the SMS comes from the platform registry (tdx feature, "
       "chain_params.sms_tdx_url)"},
      {"PROD_PLATFORM_REGISTRY_HOST",
       "the platform registry is internal on v9.3 (tdx feature)"},
      {"PUBLIC_CHAIN_URL",
       "workers read the chain node from the config server "
       "(chain_params.public_rpc)"},
      {"MARKET_API_HOST",
       "no order-publisher container on v9.3: chain-gateway publishes "
       "(orders: in the spec)"},
      {"ORDER_PUBLISHER_TAG", "no order-publisher container on v9.3"},
      {"ORDER_PUBLISHER_REQUESTER_RESTRICT",
       "orders.requester_restrict in the spec"},
      {"MAX_ORDER_NUMBER", "orders.max_open_orders in the spec"},
      {"WORKERPOOL_PRICE", "orders.price in the spec"},
      {"WORKER_ID", "v9.3 names workers by WORKER_NAME"},
      {"SCONTAIN_REGISTRY_USERNAME",
       "SGX is gone from v9: TEE is the tdx feature"},
      {"SCONTAIN_REGISTRY_PASSWORD",
       "SGX is gone from v9: TEE is the tdx feature"}};
  return *names;
}

std::string Unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') &&
      v.back() == v.front()) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

}  // namespace

std::vector<std::string> CheckOverrideEnv(v1::StackVersion version,
                                          std::string_view text,
                                          const std::set<std::string>& read) {
  std::vector<std::string> out;
  if (version != v1::STACK_VERSION_V9_3) return out;
  int n = 0;
  for (absl::string_view raw :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++n;
    std::string line(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line[0] == '#') continue;
    if (absl::StartsWith(line, "export ")) line = line.substr(7);
    size_t eq = line.find('=');
    std::string name(absl::StripAsciiWhitespace(line.substr(0, eq)));
    auto problem = [&](const std::string& why) {
      out.push_back(absl::StrCat("override.env:", n, ": ", name, ": ", why));
    };
    if (eq == std::string::npos || !IsEnvName(name)) {
      if (!IsEnvName(name)) name = "(line)";
      problem("not NAME=value");
      continue;
    }
    std::string value =
        Unquote(std::string(absl::StripAsciiWhitespace(line.substr(eq + 1))));
    if (!read.count(name)) {
      auto v8 = V8EnvNames().find(name);
      if (v8 != V8EnvNames().end()) {
        problem(
            absl::StrCat("a v8 variable the v9.3 files do not read "
                         "(ignored): ",
                         v8->second));
      } else if (absl::StartsWith(name, "IEXEC_") || name == "POOL_ADDRESS") {
        problem(
            "a container variable: override.env only feeds the compose "
            "files' $VARIABLES; set it under override_env in the spec");
      } else {
        problem("no compose file of this bundle reads it (ignored)");
      }
      continue;
    }
    std::optional<std::string> bad;
    if (name == "GAS_PRICE_MULTIPLIER") {
      bad = BadV9Value("IEXEC_GAS_PRICE_MULTIPLIER", value);
    } else if (name == "CHAIN_BLOCK_TIME") {
      bad = BadV9Value("IEXEC_BLOCK_TIME", value);
    }
    if (bad) problem(*bad);
  }
  return out;
}

}  // namespace poolops::orchestrator
