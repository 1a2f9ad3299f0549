#include "services/orchestrator/stack_catalog.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/iexec/chain_json.h"
#include "services/orchestrator/spring_duration.h"

namespace poolops::orchestrator {

const StackTraits& TraitsOf(v1::StackVersion version) {
  static const auto* v7 = new StackTraits{"v7.1", "worker"};
  static const auto* v8 = new StackTraits{.dir = "v8.3",
                                          .worker_service = "worker_prod",
                                          .builtin_https = true,
                                          .published_ports = false};
  static const auto* v9 = new StackTraits{.dir = "v9.3",
                                          .worker_service = "worker",
                                          .config_server = true,
                                          .iso_block_time = true,
                                          .sgx = false,
                                          .iexec_publisher = false};
  switch (version) {
    case v1::STACK_VERSION_V8_3:
      return *v8;
    case v1::STACK_VERSION_V9_3:
      return *v9;
    default:
      return *v7;
  }
}

std::string StackDir(v1::StackVersion version) { return TraitsOf(version).dir; }

const std::map<std::string, std::string>& StackDefaults(
    v1::StackVersion version) {
  static const auto* v7 = new std::map<std::string, std::string>{
      {"DOCKER_REGISTRY", "iexechub"},
      {"CORE_TAG", "7.1.0"},
      {"WORKER_TAG", "7.1.0"},
      {"BLOCKCHAIN_ADAPTER_TAG", "7.1.1"},
      {"ORDER_PUBLISHER_TAG", "7.1.0-p001"},
      {"GRAFANA_TAG", "4.0.0"},
  };
  static const auto* v8 = new std::map<std::string, std::string>{
      {"DOCKER_REGISTRY", "iexechub"},
      {"CORE_TAG", "8.3.0"},
      {"WORKER_TAG", "8.3.0"},
      {"BLOCKCHAIN_ADAPTER_TAG", "8.3.0"},
      {"ORDER_PUBLISHER_TAG", "8.0.0-p001"},
      {"CORE_GRAFANA_TAG", "4.0.0"},
      {"CORE_GRAFANA_PROXY", "1.0.0"},
      {"CORE_MONGO_TAG", "4.4"},
      {"CORE_MONGO_EXPRESS_TAG", "0.54"},
      {"BLOCKCHAIN_ADAPTER_MONGO_TAG", "4.4"},
      {"BLOCKCHAIN_ADAPTER_MONGO_EXPRESS_TAG", "0.54"},
      {"ACME_COMPANION_TAG", "2.2"},
      {"NGINX_PROXY_TAG", "1.2"},
      {"NGINX_STANDALONE_TAG", "1.23"},
      {"PLATFORM_REGISTRY_TAG", "3.1"},
  };
  // No public kit: the pairing iExec released together (core 9.3.0 on
  // adapter-lib 9.0.4; worker 9.2.0 is the last worker release).
  static const auto* v9 = new std::map<std::string, std::string>{
      {"DOCKER_REGISTRY", "iexechub"},
      {"CORE_TAG", "9.3.0"},
      {"WORKER_TAG", "9.2.0"},
      {"BLOCKCHAIN_ADAPTER_TAG", "9.0.5"},
      {"ORDER_PUBLISHER_TAG", "8.0.0-p001"},  // unused: publisher poolops
      {"CORE_GRAFANA_TAG", "4.0.0"},
      {"CORE_GRAFANA_PROXY", "1.0.0"},
      {"CORE_MONGO_TAG", "4.4"},
      {"BLOCKCHAIN_ADAPTER_MONGO_TAG", "4.4"},
      {"ACME_COMPANION_TAG", "2.2"},
      {"NGINX_PROXY_TAG", "1.2"},
      {"NGINX_STANDALONE_TAG", "1.27"},
      {"PLATFORM_REGISTRY_TAG", "3.1"},
  };
  switch (version) {
    case v1::STACK_VERSION_V8_3:
      return *v8;
    case v1::STACK_VERSION_V9_3:
      return *v9;
    default:
      return *v7;
  }
}

namespace {

// "http://127.0.0.1:4000/" -> "127.0.0.1:4000" (the stacks want host names).
std::string HostOf(std::string url) {
  for (const char* scheme : {"https://", "http://"}) {
    if (absl::StartsWith(url, scheme)) url = url.substr(strlen(scheme));
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::optional<ChainInfo> ChainPreset(const std::string& name,
                                     v1::StackVersion version) {
  // v7.1/v8.3 run on Bellecour, v9.3 on Arbitrum; the chain facts are
  // libs/iexec's.
  const bool v9 = version == v1::STACK_VERSION_V9_3;
  if (v9 ? !absl::StartsWith(name, "arbitrum-") : name != "bellecour") {
    return std::nullopt;
  }
  std::optional<iexec::ChainPreset> p = iexec::FindChainPreset(name);
  if (!p) return std::nullopt;
  ChainInfo c;
  c.name = p->name;
  c.chain_id = absl::StrCat(p->chain_id);
  c.rpc = p->rpc;
  c.public_rpc = p->rpc;
  c.hub = p->hub.ToChecksum();
  c.sidechain = p->native;
  c.block_time = absl::Seconds(5);
  if (v9) {
    // Arbitrum makes a block every 250 ms, but core 9.3 derives whole-second
    // polling periods from the block time (under 1 s: a 0 s period that
    // fails at start): 1 s is what it can run with.
    c.block_time = absl::Seconds(1);
    c.market_api_host = HostOf(p->market);
    c.sms_tdx_url = absl::StrCat("https://sms.", name, ".iex.ec");
    c.start_block = "0";  // near the head at first deployment (pool up)
  } else if (version == v1::STACK_VERSION_V8_3) {
    c.market_api_host = "api.market.v8-bellecour.iex.ec";
    c.result_host = "result.v8-bellecour.iex.ec";
    c.start_block = "26780527";
    c.sms_scone_url = "https://sms.scone-prod.v8-bellecour.iex.ec";
    c.sms_gramine_url = "https://sms.gramine.v8-bellecour.iex.ec";
  } else {
    c.market_api_host = "v7.api.market.iex.ec";
    c.sms_host = "v7.sms.prod-tee-services.bellecour.iex.ec";
    c.result_host = "v7.result.bellecour.iex.ec";
    c.start_block = "19265549";
  }
  return c;
}

absl::StatusOr<ChainInfo> ResolveChain(const v1::PoolSpec& spec,
                                       const std::optional<ChainFacts>& known) {
  std::optional<ChainInfo> base =
      ChainPreset(spec.chain(), spec.stack_version());
  if (base.has_value()) base->origin = "preset";
  if (!base.has_value() && known.has_value()) {
    ChainInfo info;
    info.name = spec.chain();
    info.chain_id = known->chain_id;
    info.rpc = known->rpc;
    info.public_rpc = info.rpc;
    info.hub = known->hub;
    // Native chains other than Bellecour behave as sidechains for the
    // stacks (no gas price, RLC native).
    info.sidechain = known->native;
    info.block_time = absl::Seconds(1);
    info.market_api_host = HostOf(known->market);
    info.origin = known->origin;
    base = info;
  }
  const v1::PoolSpec::ChainParams& p = spec.chain_params();
  bool has_params =
      !p.rpc().empty() && !p.hub().empty() && !p.chain_id().empty();
  if (!base.has_value()) {
    if (!has_params) {
      return absl::NotFoundError(absl::StrCat(
          "chain '", spec.chain(),
          "' is not a preset (bellecour; arbitrum-mainnet, "
          "arbitrum-sepolia-testnet for v9.3) nor a chain of chain-gateway "
          "(poolctl chain list); give chain_params.rpc, hub and chain_id"));
    }
    base = ChainInfo{};
    base->name = spec.chain();
    base->origin = "custom";
  }
  ChainInfo c = *base;
  if (!p.rpc().empty()) c.rpc = p.rpc();
  if (!p.public_rpc().empty()) {
    c.public_rpc = p.public_rpc();
  } else if (c.public_rpc.empty() || !p.rpc().empty()) {
    c.public_rpc = c.rpc;
  }
  if (!p.hub().empty()) c.hub = p.hub();
  if (!p.chain_id().empty()) c.chain_id = p.chain_id();
  if (p.has_sidechain()) c.sidechain = p.sidechain();
  if (p.block_time_seconds() > 0) {
    c.block_time = absl::Seconds(p.block_time_seconds());
  }
  if (!p.block_time().empty()) {
    absl::StatusOr<absl::Duration> d =
        ParseSpringDuration(p.block_time(), "chain_params.block_time");
    if (!d.ok()) return d.status();
    c.block_time = *d;
  }
  if (!p.market_api_host().empty()) c.market_api_host = p.market_api_host();
  if (!p.sms_host().empty()) c.sms_host = p.sms_host();
  if (!p.result_host().empty()) c.result_host = p.result_host();
  if (!p.start_block().empty()) c.start_block = p.start_block();
  if (!p.sms_scone_url().empty()) c.sms_scone_url = p.sms_scone_url();
  if (!p.sms_gramine_url().empty()) c.sms_gramine_url = p.sms_gramine_url();
  if (!p.sms_tdx_url().empty()) c.sms_tdx_url = p.sms_tdx_url();
  return c;
}

absl::StatusOr<ChainInfo> LookUpChain(const v1::PoolSpec& spec,
                                      ChainClient* gateway) {
  std::optional<ChainFacts> known;
  if (gateway != nullptr && !spec.chain().empty() &&
      !ChainPreset(spec.chain(), spec.stack_version()).has_value()) {
    absl::StatusOr<ChainFacts> got = gateway->GetChain(spec.chain());
    if (got.ok()) {
      known = *std::move(got);
    } else if (absl::IsUnavailable(got.status()) ||
               absl::IsDeadlineExceeded(got.status())) {
      return absl::Status(
          got.status().code(),
          absl::StrCat("chain '", spec.chain(),
                       "' is not a preset (bellecour) and chain-gateway, "
                       "which holds the other chains, cannot be reached: ",
                       got.status().message()));
    } else if (!absl::IsNotFound(got.status())) {
      return absl::Status(got.status().code(),
                          absl::StrCat("chain '", spec.chain(),
                                       "': chain-gateway cannot give it: ",
                                       got.status().message()));
    }
  }
  return ResolveChain(spec, known);
}

std::optional<std::string> SimulatorRole(const std::string& service) {
  static const auto* roles = new std::map<std::string, std::string>{
      {"core", "core"},
      {"worker", "worker"},
      {"worker_prod", "worker"},
      {"blockchain-adapter", "blockchain-adapter"},
      {"grafana", "grafana"},
      {"mongodb-proxy", "mongodb-proxy"},
      {"mongo", "mongo"},
      {"blockchain-adapter-mongo", "blockchain-adapter-mongo"},
      {"mongo_ui", "mongo-express"},
      {"blockchain-adapter-mongo-ui", "blockchain-adapter-mongo-express"},
      {"order-publisher-std", "order-publisher"},
      {"order-publisher", "order-publisher"},
      {"config-server", "config-server"},
  };
  auto it = roles->find(service);
  if (it == roles->end()) return std::nullopt;
  return it->second;
}

}  // namespace poolops::orchestrator
