#include "services/orchestrator/upgrade_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/bundle_diff.h"
#include "services/orchestrator/compose_file.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/stack_migration.h"
#include "services/orchestrator/stack_variables.h"

namespace poolops::orchestrator {
namespace {

// Service -> its environment names (every compose file of the bundle, in
// order) and its image as written.
struct Services {
  std::map<std::string, std::vector<std::string>> env;
  std::map<std::string, std::string> image;
};

Services ServicesOf(const Bundle& b) {
  Services out;
  for (auto& [name, c] : ComposeFilesOf(b)) {
    for (const std::string& s : c.ServiceNames()) {
      std::vector<std::string>& env = out.env[s];
      for (const std::string& n : c.EnvNames(s)) {
        if (std::find(env.begin(), env.end(), n) == env.end()) env.push_back(n);
      }
      if (c.Service(s)["image"]) {
        out.image[s] = c.Service(s)["image"].as<std::string>("");
      }
    }
  }
  return out;
}

std::optional<StackRole> RoleOfService(const std::string& service,
                                       const std::string& worker_service) {
  if (service == "core") return StackRole::kCore;
  if (service == "blockchain-adapter") return StackRole::kBlockchainAdapter;
  if (service == worker_service) return StackRole::kWorker;
  return std::nullopt;
}

// "renamed A (9.x reads B); removed C; added D" for one service.
std::string EnvChanges(const std::vector<std::string>& before,
                       const std::vector<std::string>& after,
                       std::optional<StackRole> role, bool into_v9) {
  std::vector<std::string> renamed, removed, added;
  for (const std::string& n : before) {
    if (std::find(after.begin(), after.end(), n) != after.end()) continue;
    std::optional<std::string> fix;
    if (role && into_v9) fix = V9Replacement(*role, n);
    if (fix) {
      renamed.push_back(absl::StrCat(n, " (9.x ", *fix, ")"));
    } else {
      removed.push_back(n);
    }
  }
  for (const std::string& n : after) {
    if (std::find(before.begin(), before.end(), n) == before.end())
      added.push_back(n);
  }
  std::vector<std::string> parts;
  if (!renamed.empty())
    parts.push_back("no longer read: " + absl::StrJoin(renamed, ", "));
  if (!removed.empty())
    parts.push_back("removed " + absl::StrJoin(removed, ", "));
  if (!added.empty()) parts.push_back("added " + absl::StrJoin(added, ", "));
  return absl::StrJoin(parts, "; ");
}

// The tag of an image written as repo:$VARIABLE or repo:tag.
std::string ImageTag(const std::string& image, const Bundle& b) {
  size_t colon = image.rfind(':');
  if (colon == std::string::npos) return "latest";
  std::string tag = image.substr(colon + 1);
  if (tag.empty() || tag[0] != '$') return tag;
  std::string var = tag.substr(tag[1] == '{' ? 2 : 1);
  if (!var.empty() && var.back() == '}') var.pop_back();
  for (const auto& [k, v] : b.env) {
    if (k == var) return v;
  }
  return tag;
}

const Bundle* FirstWorker(const std::vector<Bundle>& bundles) {
  for (const Bundle& b : bundles) {
    if (b.role == "worker") return &b;
  }
  return nullptr;
}

}  // namespace

std::vector<v1::Action> StackMigrationActions(
    const v1::PoolSpec& before, const std::vector<Bundle>& old_bundles,
    const v1::PoolSpec& after, const std::vector<Bundle>& new_bundles,
    const std::vector<std::string>& rolled) {
  std::vector<v1::Action> out;
  auto add = [&](const std::string& target, const std::string& detail) {
    v1::Action* a = &out.emplace_back();
    a->set_step("migrate");
    a->set_target(target);
    a->set_detail(detail);
  };
  const std::string from = VersionName(before.stack_version());
  const std::string to = VersionName(after.stack_version());
  const bool into_v9 = after.stack_version() == v1::STACK_VERSION_V9_3;
  if (before.stack_version() > after.stack_version()) {
    add(after.name(),
        absl::StrCat(from, " -> ", to,
                     ": a downgrade; `pool up` refuses it (the older core "
                     "may not read what the newer one wrote): `pool "
                     "rollback` to a revision that ran ",
                     to, " is the way back"));
    return out;
  }
  if (old_bundles.empty() || new_bundles.empty()) return out;

  // The core bundle, service by service.
  const Bundle& old_core = old_bundles.front();
  const Bundle& new_core = new_bundles.front();
  Services o = ServicesOf(old_core), n = ServicesOf(new_core);
  std::vector<std::string> gone, came;
  for (const auto& [s, env] : o.env) {
    if (!n.env.count(s)) gone.push_back(s);
  }
  for (const auto& [s, env] : n.env) {
    if (!o.env.count(s)) came.push_back(s);
  }
  if (!gone.empty() || !came.empty()) {
    std::vector<std::string> parts;
    if (!came.empty()) parts.push_back("added " + absl::StrJoin(came, ", "));
    if (!gone.empty()) parts.push_back("removed " + absl::StrJoin(gone, ", "));
    add(after.core().target(),
        absl::StrCat(from, " -> ", to,
                     " core bundle services: ", absl::StrJoin(parts, "; ")));
  }
  for (const auto& [s, env] : n.env) {
    auto it = o.env.find(s);
    if (it == o.env.end()) continue;
    std::string changes = EnvChanges(
        it->second, env,
        RoleOfService(s, TraitsOf(after.stack_version()).worker_service),
        into_v9);
    if (!changes.empty()) {
      add(after.core().target(),
          absl::StrCat(from, " -> ", to, " service ", s, ": ", changes));
    }
  }

  // The core's database: the same major version keeps its files.
  if (o.image.count("mongo") && n.image.count("mongo")) {
    std::string t0 = ImageTag(o.image["mongo"], old_core);
    std::string t1 = ImageTag(n.image["mongo"], new_core);
    add(after.core().target(),
        MongoSeries(t0) == MongoSeries(t1)
            ? absl::StrCat("core database: mongo ", t0, " -> ", t1,
                           ", same major version: its volume is kept as is")
            : absl::StrCat(
                  "core database: mongo ", t0, " -> ", t1,
                  ": a major version change needs mongo's own "
                  "upgrade path (one major at a time, "
                  "featureCompatibilityVersion): not done by poolops"));
  }

  // The workers' service (its name changes between versions).
  const Bundle* ow = FirstWorker(old_bundles);
  const Bundle* nw = FirstWorker(new_bundles);
  if (ow != nullptr && nw != nullptr) {
    const std::string os = TraitsOf(before.stack_version()).worker_service;
    const std::string ns = TraitsOf(after.stack_version()).worker_service;
    Services wo = ServicesOf(*ow), wn = ServicesOf(*nw);
    if (wo.env.count(os) && wn.env.count(ns)) {
      std::string changes =
          EnvChanges(wo.env[os], wn.env[ns], StackRole::kWorker, into_v9);
      add("workers", absl::StrCat(from, " -> ", to, " worker service ",
                                  os == ns ? os : absl::StrCat(os, " -> ", ns),
                                  changes.empty() ? "" : ": ", changes));
    }
  }

  // The order `up` follows.
  std::string order = absl::StrCat(
      "rollout: ",
      before.orders().publisher() == v1::PUBLISHER_POOLOPS
          ? "chain-gateway's publisher paused, "
          : "",
      "the core replaced and gated healthy, then ", rolled.size(),
      " worker bundle(s) ", after.rollout().workers_at_once(), " at a time (",
      absl::StrJoin(rolled, ", "),
      "), each gated running and alive; nothing is kept until every worker "
      "runs ",
      to);
  bool sets_required = false;
  for (const auto& [k, v] : new_core.env) {
    sets_required |= k == "WORKER_TAG" && !v.empty();
  }
  if (sets_required) {
    absl::StrAppend(&order, "; then the core requires worker ",
                    after.images().worker_tag(),
                    " (the workers register once more)");
  }
  absl::StrAppend(&order,
                  "; any failure puts the previous revision's files back on "
                  "every host; override.env files are checked before "
                  "anything changes");
  add(after.name(), order);
  return out;
}

std::string CoreDatabaseTag(const Bundle& core) {
  Services s = ServicesOf(core);
  auto it = s.image.find(kCoreDatabaseService);
  return it == s.image.end() ? "" : ImageTag(it->second, core);
}

std::string MongoSeries(const std::string& version) {
  std::string v(absl::StripPrefix(version, "v"));
  std::vector<std::string> parts = absl::StrSplit(v, '.');
  if (parts.size() < 2) return v;
  return absl::StrCat(parts[0], ".", parts[1]);
}

}  // namespace poolops::orchestrator
