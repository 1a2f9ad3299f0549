// The `pool up` workflow and its relatives (down, history, rollback) over
// the apply layers, each behind an interface: targets (local folder, SSH),
// the compose runner, the chain (chain-gateway), health (monitor), state
// (SQLite). Steps: wallets -> registration -> stake -> core bundle -> up ->
// core healthy -> worker bundles in parallel -> up -> every worker alive ->
// publisher -> record the revision. Every step is idempotent, so `up` after
// a crash converges; a failed health gate restores the hosts' previous
// bundles (backups) and marks the revision failed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
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

// The revision's spec as stored: {"spec": <PoolSpec JSON>, "dir": "..."}.
std::string SpecEnvelope(const LoadedSpec& spec);

using EventSink = std::function<void(const v1::UpEvent&)>;

class Applier {
 public:
  Applier(const Orchestrator* orchestrator, StateStore* state,
          TargetFactory* targets, ComposeRunner* runner, ChainClient* chain,
          HealthProbe* health, ApplyOptions options = {},
          Clock* clock = Clock::Real());

  absl::StatusOr<v1::PoolResult> Up(const LoadedSpec& spec, const EventSink& sink);
  absl::StatusOr<v1::PoolResult> Down(const std::string& pool, bool remove_data);
  absl::StatusOr<std::vector<v1::Revision>> History(const std::string& pool);
  absl::StatusOr<v1::PoolResult> Rollback(const std::string& pool,
                                          uint32_t revision, const EventSink& sink);
  // The specs of the pools that are up, as last applied.
  absl::StatusOr<std::vector<LoadedSpec>> RunningSpecs();

 private:
  absl::StatusOr<LoadedSpec> SpecOf(const RevisionRecord& revision) const;
  const Orchestrator* orchestrator_;
  StateStore* state_;
  TargetFactory* targets_;
  ComposeRunner* runner_;
  ChainClient* chain_;
  HealthProbe* health_;
  ApplyOptions options_;
  Clock* clock_;
};

}  // namespace poolops::orchestrator
