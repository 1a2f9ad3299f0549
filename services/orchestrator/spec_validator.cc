#include "services/orchestrator/spec_validator.h"

#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/eth/units.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/image_prune.h"
#include "services/orchestrator/secrets.h"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/spec_limits.h"
#include "services/orchestrator/spec_text.h"
#include "services/orchestrator/spring_duration.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/stack_variables.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

bool Matches(const std::string& s, const char* pattern) {
  return std::regex_match(s, std::regex(pattern));
}

bool IsAddress(const std::string& s) { return Matches(s, "0x[0-9a-fA-F]{40}"); }

bool IsDecimal(const std::string& s) { return Matches(s, "[0-9]{1,78}"); }

bool IsHostName(const std::string& s) {
  // DNS names and IPv4 literals (what PROD_*_HOST accept).
  return s.size() <= 253 &&
         Matches(s,
                 "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                 "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
}

// Text that goes into .env files and compose labels as one line.
bool IsEnvSafe(const std::string& s) {
  return s.find_first_of("\n\r'\\") == std::string::npos;
}

class Checker {
 public:
  Checker(const SpecLocations& loc, const fs::path& dir)
      : loc_(loc), dir_(dir) {}

  void Add(const std::string& field, const std::string& message) {
    v1::Violation* v = &out_.emplace_back();
    v->set_field(field);
    v->set_message(message);
    v->set_location(loc_.Of(field));
  }

  // Never opened here: the client reads secret files and sends their
  // secrets (secret_files.h); probing the server's disk would tell a caller
  // which paths exist.
  void File(const std::string& field, const std::string& path) {
    if (path.find('\0') != std::string::npos) Add(field, "not a file path");
  }

  void CheckTarget(const std::string& field, const std::string& text) {
    if (text.empty()) {
      Add(field, "required: local:/path or ssh://user@host[:port]/path");
      return;
    }
    absl::StatusOr<TargetAddress> t = ParseTarget(text);
    if (!t.ok()) Add(field, std::string(t.status().message()));
  }

  // Placement goes into swarm constraints ("node.labels.k == v"): names
  // only, so no value can add an operator or another constraint.
  void CheckPlacement(const std::string& field, const std::string& target,
                      const v1::PoolSpec::Placement& p, bool host_network) {
    const bool swarm = absl::StartsWith(target, "swarm");
    if (swarm && !host_network) {
      Add(absl::StrCat(field.substr(0, field.rfind('.')), ".target"),
          "swarm targets run every service on the swarm's host network (no "
          "overlay): set network_mode: host");
    }
    if (p.node().empty() && p.node_labels().empty()) return;
    if (!swarm) {
      Add(field, "placement is for swarm targets only");
      return;
    }
    static const char kName[] = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    if (!p.node().empty() && !Matches(p.node(), kName)) {
      Add(field + ".node",
          absl::StrCat("'", PrintableText(p.node()),
                       "': a node ID or hostname (letters, digits, . _ -)"));
    }
    if (p.node_labels_size() > 16) Add(field + ".node_labels", "at most 16");
    for (const auto& [k, v] : p.node_labels()) {
      if (!Matches(k, kName) || !Matches(v, kName)) {
        Add(field + ".node_labels",
            absl::StrCat("'", PrintableText(k), "': '", PrintableText(v),
                         "': label names and values of letters, digits, . _ "
                         "- (at most 63)"));
      }
    }
  }

  std::vector<v1::Violation> Take() { return std::move(out_); }

 private:
  const SpecLocations& loc_;
  fs::path dir_;
  std::vector<v1::Violation> out_;
};

}  // namespace

// v9.3 order tags: standard (0x0) or TDX (tee,tdx = 0x...09); SGX bits are
// what SDK 9 and the v9 workers no longer know.
static void CheckV9Tag(const std::string& tag_hex, const std::string& trust,
                       bool tdx, Checker* c) {
  int low = 0;
  absl::SimpleHexAtoi(tag_hex.substr(tag_hex.size() - 2), &low);
  const bool tee_bit = low & 1, scone = low & 2, gramine = low & 4,
             tdx_bit = low & 8;
  if (scone || gramine) {
    c->Add("orders.tag",
           "SGX (scone, gramine) is gone from iExec v9 (SDK 9 and the v9 "
           "workers refuse it): use tee,tdx (0x...09) or no tag");
    return;
  }
  if (tee_bit != tdx_bit) {
    c->Add("orders.tag", "on v9.3, tee goes with tdx: tee,tdx (0x...09)");
    return;
  }
  if (tdx_bit && !tdx) {
    c->Add("orders.tag",
           "TDX orders need TDX workers: core 9.x gives tee,tdx tasks only to "
           "workers that announce TDX (add the tdx feature)");
  }
  if (tdx_bit && (trust.empty() || trust == "0")) {
    c->Add("orders.trust", "TDX (TEE) orders need trust >= 1");
  }
}

