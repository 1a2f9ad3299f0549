// One `pool up` (or rollback to a revision): its steps in order, each with
// its undo (services/orchestrator/step_list.h), over the apply layers the
// Applier holds. Used by the Applier only, under the pool's lease.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/clock.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/chain_client.h"
#include "services/orchestrator/compose_runner.h"
#include "services/orchestrator/health_probe.h"
#include "services/orchestrator/orchestrator.h"
#include "services/orchestrator/state_store.h"
#include "services/orchestrator/target.h"

namespace poolops::orchestrator {

struct ApplyOptions {
  absl::Duration core_healthy_timeout = absl::Minutes(3);
  absl::Duration workers_alive_timeout = absl::Minutes(3);
  absl::Duration poll_interval = absl::Milliseconds(500);
};

using EventSink = std::function<void(const v1::UpEvent&)>;

// The layers a `pool up` acts through; all must outlive the run.
struct ApplyLayers {
  const Orchestrator* orchestrator;
  StateStore* state;
  TargetFactory* targets;
  ComposeRunner* runner;
  ChainClient* chain;
  HealthProbe* health;
  ApplyOptions options;
  Clock* clock;
};

ComposeBundle ComposeOf(const Bundle& b);
ComposeBundle ComposeOf(const BundleRecord& b);

// The revision's spec as stored: {"spec": <PoolSpec JSON>, "dir": "..."}.
std::string SpecEnvelope(const LoadedSpec& spec);

// Wallets -> (devnet) funding -> registration -> stake -> bundles -> core
// up -> core healthy (kept from here on) -> stale bundles down -> workers up
// in parallel -> every worker alive -> publisher -> monitor -> the revision
// recorded. A failed step takes back the hosts' bundles done since the core
// gate, last first, and marks the revision failed.
absl::StatusOr<v1::PoolResult> RunUp(const ApplyLayers& layers,
                                     const LoadedSpec& loaded,
                                     const EventSink& sink,
                                     const CancelCheck& cancelled);

}  // namespace poolops::orchestrator
