// The config server of a 9.x pool: the core and every worker read the chain
// from its /config/chain at start, so one that is down, or that names
// another chain or hub than the pool's, breaks the whole pool.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {
namespace {

using v1::Component;
using v1::ProbeResult;

constexpr char kComponent[] = "config-server";
// What core 9.3 accepts as the chain's block time (ChainConfig validation).
constexpr absl::Duration kMinBlockTime = absl::Milliseconds(100);
constexpr absl::Duration kMaxBlockTime = absl::Seconds(20);

// Remote text in a detail: short and printable.
std::string Shown(const std::string& s) {
  return absl::CEscape(s.substr(0, 42));
}

// "the pool's chain devnet is 65535 hub 0x..", from what is known of it.
std::string PoolChain(const PoolEndpoints& endpoints,
                      const PoolObservations& obs) {
  std::string out = "the pool's chain";
  if (!endpoints.chain().empty()) absl::StrAppend(&out, " ", endpoints.chain());
  if (!obs.chain_id.empty()) absl::StrAppend(&out, " is ", obs.chain_id);
  if (!obs.hub.empty()) absl::StrAppend(&out, " hub ", obs.hub);
  return out;
}

// What core 9.3 would refuse to start with, or what puts the pool on
// another chain; empty when the config is right for the pool.
std::vector<std::string> Problems(const AdapterChainConfig& cc,
                                  const PoolEndpoints& endpoints,
                                  const PoolObservations& obs) {
  std::vector<std::string> out;
  bool other_chain =
      !obs.chain_id.empty() && absl::StrCat(cc.chain_id) != obs.chain_id;
  bool other_hub = !obs.hub.empty() && !absl::EqualsIgnoreCase(cc.hub, obs.hub);
  if (other_chain || other_hub) {
    out.push_back(
        absl::StrCat("config server says chain ", cc.chain_id, " hub ",
                     cc.hub.empty() ? "(none)" : Shown(cc.hub), " but ",
                     PoolChain(endpoints, obs),
                     ": the core and workers would follow the wrong chain"));
  } else if (cc.hub.empty()) {
    out.push_back(
        "config server gives no iexecHubContractAddress: core 9.3 refuses to "
        "start");
  }
  if (cc.chain_node_url.empty()) {
    out.push_back(
        "config server gives no chainNodeUrl: core 9.3 refuses to start");
  }
  if (!cc.block_time_seconds) {
    out.push_back(absl::StrCat(
        "config server gives ",
        cc.block_time_text.empty()
            ? std::string("no blockTime (an ISO-8601 duration such as PT1S)")
            : absl::StrCat("blockTime \"", absl::CEscape(cc.block_time_text),
                           "\", not an ISO-8601 duration such as PT1S"),
        ": core 9.3 refuses to start"));
  } else {
    absl::Duration block = absl::Seconds(*cc.block_time_seconds);
    if (block < kMinBlockTime || block > kMaxBlockTime) {
      out.push_back(absl::StrCat(
          "config server says blockTime ", absl::FormatDuration(block),
          ": core 9.3 refuses to start outside 100ms..20s"));
    }
  }
  return out;
}

}  // namespace

void EvaluateConfigServer(const PoolEndpoints& endpoints,
                          const PoolObservations& obs, v1::PoolStatus* status) {
  if (!obs.config_server) return;
  const absl::Time now = obs.probed_at;
  ProbeResult probe;
  HttpVerdict v = CheckHttp(*obs.config_server, &probe, now);
  Component* c = nullptr;
  if (!v.ok) {
    c = Add(status, kComponent, v1::HEALTH_DOWN,
            absl::StrCat(v.reason,
                         ": the core and workers cannot read their chain"),
            now);
    *c->add_probes() = std::move(probe);
    return;
  }
  absl::StatusOr<AdapterChainConfig> cc = ParseAdapterChainConfig(
      obs.config_server->response.body, "config server /config/chain");
  if (!cc.ok()) {
    ParseFailed(&probe);
    c = Add(status, kComponent, v1::HEALTH_DOWN,
            absl::StrCat(obs.config_server->url, ": ", cc.status().message()),
            now);
    *c->add_probes() = std::move(probe);
    return;
  }
  std::vector<std::string> problems = Problems(*cc, endpoints, obs);
  std::string serves = absl::StrCat(
      "config server serves chain ", cc->chain_id, " hub ", Shown(cc->hub),
      cc->block_time_seconds
          ? absl::StrCat(", block time ", absl::FormatDuration(absl::Seconds(
                                              *cc->block_time_seconds)))
          : "");
  if (!problems.empty()) {
    c = Add(status, kComponent, v1::HEALTH_DOWN, absl::StrJoin(problems, "; "),
            now);
  } else if (obs.chain_id.empty() && obs.hub.empty()) {
    // Nothing to check it against: unknown when the chain could not be
    // learnt, fine when the pool names none.
    c = obs.chain_info_unknown.empty()
            ? Add(status, kComponent, v1::HEALTH_OK,
                  absl::StrCat(
                      serves, " (the pool names no chain to check it against)"),
                  now)
            : Add(status, kComponent, v1::HEALTH_DEGRADED,
                  absl::StrCat(serves,
                               ", not checked against the pool's "
                               "chain: ",
                               obs.chain_info_unknown),
                  now, /*known=*/false);
  } else {
    c = Add(status, kComponent, v1::HEALTH_OK,
            absl::StrCat(serves, ": the pool's chain",
                         obs.hub.empty() && !obs.chain_info_unknown.empty()
                             ? absl::StrCat(" (hub not checked: ",
                                            obs.chain_info_unknown, ")")
                             : ""),
            now);
  }
  auto& values = *c->mutable_values();
  values["chainId"] = absl::StrCat(cc->chain_id);
  values["hub"] = cc->hub.substr(0, 42);
  values["sidechain"] = cc->sidechain ? "true" : "false";
  if (cc->block_time_seconds) {
    values["blockTimeSeconds"] = absl::StrCat(*cc->block_time_seconds);
  }
  *c->add_probes() = std::move(probe);
}

}  // namespace poolops::monitor
