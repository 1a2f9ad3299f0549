#include "services/orchestrator/spec_validator.h"

#include <regex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/orchestrator/secrets.h"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/spec_limits.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

bool Matches(const std::string& s, const char* pattern) {
  return std::regex_match(s, std::regex(pattern));
}

bool IsAddress(const std::string& s) {
  return Matches(s, "0x[0-9a-fA-F]{40}");
}

bool IsDecimal(const std::string& s) { return Matches(s, "[0-9]{1,78}"); }

bool IsHostName(const std::string& s) {
  // DNS names and IPv4 literals (what PROD_*_HOST accept).
  return s.size() <= 253 &&
         Matches(s, "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
}

// Text that goes into .env files and compose labels as one line.
bool IsEnvSafe(const std::string& s) {
  return s.find_first_of("\n\r'\\") == std::string::npos;
}

class Checker {
 public:
  Checker(const SpecLocations& loc, const fs::path& dir) : loc_(loc), dir_(dir) {}

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

  std::vector<v1::Violation> Take() { return std::move(out_); }

 private:
  const SpecLocations& loc_;
  fs::path dir_;
  std::vector<v1::Violation> out_;
};

}  // namespace

std::vector<v1::Violation> ValidateSpec(const v1::PoolSpec& spec,
                                        const SpecLocations& loc,
                                        const fs::path& spec_dir) {
  if (std::vector<v1::Violation> limits = CheckSpecLimits(spec, loc);
      !limits.empty()) {
    return limits;
  }
  Checker c(loc, spec_dir);
  const v1::PoolSpec filled = WithDefaults(spec);
  bool v8 = filled.stack_version() == v1::STACK_VERSION_V8_3;

  if (spec.name().empty()) {
    c.Add("name", "required: the pool's name (lowercase letters, digits, -)");
  } else if (!Matches(spec.name(), "[a-z0-9][a-z0-9-]{0,39}")) {
    c.Add("name", absl::StrCat("'", spec.name(),
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
    c.Add("workerpool.owner_wallet",
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
  if (im.simulators()) {
    if (v8) {
      c.Add("images.simulators",
            "the stack simulators play the v7.1 stack only (stack_version: v7.1)");
    }
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
  if (core.host().empty()) {
    c.Add("core.host",
          "required: PROD_CORE_HOST, the static IP or DNS name workers reach "
          "the core at");
  }
  for (const auto& [field, host] :
       {std::pair<const char*, std::string>{"core.host", core.host()},
        {"core.chain_adapter_host", core.chain_adapter_host()},
        {"core.grafana_host", core.grafana_host()},
        {"core.platform_registry_host", core.platform_registry_host()}}) {
    if (!host.empty() && !IsHostName(host)) {
      c.Add(field, absl::StrCat("'", host, "' is not a host name or IPv4 address"));
    }
  }
  if (!IsEnvSafe(core.grafana_home_name())) {
    c.Add("core.grafana_home_name", "one line, without ' or \\");
  }
  bool http = HasFeature(spec, v1::FEATURE_REV_PROXY_HTTP);
  bool https = HasFeature(spec, v1::FEATURE_REV_PROXY_HTTPS);
  bool tee = HasFeature(spec, v1::FEATURE_TEE);
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
    }
  }
  if (http && https) {
    c.Add("core.features",
          "rev-proxy-http and rev-proxy-https cannot be combined (pick one)");
  }
  if ((https || v8) && !Matches(core.letsencrypt_email(),
                                "[^@\\s'\\\\]+@[^@\\s'\\\\]+\\.[^@\\s'\\\\]+")) {
    c.Add("core.letsencrypt_email",
          v8 ? "required for v8.3 (Let's Encrypt certificates): an e-mail address"
             : "required with rev-proxy-https: an e-mail address");
  }
  if ((http || https) &&
      filled.network_mode() == v1::NETWORK_MODE_HOST) {
    c.Add("network_mode",
          "the reverse proxy routes to containers on compose networks: use "
          "bridge with rev-proxy features");
  }
  if ((http || https || v8) && im.simulators()) {
    c.Add("images.simulators", "no simulator plays nginx-proxy: drop the "
                               "rev-proxy features with simulators");
  }
  if (tee) {
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
  c.File("core.tee.scontain_password_file", core.tee().scontain_password_file());
  c.File("core.chain_adapter_password_file", core.chain_adapter_password_file());
  c.File("core.grafana_admin_password_file", core.grafana_admin_password_file());
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
    if (!tag.ok()) c.Add("orders.tag", std::string(tag.status().message()));
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
      c.Add(p + ".name", absl::StrCat("'", w.name(), "' is used by another worker"));
    }
    c.CheckTarget(p + ".target", w.target());
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
    if (w.tee() && !tee) {
      c.Add(p + ".tee", "needs the tee feature in core.features");
    }
    c.File(p + ".wallet_password_file", w.wallet_password_file());
  }
  return c.Take();
}

}  // namespace poolops::orchestrator
