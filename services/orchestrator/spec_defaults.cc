#include "services/orchestrator/spec_defaults.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/stack_catalog.h"

namespace poolops::orchestrator {

bool HasFeature(const v1::PoolSpec& spec, v1::Feature feature) {
  for (int f : spec.core().features()) {
    if (f == feature) return true;
  }
  return false;
}

v1::PoolSpec WithDefaults(v1::PoolSpec spec) {
  if (spec.stack_version() == v1::STACK_VERSION_UNSPECIFIED) {
    spec.set_stack_version(v1::STACK_VERSION_V7_1);
  }
  if (spec.network_mode() == v1::NETWORK_MODE_UNSPECIFIED) {
    spec.set_network_mode(v1::NETWORK_MODE_BRIDGE);
  }
  const auto& tags = StackDefaults(spec.stack_version());
  v1::PoolSpec::Images* images = spec.mutable_images();
  auto fill = [](std::string* field, const std::string& value) {
    if (field->empty()) *field = value;
  };
  fill(images->mutable_registry(), tags.at("DOCKER_REGISTRY"));
  fill(images->mutable_core_tag(), tags.at("CORE_TAG"));
  fill(images->mutable_worker_tag(), tags.at("WORKER_TAG"));
  fill(images->mutable_blockchain_adapter_tag(),
       tags.at("BLOCKCHAIN_ADAPTER_TAG"));
  fill(images->mutable_order_publisher_tag(), tags.at("ORDER_PUBLISHER_TAG"));
  fill(images->mutable_grafana_tag(), tags.count("GRAFANA_TAG")
                                          ? tags.at("GRAFANA_TAG")
                                          : tags.at("CORE_GRAFANA_TAG"));
  fill(images->mutable_simulator_tag(), "dev");

  v1::PoolSpec::Core* core = spec.mutable_core();
  fill(core->mutable_chain_adapter_host(), core->host());
  fill(core->mutable_grafana_host(), core->host());
  fill(core->mutable_platform_registry_host(), core->host());
  fill(core->mutable_config_server_host(), core->host());
  if (core->config_server_port() == 0) core->set_config_server_port(8888);
  fill(core->mutable_grafana_home_name(),
       spec.workerpool().description().empty()
           ? "My workerpool"
           : spec.workerpool().description());
  if (core->core_port() == 0) core->set_core_port(7001);
  if (core->chain_adapter_port() == 0) core->set_chain_adapter_port(13010);
  if (core->grafana_port() == 0) core->set_grafana_port(7000);

  v1::PoolSpec::OrderPublishing* o = spec.mutable_orders();
  if (o->publisher() == v1::PUBLISHER_UNSPECIFIED) {
    // iExec's publisher image is SDK 8: it knows no v9 chain.
    o->set_publisher(TraitsOf(spec.stack_version()).iexec_publisher
                         ? v1::PUBLISHER_IEXEC
                         : v1::PUBLISHER_POOLOPS);
  }
  fill(o->mutable_price(), "0");
  fill(o->mutable_volume(), "1");
  fill(o->mutable_category(), "0");
  fill(o->mutable_trust(), "1");
  fill(o->mutable_tag(), "0x" + std::string(64, '0'));
  fill(o->mutable_requester_restrict(), kZeroAddress);
  if (o->max_open_orders() == 0) o->set_max_open_orders(3);
  if (o->check_period_seconds() == 0) o->set_check_period_seconds(30);

  if (spec.rollout().workers_at_once() == 0) {
    spec.mutable_rollout()->set_workers_at_once(1);
  }
  for (v1::PoolSpec::Worker& w : *spec.mutable_workers()) {
    fill(w.mutable_results_dir(), "/tmp/results");
  }
  return spec;
}

absl::StatusOr<std::string> TagToBytes32(const std::string& tag) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(tag));
  if (absl::StartsWith(t, "0x")) {
    std::string hex = t.substr(2);
    if (hex.empty() || hex.size() > 64) {
      return absl::InvalidArgumentError(
          absl::StrCat("tag '", tag, "': want 1 to 64 hex digits after 0x"));
    }
    for (char c : hex) {
      if (!absl::ascii_isxdigit(c)) {
        return absl::InvalidArgumentError(
            absl::StrCat("tag '", tag, "': not hex"));
      }
    }
    return "0x" + std::string(64 - hex.size(), '0') + hex;
  }
  uint32_t bits = 0;
  for (absl::string_view name : absl::StrSplit(t, ',', absl::SkipEmpty())) {
    std::string n(absl::StripAsciiWhitespace(name));
    if (n == "tee") {
      bits |= 0x1;
    } else if (n == "scone") {
      bits |= 0x1 | 0x2;
    } else if (n == "gramine") {
      bits |= 0x1 | 0x4;
    } else if (n == "tdx") {
      bits |= 0x1 | 0x8;  // v9.3: tee,tdx = 0x...09
    } else if (n == "gpu") {
      bits |= 0x100;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "tag '", tag, "': unknown name '", n,
          "'; names: tee, scone, gramine, tdx, gpu, or a bytes32 0x... value"));
    }
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", bits);
  return "0x" + std::string(56, '0') + buf;
}

}  // namespace poolops::orchestrator
