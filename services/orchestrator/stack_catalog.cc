#include "services/orchestrator/stack_catalog.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/iexec/chain_json.h"

namespace poolops::orchestrator {

std::string StackDir(v1::StackVersion version) {
  return version == v1::STACK_VERSION_V8_3 ? "v8.3" : "v7.1";
}

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
  return version == v1::STACK_VERSION_V8_3 ? *v8 : *v7;
}

std::optional<ChainInfo> ChainPreset(const std::string& name,
                                     v1::StackVersion version) {
  // The stacks run on Bellecour only; its chain facts are libs/iexec's.
  if (name != "bellecour") return std::nullopt;
  std::optional<iexec::ChainPreset> p = iexec::FindChainPreset(name);
  if (!p) return std::nullopt;
  ChainInfo c;
  c.name = p->name;
  c.chain_id = absl::StrCat(p->chain_id);
  c.rpc = p->rpc;
  c.public_rpc = p->rpc;
  c.hub = p->hub.ToChecksum();
  c.sidechain = p->native;
  c.block_time = 5;
  if (version == v1::STACK_VERSION_V8_3) {
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

absl::StatusOr<ChainInfo> ResolveChain(const v1::PoolSpec& spec,
                                       const std::optional<ChainFacts>& known) {
  std::optional<ChainInfo> base =
      ChainPreset(spec.chain(), spec.stack_version());
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
    info.block_time = 1;
    info.market_api_host = HostOf(known->market);
    base = info;
  }
  const v1::PoolSpec::ChainParams& p = spec.chain_params();
  bool has_params =
      !p.rpc().empty() && !p.hub().empty() && !p.chain_id().empty();
  if (!base.has_value()) {
    if (!has_params) {
      return absl::NotFoundError(absl::StrCat(
          "chain '", spec.chain(),
          "' is not a preset (bellecour) nor a chain of chain-gateway "
          "(poolctl chain list); give chain_params.rpc, hub and chain_id"));
    }
    base = ChainInfo{};
    base->name = spec.chain();
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
  if (p.block_time_seconds() > 0) c.block_time = p.block_time_seconds();
  if (!p.market_api_host().empty()) c.market_api_host = p.market_api_host();
  if (!p.sms_host().empty()) c.sms_host = p.sms_host();
  if (!p.result_host().empty()) c.result_host = p.result_host();
  if (!p.start_block().empty()) c.start_block = p.start_block();
  if (!p.sms_scone_url().empty()) c.sms_scone_url = p.sms_scone_url();
  if (!p.sms_gramine_url().empty()) c.sms_gramine_url = p.sms_gramine_url();
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
  };
  auto it = roles->find(service);
  if (it == roles->end()) return std::nullopt;
  return it->second;
}

}  // namespace poolops::orchestrator