std::vector<v1::Violation> ValidateSpec(const v1::PoolSpec& spec,
                                        const SpecLocations& loc,
                                        const fs::path& spec_dir) {
  if (std::vector<v1::Violation> limits = CheckSpecLimits(spec, loc);
      !limits.empty()) {
    return limits;
  }
  Checker c(loc, spec_dir);
  const v1::PoolSpec filled = WithDefaults(spec);
  const StackTraits& st = TraitsOf(filled.stack_version());
  const bool v8 = st.builtin_https;
  const bool v9 = st.config_server;

  if (spec.name().empty()) {
    c.Add("name", "required: the pool's name (lowercase letters, digits, -)");
  } else if (!Matches(spec.name(), "[a-z0-9][a-z0-9-]{0,39}")) {
    c.Add("name",
          absl::StrCat("'", spec.name(),
                       "': lowercase letters, digits and -, at most 40"));
  }
  if (spec.chain().empty()) {
    c.Add("chain", "required: bellecour, devnet or a chain known to poolops");
  } else if (!Matches(spec.chain(), "[A-Za-z0-9._-]{1,64}")) {
    c.Add("chain", absl::StrCat("'", spec.chain(), "': not a chain name"));
  }
  const auto& cp = spec.chain_params();
  if (!cp.hub().empty() && !IsAddress(cp.hub())) {
    c.Add("chain_params.hub", "not a 0x address of 40 hex digits");
  }
  if (!cp.chain_id().empty() && !IsDecimal(cp.chain_id())) {
    c.Add("chain_params.chain_id", "not a decimal number");
  }
  if (!cp.start_block().empty() && !IsDecimal(cp.start_block())) {
    c.Add("chain_params.start_block", "not a decimal block number");
  }
  if (!cp.block_time().empty()) {
    absl::StatusOr<absl::Duration> d =
        ParseSpringDuration(cp.block_time(), "block time");
    if (!d.ok()) {
      c.Add("chain_params.block_time", std::string(d.status().message()));
    } else if (v9) {
      if (absl::Status s = CheckV9BlockTime(*d, "block time"); !s.ok()) {
        c.Add("chain_params.block_time", std::string(s.message()));
      }
    }
  }
  if (v9 && cp.block_time_seconds() > 0) {
    c.Add("chain_params.block_time_seconds",
          absl::StrCat("v9.3 reads the block time as an ISO-8601 duration: "
                       "write block_time: PT",
                       cp.block_time_seconds(), "S instead"));
  }
  if (!cp.sms_tdx_url().empty() &&
      !Matches(cp.sms_tdx_url(), "https?://[^\\s'\\\\]+")) {
    c.Add("chain_params.sms_tdx_url", "not an http(s) URL");
  }
  for (const auto& [field, url] :
       {std::pair<const char*, std::string>{"chain_params.rpc", cp.rpc()},
        {"chain_params.public_rpc", cp.public_rpc()}}) {
    if (!url.empty() && !Matches(url, "https?://[^\\s'\\\\]+")) {
      c.Add(field, "not an http(s) URL");
    }
  }

  // Workerpool: an address, or the owner and description to register.
  const auto& wp = spec.workerpool();
  if (!wp.address().empty() && !IsAddress(wp.address())) {
    c.Add("workerpool.address", "not a 0x address of 40 hex digits");
  }
  if (wp.owner_wallet().empty()) {
    c.Add(
        "workerpool.owner_wallet",
        "required: the vault wallet of the scheduler (it signs for the pool)");
  }
  if (wp.address().empty() && wp.description().empty()) {
    c.Add("workerpool.description",
          "required to register a workerpool (or give workerpool.address)");
  }
  if (!IsEnvSafe(wp.description())) {
    c.Add("workerpool.description", "one line, without ' or \\");
  }
  c.File("workerpool.owner_password_file", wp.owner_password_file());
  if (!spec.stake().minimum().empty() && !IsDecimal(spec.stake().minimum())) {
    c.Add("stake.minimum", "a whole number of nRLC (1 RLC = 10^9 nRLC)");
  }
  // Devnet funding: amounts here; the chain's origin once chain-gateway
  // has been asked (Orchestrator::LoadSpec).
  if (spec.has_funding()) {
    const auto& f = spec.funding();
    if (f.eth().empty() && f.rlc().empty()) {
      c.Add("funding",
            "give eth and/or rlc (decimal strings), or leave it out");
    }
    if (!f.eth().empty() &&
        !eth::ParseAmount(f.eth(), eth::Unit::kEther, eth::Unit::kWei).ok()) {
      c.Add("funding.eth",
            absl::StrCat("'", f.eth(), "': a decimal amount of ETH (\"0.5\")"));
    }
    if (!f.rlc().empty() &&
        !eth::ParseAmount(f.rlc(), eth::Unit::kRlc, eth::Unit::kNRlc).ok()) {
      c.Add("funding.rlc",
            absl::StrCat("'", f.rlc(),
                         "': a decimal amount of RLC (\"10\", at most 9 "
                         "decimals)"));
    }
  }

  if (spec.rollout().workers_at_once() > kMaxSpecWorkers) {
    c.Add("rollout.workers_at_once",
          absl::StrCat("at most ", kMaxSpecWorkers,
                       " (the most workers a pool has); 0 or leaving it out "
                       "means 1"));
  }

  const auto& mt = spec.maintenance();
  if (!PrunePeriod(mt.prune_images()).ok()) {
    c.Add("maintenance.prune_images",
          absl::StrCat("'", mt.prune_images(),
                       "': hourly, daily, weekly or off"));
  }
  for (int i = 0; i < mt.keep_size(); ++i) {
    if (!Matches(mt.keep(i), "[A-Za-z0-9._/:@*?\\[\\]-]{1,255}")) {
      c.Add(absl::StrCat("maintenance.keep[", i, "]"),
            "an image pattern: name[:tag] with * and ? (no spaces)");
    }
  }

  // Images.
  const auto& im = spec.images();
  if (!im.registry().empty() &&
      !Matches(im.registry(), "[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?")) {
    c.Add("images.registry", "not a registry/namespace (lowercase, . _ - / :)");
  }
  for (const auto& [field, tag] :
       {std::pair<const char*, std::string>{"images.core_tag", im.core_tag()},
        {"images.worker_tag", im.worker_tag()},
        {"images.blockchain_adapter_tag", im.blockchain_adapter_tag()},
        {"images.order_publisher_tag", im.order_publisher_tag()},
        {"images.grafana_tag", im.grafana_tag()},
        {"images.simulator_tag", im.simulator_tag()}}) {
    if (!tag.empty() && !Matches(tag, "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
      c.Add(field, absl::StrCat("'", tag, "' is not a docker image tag"));
    }
  }
  if (im.simulators() && v8 && filled.network_mode() != v1::NETWORK_MODE_HOST) {
    c.Add("images.simulators",
          "a v8.3 stack runs on the simulators with network_mode: host only "
          "(its core then reaches the adapter on 127.0.0.1, without the "
          "built-in proxy)");
  }

  const auto& reg = im.private_registry();
  if (!reg.address().empty() || !reg.username().empty() ||
      !reg.password_file().empty()) {
    if (reg.address().empty() || reg.username().empty() ||
        reg.password_file().empty()) {
      c.Add("images.private_registry",
            "address, username and password_file go together");
    }
    c.File("images.private_registry.password_file", reg.password_file());
  }

  // Core host.
  const auto& core = spec.core();
  c.CheckTarget("core.target", core.target());
  const bool host_network = spec.network_mode() == v1::NETWORK_MODE_HOST;
  c.CheckPlacement("core.placement", core.target(), core.placement(),
                   host_network);
  if (core.host().empty()) {
    c.Add("core.host",
          "required: PROD_CORE_HOST, the static IP or DNS name workers reach "
          "the core at");
  }
  for (const auto& [field, host] :
       {std::pair<const char*, std::string>{"core.host", core.host()},
        {"core.chain_adapter_host", core.chain_adapter_host()},
        {"core.grafana_host", core.grafana_host()},
        {"core.platform_registry_host", core.platform_registry_host()},
        {"core.config_server_host", core.config_server_host()}}) {
    if (!host.empty() && !IsHostName(host)) {
      c.Add(field,
            absl::StrCat("'", host, "' is not a host name or IPv4 address"));
    }
  }
  if (!IsEnvSafe(core.grafana_home_name())) {
    c.Add("core.grafana_home_name", "one line, without ' or \\");
  }
  bool http = HasFeature(spec, v1::FEATURE_REV_PROXY_HTTP);
  bool https = HasFeature(spec, v1::FEATURE_REV_PROXY_HTTPS);
  bool tee = HasFeature(spec, v1::FEATURE_TEE);
  bool tdx = HasFeature(spec, v1::FEATURE_TDX);
  std::set<int> seen;
  for (int i = 0; i < core.features_size(); ++i) {
    std::string field = absl::StrCat("core.features[", i, "]");
    if (core.features(i) == v1::FEATURE_UNSPECIFIED) {
      c.Add(field, "unknown feature");
    } else if (!seen.insert(core.features(i)).second) {
      c.Add(field, "listed twice");
    } else if (v8 && core.features(i) == v1::FEATURE_REV_PROXY_HTTP) {
      c.Add(field,
            "v8.3 stacks serve HTTPS through their built-in nginx-proxy; "
            "rev-proxy-http does not apply");
    } else if (v9 && core.features(i) == v1::FEATURE_REV_PROXY_HTTP) {
      c.Add(field, "v9.3 has rev-proxy-https (Let's Encrypt), not plain http");
    } else if (!st.sgx && core.features(i) == v1::FEATURE_TEE) {
      c.Add(field,
            "SGX (Scone) is gone from iExec v9 (SDK 9 and PoCo 6 refuse its "
            "tags): TEE on v9.3 is the tdx feature");
    } else if (!v9 && core.features(i) == v1::FEATURE_TDX) {
      c.Add(field, "TDX needs the v9.3 stack (stack_version: v9.3)");
    }
  }
  if (http && https) {
    c.Add("core.features",
          "rev-proxy-http and rev-proxy-https cannot be combined (pick one)");
  }
  if ((https || (v8 && !im.simulators())) &&
      !Matches(core.letsencrypt_email(),
               "[^@\\s'\\\\]+@[^@\\s'\\\\]+\\.[^@\\s'\\\\]+")) {
    c.Add(
        "core.letsencrypt_email",
        v8 ? "required for v8.3 (Let's Encrypt certificates): an e-mail address"
           : "required with rev-proxy-https: an e-mail address");
  }
  if ((http || https) && filled.network_mode() == v1::NETWORK_MODE_HOST) {
    c.Add("network_mode",
          "the reverse proxy routes to containers on compose networks: use "
          "bridge with rev-proxy features");
  }
  if ((http || https) && im.simulators()) {
    c.Add("images.simulators",
          "no simulator plays nginx-proxy: drop the "
          "rev-proxy features with simulators");
  }
  if (tdx && im.simulators()) {
    c.Add("images.simulators",
          "no simulator plays the platform registry: "
          "drop the tdx feature with simulators");
  }
  if (tdx && im.worker_tag().empty()) {
    c.Add("images.worker_tag",
          "required with the tdx feature: no released iexec-worker supports "
          "TDX yet (9.2.0 never announces it); give the tag of a TDX build");
  }
  if (core.config_server_port() > 65535) {
    c.Add("core.config_server_port", "a TCP port: 1 to 65535");
  }
  if (tee && st.sgx) {
    if (core.tee().scontain_username().empty()) {
      c.Add("core.tee.scontain_username",
            "required with the tee feature (gitlab.scontain.com account)");
    } else if (!Matches(core.tee().scontain_username(), "[A-Za-z0-9._@+-]+")) {
      c.Add("core.tee.scontain_username", "not a user name");
    }
    if (core.tee().scontain_password_file().empty()) {
      c.Add("core.tee.scontain_password_file",
            "required with the tee feature: a file holding the password");
    }
  }
  c.File("core.tee.scontain_password_file",
         core.tee().scontain_password_file());
  c.File("core.chain_adapter_password_file",
         core.chain_adapter_password_file());
  c.File("core.grafana_admin_password_file",
         core.grafana_admin_password_file());
  c.File("core.mongo_password_file", core.mongo_password_file());
  for (const auto& [field, port] :
       {std::pair<const char*, uint32_t>{"core.core_port", core.core_port()},
        {"core.chain_adapter_port", core.chain_adapter_port()},
        {"core.grafana_port", core.grafana_port()}}) {
    if (port > 65535) c.Add(field, "a TCP port: 1 to 65535");
  }

  // Orders.
  const auto& o = spec.orders();
  if (!o.price().empty() && !IsDecimal(o.price())) {
    c.Add("orders.price", "a whole number of nRLC per task");
  }
  for (const auto& [field, value] :
       {std::pair<const char*, std::string>{"orders.volume", o.volume()},
        {"orders.category", o.category()},
        {"orders.trust", o.trust()}}) {
    if (!value.empty() && !IsDecimal(value)) c.Add(field, "a whole number");
  }
  if (o.volume() == "0") c.Add("orders.volume", "at least 1");
  if (!o.tag().empty()) {
    absl::StatusOr<std::string> tag = TagToBytes32(o.tag());
    if (!tag.ok()) {
      c.Add("orders.tag", std::string(tag.status().message()));
    } else if (v9) {
      CheckV9Tag(*tag, filled.orders().trust(), tdx, &c);
    }
  }
  if (!st.iexec_publisher && o.publisher() == v1::PUBLISHER_IEXEC) {
    c.Add("orders.publisher",
          "iExec's order-publisher image runs SDK 8, which knows no v9 "
          "(Arbitrum) chain: use publisher: poolops (the default on v9.3)");
  }
  if (!o.requester_restrict().empty() && !IsAddress(o.requester_restrict())) {
    c.Add("orders.requester_restrict", "not a 0x address of 40 hex digits");
  }

  // Workers.
  if (spec.workers_size() == 0) {
    c.Add("workers", "at least one worker");
  }
  std::set<std::string> names, wallets;
  for (int i = 0; i < spec.workers_size(); ++i) {
    const auto& w = spec.workers(i);
    std::string p = absl::StrCat("workers[", i, "]");
    if (w.name().empty()) {
      c.Add(p + ".name", "required: unique in the pool (container name)");
    } else if (!Matches(w.name(), "[a-z0-9][a-z0-9_-]{0,39}") ||
               w.name() == "core") {
      c.Add(p + ".name", absl::StrCat("'", w.name(),
                                      "': lowercase letters, digits, _ and -, "
                                      "at most 40, not 'core'"));
    } else if (!names.insert(w.name()).second) {
      c.Add(p + ".name",
            absl::StrCat("'", w.name(), "' is used by another worker"));
    }
    c.CheckTarget(p + ".target", w.target());
    c.CheckPlacement(p + ".placement", w.target(), w.placement(), host_network);
    if (!w.docker_socket().empty() &&
        (!Matches(w.docker_socket(), "/[A-Za-z0-9._/-]*") ||
         w.docker_socket().size() > 107)) {
      c.Add(p + ".docker_socket",
            "an absolute path of at most 107 bytes (letters, digits, . _ - /)");
    }
    if (w.wallet().empty()) {
      c.Add(p + ".wallet", "required: each worker signs with its own wallet");
    } else if (w.wallet() == wp.owner_wallet()) {
      c.Add(p + ".wallet", "the scheduler's wallet: a worker needs its own");
    } else if (!wallets.insert(w.wallet()).second) {
      c.Add(p + ".wallet",
            absl::StrCat("'", w.wallet(), "' is used by another worker"));
    }
    if (w.cpu() > 4096) c.Add(p + ".cpu", "at most 4096");
    if (!w.results_dir().empty() &&
        !Matches(w.results_dir(), "/[A-Za-z0-9._/-]*")) {
      c.Add(p + ".results_dir", "an absolute path (letters, digits, . _ - /)");
    }
    if (w.tee() && v9 && !tdx) {
      c.Add(p + ".tee",
            "a v9.3 TEE worker is TDX: needs the tdx feature in "
            "core.features");
    } else if (w.tee() && !v9 && !tee) {
      c.Add(p + ".tee", "needs the tee feature in core.features");
    }
    c.File(p + ".wallet_password_file", w.wallet_password_file());
  }

  // Extra environment: each name checked against what the stack's service
  // reads, each value the 9.x services would refuse.
  const auto& ov = spec.override_env();
  for (const auto& [role, field, env] :
       {std::tuple{StackRole::kCore, "override_env.core", &ov.core()},
        {StackRole::kBlockchainAdapter, "override_env.blockchain_adapter",
         &ov.blockchain_adapter()},
        {StackRole::kWorker, "override_env.worker", &ov.worker()}}) {
    std::map<std::string, std::string> sorted(env->begin(), env->end());
    for (const auto& [name, value] : sorted) {
      std::string at = absl::StrCat(field, ".", name);
      if (!IsEnvName(name)) {
        c.Add(at, "not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
        continue;
      }
      if (std::optional<std::string> why =
              UnreadVariable(filled.stack_version(), role, name)) {
        c.Add(at, *why);
        continue;
      }
      if (v9) {
        if (std::optional<std::string> why = BadV9Value(name, value)) {
          c.Add(at, *why);
        }
      }
    }
  }
  return c.Take();
}

}  // namespace poolops::orchestrator
