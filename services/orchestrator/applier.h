// The `pool up` workflow and its relatives (down, history, rollback) over
// the apply layers, each behind an interface: targets (local folder, SSH),
// the compose runner, the chain (chain-gateway), health (monitor), state
// (SQLite). The steps of `up` are in up_run.h. Every step is idempotent, so
// `up` after a crash converges; a failed health gate restores the hosts'
// previous bundles (backups) and marks the revision failed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/chain_client.h"
#include "services/orchestrator/compose_runner.h"
#include "services/orchestrator/health_probe.h"
#include "services/orchestrator/orchestrator.h"
#include "services/orchestrator/pool_backup.h"
#include "services/orchestrator/state_store.h"
#include "services/orchestrator/target.h"
#include "services/orchestrator/up_run.h"

namespace poolops::orchestrator {

// Up, Down and Rollback of one pool run one at a time: a second call while
// one runs is Aborted (it would otherwise mark the running revision
// "interrupted" and race it on the hosts). Different pools run in parallel.
class Applier {
 public:
  Applier(const Orchestrator* orchestrator, StateStore* state,
          TargetFactory* targets, ComposeRunner* runner, ChainClient* chain,
          HealthProbe* health, ApplyOptions options = {},
          Clock* clock = Clock::Real());

  // `cancelled` stops the wallets step between wallet creations.
  absl::StatusOr<v1::PoolResult> Up(const LoadedSpec& spec,
                                    const EventSink& sink,
                                    const CancelCheck& cancelled = {},
                                    const UpOptions& options = {});
  absl::StatusOr<v1::PoolResult> Down(const std::string& pool,
                                      bool remove_data);
  absl::StatusOr<std::vector<v1::Revision>> History(const std::string& pool);
  absl::StatusOr<v1::PoolResult> Rollback(const std::string& pool,
                                          uint32_t revision,
                                          const EventSink& sink,
                                          const CancelCheck& cancelled = {});
  // pool_backup.h: the pool as it runs, into a new folder under `out_dir`.
  absl::StatusOr<BackupResult> Backup(const std::string& pool,
                                      const std::filesystem::path& out_dir);
  // Checks the backup, puts back its wallets, secrets, state and the core's
  // database, then runs `up` of the backup's revision. FailedPrecondition
  // while the pool is up.
  absl::StatusOr<v1::PoolResult> Restore(const std::string& pool,
                                         const std::filesystem::path& from,
                                         const EventSink& sink,
                                         const CancelCheck& cancelled = {});
  // The specs of the pools that are up, as last applied.
  absl::StatusOr<std::vector<LoadedSpec>> RunningSpecs();

 private:
  // Holds the pool for the lifetime of the lease.
  class Lease {
   public:
    Lease(Applier* applier, std::string pool)
        : applier_(applier), pool_(std::move(pool)) {}
    Lease(Lease&& other) noexcept
        : applier_(std::exchange(other.applier_, nullptr)),
          pool_(std::move(other.pool_)) {}
    Lease(const Lease&) = delete;
    ~Lease();

   private:
    Applier* applier_;
    std::string pool_;
  };
  absl::StatusOr<Lease> Acquire(const std::string& pool, const char* what);
  absl::StatusOr<v1::PoolResult> UpHeld(const LoadedSpec& spec,
                                        const UpOptions& options,
                                        const EventSink& sink,
                                        const CancelCheck& cancelled);
  absl::StatusOr<LoadedSpec> SpecOf(const RevisionRecord& revision) const;
  ApplyLayers Layers() const {
    return {orchestrator_, state_,  targets_, runner_,
            chain_,        health_, options_, clock_};
  }
  const Orchestrator* orchestrator_;
  StateStore* state_;
  TargetFactory* targets_;
  ComposeRunner* runner_;
  ChainClient* chain_;
  HealthProbe* health_;
  ApplyOptions options_;
  Clock* clock_;
  absl::Mutex busy_mu_;
  std::map<std::string, std::string> busy_
      ABSL_GUARDED_BY(busy_mu_);  // pool -> what
};

}  // namespace poolops::orchestrator
