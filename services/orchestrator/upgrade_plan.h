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

}  // namespace poolops::orchestrator
