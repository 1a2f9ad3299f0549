#include "services/orchestrator/applier.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"

namespace poolops::orchestrator {

Applier::Applier(const Orchestrator* orchestrator, StateStore* state,
                 TargetFactory* targets, ComposeRunner* runner,
                 ChainClient* chain, HealthProbe* health, ApplyOptions options,
                 Clock* clock)
    : orchestrator_(orchestrator),
      state_(state),
      targets_(targets),
      runner_(runner),
      chain_(chain),
      health_(health),
      options_(options),
      clock_(clock) {}

absl::StatusOr<LoadedSpec> Applier::SpecOf(
    const RevisionRecord& revision) const {
  return orchestrator_->LoadRevision(revision);
}

absl::StatusOr<std::vector<LoadedSpec>> Applier::RunningSpecs() {
  absl::StatusOr<std::vector<std::string>> pools =
      state_->PoolsWithStatus("up");
  if (!pools.ok()) return pools.status();
  std::vector<LoadedSpec> out;
  for (const std::string& pool : *pools) {
    absl::StatusOr<std::optional<RevisionRecord>> last =
        state_->LastApplied(pool);
    if (!last.ok()) return last.status();
    if (!last->has_value()) continue;
    absl::StatusOr<LoadedSpec> spec = SpecOf(**last);
    if (!spec.ok()) return spec.status();
    out.push_back(std::move(*spec));
  }
  return out;
}

Applier::Lease::~Lease() {
  if (applier_ == nullptr) return;
  absl::MutexLock lock(&applier_->busy_mu_);
  applier_->busy_.erase(pool_);
}

absl::StatusOr<Applier::Lease> Applier::Acquire(const std::string& pool,
                                                const char* what) {
  absl::MutexLock lock(&busy_mu_);
  auto [it, added] = busy_.emplace(pool, what);
  if (!added) {
    return absl::AbortedError(
        absl::StrCat("pool '", pool, "': a `pool ", it->second,
                     "` is running; wait for it to end, then try again"));
  }
  return Lease(this, pool);
}

absl::StatusOr<v1::PoolResult> Applier::Up(const LoadedSpec& loaded,
                                           const EventSink& sink,
                                           const CancelCheck& cancelled,
                                           const UpOptions& options) {
  absl::StatusOr<Lease> lease = Acquire(loaded.spec.name(), "up");
  if (!lease.ok()) return lease.status();
  UpOptions up = options;
  up.rollback = false;
  return UpHeld(loaded, up, sink, cancelled);
}

absl::StatusOr<v1::PoolResult> Applier::UpHeld(const LoadedSpec& loaded,
                                               const UpOptions& options,
                                               const EventSink& sink,
                                               const CancelCheck& cancelled) {
  return RunUp(Layers(), loaded, options, sink, cancelled);
}

absl::StatusOr<BackupResult> Applier::Backup(
    const std::string& pool, const std::filesystem::path& out_dir) {
  absl::StatusOr<Lease> lease = Acquire(pool, "backup");
  if (!lease.ok()) return lease.status();
  if (out_dir.empty() && options_.backup_dir.empty()) {
    return absl::InvalidArgumentError("no backup folder: give --out");
  }
  absl::StatusOr<BackupResult> result = BackupPool(
      Layers(), pool, out_dir.empty() ? options_.backup_dir : out_dir);
  if (result.ok()) {
    absl::StatusOr<std::optional<RevisionRecord>> last =
        state_->LastApplied(pool);
    if (last.ok() && last->has_value()) {
      state_
          ->RecordEvent(pool, (*last)->revision, "backup", "pool", "STATE_DONE",
                        result->path)
          .IgnoreError();
    }
  }
  return result;
}

absl::StatusOr<v1::PoolResult> Applier::Restore(
    const std::string& pool, const std::filesystem::path& from,
    const EventSink& sink, const CancelCheck& cancelled) {
  absl::StatusOr<Lease> lease = Acquire(pool, "restore");
  if (!lease.ok()) return lease.status();
  auto step = [&](const std::string& name, v1::StepEvent::State state,
                  const std::string& message) {
    v1::UpEvent e;
    e.mutable_step()->mutable_action()->set_step(name);
    e.mutable_step()->mutable_action()->set_target("pool");
    e.mutable_step()->set_state(state);
    e.mutable_step()->set_message(message);
    sink(e);
  };
  step("check-backup", v1::StepEvent::STATE_STARTED, from.string());
  absl::StatusOr<PoolBackup> backup = ReadBackup(from, pool);
  if (!backup.ok()) return backup.status();
  absl::StatusOr<std::string> status = state_->PoolStatus(pool);
  if (!status.ok() && !absl::IsNotFound(status.status())) {
    return status.status();
  }
  if (status.ok() && *status == "up") {
    return absl::FailedPreconditionError(
        absl::StrCat("pool '", pool, "' is up: `pool down ", pool,
                     "` first (restore replaces the core's database)"));
  }
  step("check-backup", v1::StepEvent::STATE_DONE,
       absl::StrCat("revision ", backup->revision, ", ", backup->wallets.size(),
                    " wallets, checksums match"));
  step("restore-records", v1::StepEvent::STATE_STARTED,
       "wallets, secrets, state");
  if (absl::Status s = RestoreRecords(Layers(), *backup); !s.ok()) return s;
  // The backup's state predates its own record: `pool history` names it.
  state_
      ->RecordEvent(pool, backup->revision, "backup", "pool", "STATE_DONE",
                    from.string())
      .IgnoreError();
  step("restore-records", v1::StepEvent::STATE_DONE, "");
  absl::StatusOr<std::optional<RevisionRecord>> revision =
      state_->Get(pool, backup->revision);
  if (!revision.ok()) return revision.status();
  if (!revision->has_value() || (*revision)->outcome != "applied") {
    return absl::FailedPreconditionError(
        absl::StrCat("revision ", backup->revision, " of '", pool,
                     "' is not an applied revision here"));
  }
  absl::StatusOr<LoadedSpec> loaded = SpecOf(**revision);
  if (!loaded.ok()) return loaded.status();
  const BundleRecord* core = nullptr;
  for (const BundleRecord& b : (*revision)->bundles) {
    if (b.role == "core") core = &b;
  }
  if (core == nullptr) {
    return absl::DataLossError("the revision records no core bundle");
  }
  step("restore-bundles", v1::StepEvent::STATE_STARTED,
       "the backed-up files and the operator's own");
  if (absl::Status s = RestoreBundles(Layers(), *backup, (*revision)->bundles,
                                      loaded->dir.string());
      !s.ok()) {
    return s;
  }
  step("restore-bundles", v1::StepEvent::STATE_DONE, "");
  step("restore-database", v1::StepEvent::STATE_STARTED, core->target);
  if (absl::Status s =
          RestoreCoreDatabase(Layers(), *backup, *core, loaded->dir.string());
      !s.ok()) {
    return s;
  }
  step("restore-database", v1::StepEvent::STATE_DONE,
       absl::StrCat(backup->core_database.size(), " bytes"));
  UpOptions up;
  up.rollback = true;  // the backup's version, whatever ran since
  return UpHeld(*loaded, up, sink, cancelled);
}

absl::StatusOr<v1::PoolResult> Applier::Down(const std::string& pool,
                                             bool remove_data) {
  absl::StatusOr<Lease> lease = Acquire(pool, "down");
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::vector<RevisionRecord>> history = state_->History(pool);
  if (!history.ok()) return history.status();
  // What may run: the bundles of every revision that got as far as files.
  const RevisionRecord* last = nullptr;
  for (const RevisionRecord& r : *history) {
    if (!r.bundles.empty()) last = &r;
  }
  v1::PoolResult result;
  result.set_pool(pool);
  result.set_revision(history->back().revision);
  absl::StatusOr<std::string> wp = state_->Workerpool(pool);
  if (wp.ok()) result.set_workerpool(*wp);
  if (last == nullptr) {
    state_->MarkDown(pool).IgnoreError();
    return result;
  }
  absl::StatusOr<LoadedSpec> loaded = SpecOf(*last);
  std::string dir = loaded.ok() ? loaded->dir.string() : "";
  std::vector<absl::Status> results(last->bundles.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < last->bundles.size(); ++i) {
    threads.emplace_back([&, i] {
      const BundleRecord& b = last->bundles[i];
      absl::StatusOr<std::unique_ptr<Target>> t =
          targets_->Open(b.target, dir, pool);
      if (!t.ok()) {
        results[i] = t.status();
        return;
      }
      results[i] = runner_->Down(t->get(), ComposeOf(b), remove_data);
      if (results[i].ok()) {
        state_->SetHost(pool, b.name, b.target, last->revision, "down")
            .IgnoreError();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::string> errors;
  for (size_t i = 0; i < results.size(); ++i) {
    result.add_hosts(last->bundles[i].target);
    if (!results[i].ok()) errors.push_back(std::string(results[i].message()));
  }
  if (!errors.empty()) {
    return absl::UnavailableError(
        absl::StrCat("down incomplete: ", absl::StrJoin(errors, "; ")));
  }
  if (absl::Status s = state_->MarkDown(pool); !s.ok()) return s;
  // Nothing left to watch; a monitor that is not running has nothing to drop.
  health_->Unwatch(pool).IgnoreError();
  state_
      ->RecordEvent(
          pool, last->revision, "down", "pool", "STATE_DONE",
          remove_data ? "containers and volumes removed" : "containers removed")
      .IgnoreError();
  return result;
}

absl::StatusOr<std::vector<v1::Revision>> Applier::History(
    const std::string& pool) {
  absl::StatusOr<std::vector<RevisionRecord>> history = state_->History(pool);
  if (!history.ok()) return history.status();
  std::vector<v1::Revision> out;
  for (const RevisionRecord& r : *history) {
    v1::Revision& v = out.emplace_back();
    v.set_revision(r.revision);
    v.set_applied_at(r.applied_at);
    v.set_outcome(r.outcome);
    v.set_message(r.message);
    v.set_workerpool(r.workerpool);
    absl::StatusOr<std::vector<EventRecord>> events =
        state_->Events(pool, r.revision);
    if (events.ok()) {
      for (const EventRecord& e : *events) {
        if (e.step == "backup" && e.state == "STATE_DONE") {
          v.set_backup(e.message);
        }
      }
    }
    absl::StatusOr<LoadedSpec> spec = SpecOf(r);
    if (spec.ok()) *v.mutable_spec() = spec->spec;
  }
  return out;
}

absl::StatusOr<v1::PoolResult> Applier::Rollback(const std::string& pool,
                                                 uint32_t revision,
                                                 const EventSink& sink,
                                                 const CancelCheck& cancelled) {
  absl::StatusOr<Lease> lease = Acquire(pool, "rollback");
  if (!lease.ok()) return lease.status();
  absl::StatusOr<std::optional<RevisionRecord>> r = state_->Get(pool, revision);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("pool '", pool, "' has no revision ", revision));
  }
  if ((*r)->outcome != "applied") {
    return absl::FailedPreconditionError(absl::StrCat(
        "revision ", revision, " of '", pool, "' was ", (*r)->outcome,
        "; roll back to an applied revision (see `pool history`)"));
  }
  absl::StatusOr<LoadedSpec> loaded = SpecOf(**r);
  if (!loaded.ok()) return loaded.status();
  UpOptions up;
  up.rollback = true;
  return UpHeld(*loaded, up, sink, cancelled);
}

}  // namespace poolops::orchestrator
