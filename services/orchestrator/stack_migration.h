// What an upgrade between stack versions (v7.1 -> v8.3 -> v9.3) means for
// the operator's override.env: the compose files of each version read other
// $VARIABLES (renamed, merged into URLs, gone), and compose silently ignores
// a variable nothing reads. `pool plan` names each entry with its new name,
// `pool up` refuses while one would be ignored, and --migrate-overrides
// rewrites the file with what the new version reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// "v7.1": the spec's name of a version.
std::string VersionName(v1::StackVersion version);

// Where the values of one bundle's override.env end up: the new names
// (with their new formats), lines commented out with the reason, lines the
// operator must rewrite by hand.
struct OverrideMigration {
  std::string text;  // the migrated file
  std::vector<std::string>
      changes;  // "line 3: GRAFANA_TAG -> CORE_GRAFANA_TAG"
  std::vector<std::string> unsolved;  // "line 5: WORKER_NAME: <why, the fix>"
  bool changed() const { return !changes.empty(); }
};

// The file of a core bundle (`core`) or a worker bundle, written for the
// `from` stack, for the `to` stack (from < to: every version between is
// applied in turn). Lines that are not NAME=value, comments and names that
// did not change stay as they are.
OverrideMigration MigrateOverrideEnv(v1::StackVersion from, v1::StackVersion to,
                                     bool core, std::string_view text);

// Why the v9.3 files read no `name` of an older override.env (what replaced
// it), from the same table; nullopt for a name the table does not know.
std::optional<std::string> WhyV9ReadsNo(std::string_view name);

}  // namespace poolops::orchestrator
