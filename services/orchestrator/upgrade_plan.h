// The `migrate` actions `pool plan` lists when a spec changes the stack
// version of a running pool: per service of the core bundle and of the
// workers, the services added and removed and every environment variable
// renamed, removed or added; the core's database; the order of the rollout.
// The hosts' override.env entries are read by `pool up` (check-overrides).
#pragma once

#include <string>
#include <vector>

#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/renderer.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// `before`/`after`: the specs with defaults; `old_bundles`/`new_bundles`:
// their renderings (core first); `rolled`: the worker bundles `up` will
// replace, in rollout order.
std::vector<v1::Action> StackMigrationActions(
    const v1::PoolSpec& before, const std::vector<Bundle>& old_bundles,
    const v1::PoolSpec& after, const std::vector<Bundle>& new_bundles,
    const std::vector<std::string>& rolled);

// The tag of the core's database image (its "mongo" service), resolved
// against the bundle's .env values; "" when the bundle has none.
std::string CoreDatabaseTag(const Bundle& core);

// A mongo version's release series ("4.4.29" -> "4.4", "v6.0" -> "6.0"): the
// files of one series are read by the next only after mongo's own upgrade
// path (featureCompatibilityVersion), one series at a time.
std::string MongoSeries(const std::string& version);

}  // namespace poolops::orchestrator
