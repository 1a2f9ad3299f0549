#include "services/monitor/endpoints_store.h"

#include <google/protobuf/util/json_util.h>

#include <regex>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/files.h"

namespace poolops::monitor {
namespace {

absl::Status CheckUrl(std::string* url, std::string_view field, bool required) {
  absl::StripAsciiWhitespace(url);
  if (url->empty()) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), " is required"));
  }
  if (!absl::StartsWith(*url, "http://") &&
      !absl::StartsWith(*url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(field), " ", *url, ": want an http:// or https:// URL"));
  }
  if (url->size() > 2048 ||
      url->find_first_of(" \t\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": not a URL"));
  }
  while (absl::EndsWith(*url, "/") && url->size() > 8) url->pop_back();
  return absl::OkStatus();
}

bool Decimal(const std::string& s) {
  return !s.empty() && s.size() <= 78 &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

absl::Status ValidateEndpoints(PoolEndpoints* t) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  if (!std::regex_match(t->pool(), kName)) {
    return absl::InvalidArgumentError(
        absl::StrCat("pool \"", t->pool().substr(0, 80),
                     "\": want 1-64 letters, digits, '.', '_' or '-'"));
  }
  if (absl::Status s = CheckUrl(t->mutable_core(), "--core", true); !s.ok()) {
    return s;
  }
  if (t->core_health() != "none") {
    if (absl::Status s =
            CheckUrl(t->mutable_core_health(), "--core-health", false);
        !s.ok()) {
      return s;
    }
  }
  const std::pair<std::string*, std::string_view> optional_urls[] = {
      {t->mutable_grafana(), "--grafana"},
      {t->mutable_adapter(), "--adapter"},
      {t->mutable_config_server(), "--config-server"},
      {t->mutable_rpc(), "--rpc"},
      {t->mutable_market(), "--market"},
  };
  for (const auto& [url, field] : optional_urls) {
    if (absl::Status s = CheckUrl(url, field, false); !s.ok()) return s;
  }
  // The base URL: the monitor adds the path (a URL pasted whole works too).
  if (absl::EndsWith(t->config_server(), "/config/chain")) {
    t->mutable_config_server()->resize(t->config_server().size() - 13);
  }
  if (t->adapter_path().empty()) t->set_adapter_path("/config/chain");
  if (!absl::StartsWith(t->adapter_path(), "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--adapter-path ", t->adapter_path(),
                     ": want a path such as "
                     "/config/chain or /actuator/health"));
  }
  if (!t->chain_id().empty() && !Decimal(t->chain_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("--chain-id ", t->chain_id(), ": want a decimal number"));
  }
  static const std::regex kAddress("0x[0-9a-fA-F]{40}");
  if (!t->workerpool().empty() &&
      !std::regex_match(t->workerpool(), kAddress)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--workerpool ", t->workerpool(), ": want a 0x address (40 hex)"));
  }
  std::set<std::string> names;
  for (auto& w : *t->mutable_workers()) {
    if (!std::regex_match(w.name(), kName)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--worker \"", w.name().substr(0, 80), "\": bad worker name"));
    }
    if (!names.insert(w.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--worker ", w.name(), " given twice"));
    }
    if (absl::Status s = CheckUrl(w.mutable_health_url(),
                                  absl::StrCat("--worker ", w.name()), false);
        !s.ok()) {
      return s;
    }
  }
  if (t->swarm_stacks_size() > 64) {
    return absl::InvalidArgumentError("more than 64 swarm stacks");
  }
  static const std::regex kDockerHost(
      "(unix:///[A-Za-z0-9._/-]{1,106}|ssh://"
      "([A-Za-z0-9_][A-Za-z0-9._-]{0,63}@)?"
      "([A-Za-z0-9_][A-Za-z0-9._-]{0,252}|\\[[0-9a-fA-F:.]{2,45}\\])"
      "(:[0-9]{1,5})?)?");
  for (const v1::SwarmStack& st : t->swarm_stacks()) {
    if (!std::regex_match(st.docker_host(), kDockerHost)) {
      return absl::InvalidArgumentError(
          absl::StrCat("swarm stack ", st.project().substr(0, 80),
                       ": docker host \"", st.docker_host().substr(0, 120),
                       "\" is not unix:///path or ssh://[user@]host[:port]"));
    }
    if (!std::regex_match(st.project(), kName)) {
      return absl::InvalidArgumentError(
          absl::StrCat("swarm stack \"", st.project().substr(0, 80),
                       "\": want 1-64 letters, digits, '.', '_' or '-'"));
    }
    if (st.role() != "core" && st.role() != "worker") {
      return absl::InvalidArgumentError(absl::StrCat(
          "swarm stack ", st.project(), ": role is core or worker"));
    }
  }
  names.clear();
  for (auto& w : *t->mutable_wallets()) {
    if (w.name().empty() || w.name().size() > 128) {
      return absl::InvalidArgumentError(
          "--wallet: a name or address is needed");
    }
    if (!names.insert(w.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--wallet ", w.name(), " given twice"));
    }
    if (w.role().empty()) w.set_role("worker");
    if (w.role() != "scheduler" && w.role() != "worker") {
      return absl::InvalidArgumentError(
          absl::StrCat("--wallet ", w.name(), ": role ", w.role(),
                       " is not scheduler or worker"));
    }
    for (const std::string* v : {&w.min_stake(), &w.min_native()}) {
      if (!v->empty() && !Decimal(*v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--wallet ", w.name(), ": minimum ", *v,
                         " is not a decimal amount"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PoolEndpoints> PoolEndpointsFromJson(const std::string& text,
                                                    const std::string& what) {
  PoolEndpoints t;
  google::protobuf::util::JsonParseOptions options;
  auto s = google::protobuf::util::JsonStringToMessage(text, &t, options);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": not pool targets JSON: ", std::string(s.message())));
  }
  return t;
}

absl::StatusOr<std::vector<PoolEndpoints>> EndpointsStore::Load() const {
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return std::vector<PoolEndpoints>();
  absl::StatusOr<std::string> text = files::ReadFile(file_, 16 << 20);
  if (!text.ok()) return text.status();
  v1::ListPoolsResponse list;
  auto s = google::protobuf::util::JsonStringToMessage(*text, &list);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_.string(), ": does not parse: ", std::string(s.message())));
  }
  std::vector<PoolEndpoints> pools;
  for (PoolEndpoints& p : *list.mutable_pools()) {
    if (absl::Status v = ValidateEndpoints(&p); !v.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_.string(), ": pool ", p.pool(), ": ", v.message()));
    }
    pools.push_back(std::move(p));
  }
  return pools;
}

absl::Status EndpointsStore::Save(
    const std::vector<PoolEndpoints>& pools) const {
  if (absl::Status s = files::EnsureDir(file_.parent_path(), 0700); !s.ok()) {
    return s;
  }
  v1::ListPoolsResponse list;
  for (const PoolEndpoints& p : pools) *list.add_pools() = p;
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  auto s = google::protobuf::util::MessageToJsonString(list, &text, options);
  if (!s.ok()) return absl::InternalError(std::string(s.message()));
  return files::WriteFileAtomic(file_, text, 0600);
}

}  // namespace poolops::monitor
