// One `pool up` (or rollback to a revision): its steps in order, each with
// its undo (services/orchestrator/step_list.h), over the apply layers the
// Applier holds. Used by the Applier only, under the pool's lease.
#pragma once

#include <filesystem>
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
  // A replaced worker counts as up once its containers have run this long
  // without a restart (a worker refused by its core, or that cannot read
  // its configuration, exits within seconds).
  absl::Duration worker_settle = absl::Seconds(10);
  // How long the core counts a worker alive after its last ping (iexec-core:
  // one minute). A count right after a rollout still includes replaced
  // workers: the last gate waits this long after the last batch.
  absl::Duration core_alive_window = absl::Minutes(1);
  // Where backups go without an --out folder, and an upgrade's (empty: an
  // upgrade takes none; main.cc sets <home>/backups).
  std::filesystem::path backup_dir;
};

// What the operator asked of one `up` beyond the spec.
struct UpOptions {
  // Write the migrated override.env files (the old ones kept beside them)
  // instead of refusing an upgrade that would ignore their entries.
  bool migrate_overrides = false;
  // `pool rollback`: going back to an older stack version is allowed (it is
  // rolled like an upgrade); a spec with an older version is refused.
  bool rollback = false;
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
// up -> core healthy (kept from here on) -> stale bundles down -> new and
// unchanged workers up in parallel, changed ones `rollout.workers_at_once`
// at a time, each batch gated -> every worker alive -> publisher -> monitor
// -> the revision recorded. A failed step takes back the hosts' bundles done
// since the core gate, last first, and marks the revision failed.
//
// An upgrade (a higher stack_version than the last applied revision's) also
// checks the operators' override.env files first (migrating them with
// UpOptions::migrate_overrides), pauses the poolops publisher while the
// core is replaced, runs the new core without a required worker version
// while old workers are rolled, sets it once all run the new version, and
// keeps nothing until the end: any failure puts the previous revision back
// on every host. A downgrade is refused (rollback is the way back).
absl::StatusOr<v1::PoolResult> RunUp(const ApplyLayers& layers,
                                     const LoadedSpec& loaded,
                                     const UpOptions& options,
                                     const EventSink& sink,
                                     const CancelCheck& cancelled);

}  // namespace poolops::orchestrator
