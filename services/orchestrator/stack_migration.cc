#include "services/orchestrator/stack_migration.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/stack_catalog.h"

namespace poolops::orchestrator {
namespace {

enum class How {
  kRename,      // same value under `to`
  kHttpsUrl,    // `to` = https://<value> (a host the older files put in a URL)
  kRemove,      // nothing reads it: commented out, `note` says what replaced it
  kManual,      // no mechanical rewrite: the operator decides (`note`)
  kIsoSeconds,  // same name; whole seconds become PT<n>S
  kPositive,    // same name; 0 (Bellecour's gasless setting) becomes 1.0
};

struct EnvChange {
  v1::StackVersion into;  // the version whose files changed
  bool core;              // core bundle (else worker bundle)
  const char* name;
  How how;
  const char* to;
  const char* note;
};

// The compose files' $VARIABLES of consecutive versions (v7.1 = the
// deployment README's kit, v8.3 = deploy-workerpool main, v9.3 = poolops'
// own files), diffed by hand where a diff cannot tell a rename.
const std::vector<EnvChange>& Changes() {
  using V = v1::StackVersion;
  constexpr V k8 = v1::STACK_VERSION_V8_3, k9 = v1::STACK_VERSION_V9_3;
  static const auto* changes = new std::vector<EnvChange>{
      {k8, true, "GRAFANA_TAG", How::kRename, "CORE_GRAFANA_TAG", ""},
      {k8, true, "GRAFANA_HOME_NAME", How::kRename, "WORKERPOOL_DESCRIPTION",
       ""},
      {k8, true, "PROD_SMS_HOST", How::kRemove, "",
       "8.x finds the SMS through the platform registry "
       "(chain_params.sms_scone_url / sms_gramine_url in the spec)"},
      {k8, true, "PUBLIC_CHAIN_URL", How::kRemove, "",
       "the 8.x core reads no public chain URL"},
      {k8, true, "WORKER_TAG", How::kRemove, "",
       "the v8.3 core files set no required worker version"},
      {k8, false, "WORKER_NAME", How::kManual, "",
       "v8.3 names a worker worker_prod-$WORKER_ID: its name is "
       "workers[].name in the spec, not an override"},
      {k9, true, "WORKERPOOL_DESCRIPTION", How::kRename, "GRAFANA_HOME_NAME",
       ""},
      {k9, true, "RESULT_HOST", How::kHttpsUrl, "RESULT_URL", ""},
      {k9, true, "CHAIN_BLOCK_TIME", How::kIsoSeconds, "", ""},
      {k9, true, "GAS_PRICE_MULTIPLIER", How::kPositive, "", ""},
      {k9, false, "GAS_PRICE_MULTIPLIER", How::kPositive, "", ""},
      {k9, true, "PROD_CHAIN_ADAPTER_HOST", How::kRemove, "",
       "the 9.x adapter is internal: workers no longer reach it"},
      {k9, true, "PROD_SMS_HOST", How::kRemove, "",
       "the SMS comes from the platform registry (tdx feature, "
       "chain_params.sms_tdx_url)"},
      {k9, true, "PROD_PLATFORM_REGISTRY_HOST", How::kRemove, "",
       "the platform registry is internal on v9.3"},
      {k9, true, "PUBLIC_CHAIN_URL", How::kRemove, "",
       "workers read the chain node from the config server"},
      {k9, true, "MARKET_API_HOST", How::kRemove, "",
       "no order-publisher container on v9.3: chain-gateway publishes"},
      {k9, true, "ORDER_PUBLISHER_TAG", How::kRemove, "",
       "no order-publisher container on v9.3"},
      {k9, true, "ORDER_PUBLISHER_REQUESTER_RESTRICT", How::kManual, "",
       "set orders.requester_restrict in the spec"},
      {k9, true, "MAX_ORDER_NUMBER", How::kManual, "",
       "set orders.max_open_orders in the spec"},
      {k9, true, "WORKERPOOL_PRICE", How::kManual, "",
       "set orders.price in the spec"},
      {k9, true, "PROD_MONGO_PASSWORD", How::kRemove, "",
       "v9.3 runs no mongo-express"},
      {k9, true, "CORE_MONGO_EXPRESS_TAG", How::kRemove, "",
       "v9.3 runs no mongo-express"},
      {k9, true, "BLOCKCHAIN_ADAPTER_MONGO_EXPRESS_TAG", How::kRemove, "",
       "v9.3 runs no mongo-express"},
      {k9, true, "CHAIN", How::kRemove, "",
       "the chain comes from the config server"},
      {k9, false, "PROD_CORE_HOST", How::kHttpsUrl, "CORE_URL", ""},
      {k9, false, "WORKER_ID", How::kManual, "",
       "v9.3 names a worker by WORKER_NAME: its name is workers[].name in "
       "the spec, not an override"},
      {k9, false, "SCONTAIN_REGISTRY_USERNAME", How::kRemove, "",
       "SGX is gone from v9: TEE is the tdx feature"},
      {k9, false, "SCONTAIN_REGISTRY_PASSWORD", How::kRemove, "",
       "SGX is gone from v9: TEE is the tdx feature"},
  };
  return *changes;
}

// One hop's rewrite of `name`=`value`; false when the hop leaves it alone.
struct Rewrite {
  std::string name, value;
  std::string change;    // for the changes list
  std::string unsolved;  // set: leave the line, say why
  bool drop = false;     // comment the line out
};

bool Apply(const EnvChange& c, Rewrite* r) {
  if (r->name != c.name) return false;
  const std::string from = VersionName(c.into);
  switch (c.how) {
    case How::kRename:
      r->change = absl::StrCat(r->name, " -> ", c.to);
      r->name = c.to;
      return true;
    case How::kHttpsUrl:
      r->change =
          absl::StrCat(r->name, " -> ", c.to, " (https://", r->value, ")");
      r->name = c.to;
      r->value = absl::StrCat("https://", r->value);
      return true;
    case How::kRemove:
      r->change = absl::StrCat(r->name, " removed: ", c.note);
      r->drop = true;
      return true;
    case How::kManual:
      r->unsolved = absl::StrCat(r->name, ": the ", from,
                                 " files do not read it: ", c.note);
      return true;
    case How::kIsoSeconds: {
      int64_t s = 0;
      if (!absl::SimpleAtoi(r->value, &s)) return false;  // ISO already
      if (s < 1 || s > 20) {
        r->unsolved = absl::StrCat(r->name, "=", r->value,
                                   ": a block time of 100 ms to 20 s as an "
                                   "ISO-8601 duration (PT5S)");
        return true;
      }
      r->change = absl::StrCat(r->name, " ", r->value, " -> PT", s, "S");
      r->value = absl::StrCat("PT", s, "S");
      return true;
    }
    case How::kPositive: {
      double m = 1;
      if (!absl::SimpleAtod(r->value, &m) || m > 0) return false;
      r->change = absl::StrCat(r->name, " ", r->value,
                               " -> 1.0 (9.x refuses 0: it priced "
                               "Bellecour's free gas)");
      r->value = "1.0";
      return true;
    }
  }
  return false;
}

}  // namespace

std::string VersionName(v1::StackVersion version) { return StackDir(version); }

OverrideMigration MigrateOverrideEnv(v1::StackVersion from, v1::StackVersion to,
                                     bool core, std::string_view text) {
  if (from == v1::STACK_VERSION_UNSPECIFIED) from = v1::STACK_VERSION_V7_1;
  OverrideMigration out;
  std::vector<std::string> lines;
  int n = 0;
  for (absl::string_view raw :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++n;
    std::string line(absl::StripAsciiWhitespace(raw));
    absl::string_view body = line;
    bool exported = absl::ConsumePrefix(&body, "export ");
    size_t eq = body.find('=');
    Rewrite r;
    if (!line.empty() && line[0] != '#' && eq != std::string::npos) {
      r.name = std::string(absl::StripAsciiWhitespace(body.substr(0, eq)));
      r.value =
          UnquoteEnvValue(absl::StripAsciiWhitespace(body.substr(eq + 1)));
    }
    std::vector<std::string> done;
    if (IsEnvName(r.name)) {
      for (const EnvChange& c : Changes()) {
        if (c.into <= from || c.into > to || c.core != core) continue;
        if (!Apply(c, &r)) continue;
        if (!r.unsolved.empty() || r.drop) break;
        done.push_back(std::exchange(r.change, ""));
      }
    }
    if (!r.unsolved.empty()) {
      out.unsolved.push_back(absl::StrCat("line ", n, ": ", r.unsolved));
      lines.emplace_back(std::string(raw));
    } else if (r.drop) {
      out.changes.push_back(absl::StrCat("line ", n, ": ", r.change));
      lines.push_back(absl::StrCat("# ", VersionName(to), " no longer reads ",
                                   r.name,
                                   " (poolops --migrate-overrides): ", line));
    } else if (!done.empty()) {
      // Quoted as the renderer writes the values compose reads.
      absl::StatusOr<std::string> written = EnvLine(r.name, r.value);
      if (!written.ok()) {
        out.unsolved.push_back(absl::StrCat("line ", n, ": ", r.name, ": ",
                                            written.status().message()));
        lines.emplace_back(std::string(raw));
        continue;
      }
      out.changes.push_back(
          absl::StrCat("line ", n, ": ", absl::StrJoin(done, ", then ")));
      lines.push_back(absl::StrCat(exported ? "export " : "",
                                   absl::StripSuffix(*written, "\n")));
    } else {
      lines.emplace_back(std::string(raw));
    }
  }
  out.text = absl::StrJoin(lines, "\n");
  return out;
}

std::optional<std::string> WhyV9ReadsNo(std::string_view name) {
  for (const EnvChange& c : Changes()) {
    if (c.into != v1::STACK_VERSION_V9_3 || name != c.name) continue;
    if (c.how == How::kRemove || c.how == How::kManual) return c.note;
    if (c.how == How::kRename || c.how == How::kHttpsUrl) {
      return absl::StrCat("9.x reads ", c.to);
    }
  }
  return std::nullopt;
}

}  // namespace poolops::orchestrator
