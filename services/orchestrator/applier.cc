#include "services/orchestrator/applier.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/bundle_diff.h"
#include "services/orchestrator/spec_defaults.h"

namespace poolops::orchestrator {
namespace {

using State = v1::StepEvent::State;

ComposeBundle ComposeOf(const Bundle& b) {
  return {b.name, b.project, b.compose_files};
}
ComposeBundle ComposeOf(const BundleRecord& b) {
  return {b.name, b.project, b.compose_files};
}

// Step events to the caller (thread-safe) and to the state's event table.
class Steps {
 public:
  Steps(StateStore* state, std::string pool, uint32_t revision, EventSink sink)
      : state_(state),
        pool_(std::move(pool)),
        revision_(revision),
        sink_(std::move(sink)) {}

  void Emit(const std::string& step, const std::string& target, State st,
            const std::string& message) {
    v1::UpEvent e;
    v1::StepEvent* s = e.mutable_step();
    s->mutable_action()->set_step(step);
    s->mutable_action()->set_target(target);
    s->set_state(st);
    s->set_message(message);
    state_
        ->RecordEvent(pool_, revision_, step, target,
                      v1::StepEvent::State_Name(st), message)
        .IgnoreError();
    absl::MutexLock lock(&mu_);
    if (sink_) sink_(e);
  }

  // Runs `fn` as one step: STARTED, then DONE (or SKIPPED when it says
  // so) or FAILED with the error.
  absl::Status Run(const std::string& step, const std::string& target,
                   const std::function<absl::StatusOr<std::string>()>& fn) {
    Emit(step, target, v1::StepEvent::STATE_STARTED, "");
    absl::StatusOr<std::string> r = fn();
    if (!r.ok()) {
      Emit(step, target, v1::StepEvent::STATE_FAILED,
           std::string(r.status().message()));
      return r.status();
    }
    bool skipped = r->rfind("skipped:", 0) == 0;
    Emit(step, target,
         skipped ? v1::StepEvent::STATE_SKIPPED : v1::StepEvent::STATE_DONE,
         *r);
    return absl::OkStatus();
  }

 private:
  StateStore* state_;
  std::string pool_;
  uint32_t revision_;
  absl::Mutex mu_;
  EventSink sink_;
};

}  // namespace

std::string SpecEnvelope(const LoadedSpec& spec) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(spec.spec, &json, opts);
  nlohmann::json env = {{"spec", nlohmann::json::parse(json, nullptr, false)},
                        {"dir", spec.dir.string()}};
  return env.dump();
}

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
  nlohmann::json env =
      nlohmann::json::parse(revision.spec_json, nullptr, false);
  if (!env.is_object() || !env.contains("spec")) {
    return absl::DataLossError(absl::StrCat("revision ", revision.revision,
                                            " of ", revision.pool,
                                            ": unreadable spec"));
  }
  v1::SpecSource source;
  google::protobuf::util::JsonParseOptions opts;
  auto s = google::protobuf::util::JsonStringToMessage(
      env["spec"].dump(), source.mutable_spec(), opts);
  if (!s.ok()) {
    return absl::DataLossError(
        absl::StrCat("revision ", revision.revision, ": ", s.ToString()));
  }
  std::string dir = env.value("dir", "");
  source.set_path(dir.empty() ? "" : dir + "/pool.yaml");
  return orchestrator_->LoadValid(source);
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
                                           const CancelCheck& cancelled) {
  absl::StatusOr<Lease> lease = Acquire(loaded.spec.name(), "up");
  if (!lease.ok()) return lease.status();
  return UpHeld(loaded, sink, cancelled);
}

absl::StatusOr<v1::PoolResult> Applier::UpHeld(const LoadedSpec& loaded,
                                               const EventSink& sink,
                                               const CancelCheck& cancelled) {
  const v1::PoolSpec spec = WithDefaults(loaded.spec);
  const std::string& pool = spec.name();
  absl::StatusOr<uint32_t> rev =
      state_->BeginRevision(pool, SpecEnvelope(loaded));
  if (!rev.ok()) return rev.status();
  Steps steps(state_, pool, *rev, sink);
  std::string workerpool;
  auto fail = [&](const absl::Status& s) -> absl::Status {
    state_
        ->FinishRevision(pool, *rev, "failed", workerpool, {},
                         std::string(s.message()))
        .IgnoreError();
    return s;
  };
  absl::StatusOr<std::optional<RevisionRecord>> last =
      state_->LastApplied(pool);
  if (!last.ok()) return fail(last.status());

  // 1. Wallets (created in the vault when missing).
  absl::Status s = steps.Run(
      "wallets", "wallet-vault", [&]() -> absl::StatusOr<std::string> {
        absl::StatusOr<RenderResult> r =
            orchestrator_->Render(loaded, true, cancelled);
        if (!r.ok()) return r.status();
        std::vector<std::string> created;
        for (const std::string& n : r->notes) {
          if (n.rfind("created wallet", 0) == 0) created.push_back(n);
        }
        absl::StatusOr<std::string> unlocked =
            orchestrator_->UnlockOwner(loaded);
        if (!unlocked.ok()) return unlocked.status();
        created.push_back(*unlocked);
        return absl::StrJoin(created, "; ");
      });
  if (!s.ok()) return fail(s);

  // 2. Registration: the spec's address, the recorded one, the one already
  // on chain for (owner, description), or a new one.
  s = steps.Run("register-workerpool", spec.chain(),
                [&]() -> absl::StatusOr<std::string> {
                  workerpool = spec.workerpool().address();
                  if (!workerpool.empty())
                    return "skipped: address given in the spec";
                  absl::StatusOr<std::string> known = state_->Workerpool(pool);
                  if (!known.ok()) return known.status();
                  if (!known->empty()) {
                    workerpool = *known;
                    return absl::StrCat("skipped: registered at ", workerpool);
                  }
                  const std::string& owner = spec.workerpool().owner_wallet();
                  const std::string& desc = spec.workerpool().description();
                  absl::StatusOr<std::string> found =
                      chain_->FindWorkerpool(spec.chain(), owner, desc);
                  if (!found.ok()) return found.status();
                  std::string how = "found on chain";
                  if (found->empty()) {
                    found = chain_->DeployWorkerpool(
                        spec.chain(), owner, desc, [&](const std::string& l) {
                          steps.Emit("register-workerpool", spec.chain(),
                                     v1::StepEvent::STATE_STARTED, l);
                        });
                    if (!found.ok()) return found.status();
                    how = "registered";
                  }
                  workerpool = *found;
                  if (absl::Status st = state_->SetWorkerpool(pool, workerpool);
                      !st.ok())
                    return st;
                  return absl::StrCat(how, " at ", workerpool);
                });
  if (!s.ok()) return fail(s);

  // 3. Stake.
  s = steps.Run(
      "ensure-stake", spec.chain(), [&]() -> absl::StatusOr<std::string> {
        const std::string& min = spec.stake().minimum();
        if (min.empty() || min == "0") return "skipped: no minimum stake";
        absl::StatusOr<std::string> stake = chain_->EnsureStake(
            spec.chain(), spec.workerpool().owner_wallet(), min, nullptr);
        if (!stake.ok()) return stake.status();
        return absl::StrCat(spec.workerpool().owner_wallet(),
                            " stake: ", *stake, " nRLC");
      });
  if (!s.ok()) return fail(s);

  // 4. The bundles, now with the workerpool address.
  absl::StatusOr<RenderResult> rendered = orchestrator_->Render(loaded, false);
  if (!rendered.ok()) return fail(rendered.status());
  std::vector<BundleRecord> records;
  for (const Bundle& b : rendered->bundles) records.push_back(RecordOf(b));
  const std::string dir = loaded.dir.string();
  auto had_before = [&](const std::string& name) {
    if (!last->has_value()) return false;
    for (const BundleRecord& b : (*last)->bundles) {
      if (b.name == name) return true;
    }
    return false;
  };
  // Back to what ran before: the backup (previous files) up again, or down
  // when the bundle is new.
  auto roll_back = [&](const Bundle& b) {
    steps.Emit("rollback", b.target, v1::StepEvent::STATE_ROLLING_BACK, b.name);
    absl::StatusOr<std::unique_ptr<Target>> t = targets_->Open(b.target, dir);
    if (!t.ok()) return;
    if (had_before(b.name) && (*t)->RestoreBackup(b.name).ok()) {
      for (const BundleRecord& r : (*last)->bundles) {
        if (r.name == b.name) runner_->Up(t->get(), ComposeOf(r)).IgnoreError();
      }
    } else {
      runner_->Down(t->get(), ComposeOf(b), false).IgnoreError();
    }
  };
  auto deploy = [&](const Bundle& b) -> absl::Status {
    return steps.Run("deploy", b.target, [&]() -> absl::StatusOr<std::string> {
      absl::StatusOr<std::unique_ptr<Target>> t = targets_->Open(b.target, dir);
      if (!t.ok()) return t.status();
      if (absl::Status st = (*t)->WriteBundle(b.name, b.files); !st.ok())
        return st;
      if (absl::Status st = runner_->Up(t->get(), ComposeOf(b)); !st.ok())
        return st;
      state_->SetHost(pool, b.name, b.target, *rev, "up").IgnoreError();
      return absl::StrCat(b.name, ": ", b.files.size(), " files, compose up");
    });
  };
  const Bundle& core = rendered->bundles.front();
  const std::string probe_host = spec.core().host();
  const uint32_t probe_port = spec.core().core_port();

  // 5. Core, then its health gate.
  s = deploy(core);
  if (s.ok()) {
    s = steps.Run(
        "wait-core-healthy", probe_host, [&]() -> absl::StatusOr<std::string> {
          absl::Time deadline = clock_->Now() + options_.core_healthy_timeout;
          absl::Status lasterr;
          while (true) {
            absl::StatusOr<CoreMetrics> m =
                health_->Core(probe_host, probe_port);
            if (m.ok())
              return absl::StrCat("core answers /metrics on port ", probe_port);
            lasterr = m.status();
            if (clock_->Now() >= deadline) break;
            absl::SleepFor(options_.poll_interval);
          }
          return absl::DeadlineExceededError(
              absl::StrCat("the core did not become healthy within ",
                           absl::FormatDuration(options_.core_healthy_timeout),
                           ": ", lasterr.message()));
        });
  }
  if (!s.ok()) {
    roll_back(core);
    return fail(s);
  }

  // 6. Bundles of the last revision that this one no longer has go first:
  // their workers may move into another bundle (same container names).
  std::vector<const BundleRecord*> removed;
  // Back up what was removed, when a later gate fails.
  auto restore_removed = [&] {
    for (const BundleRecord* b : removed) {
      absl::StatusOr<std::unique_ptr<Target>> t =
          targets_->Open(b->target, dir);
      if (t.ok()) runner_->Up(t->get(), ComposeOf(*b)).IgnoreError();
    }
  };
  if (last->has_value()) {
    for (const BundleRecord& b : (*last)->bundles) {
      bool kept = false;
      for (const Bundle& n : rendered->bundles) kept |= n.name == b.name;
      if (kept) continue;
      removed.push_back(&b);
      s = steps.Run(
          "remove-bundle", b.target, [&]() -> absl::StatusOr<std::string> {
            absl::StatusOr<std::unique_ptr<Target>> t =
                targets_->Open(b.target, dir);
            if (!t.ok()) return t.status();
            if (absl::Status st = runner_->Down(t->get(), ComposeOf(b), false);
                !st.ok())
              return st;
            state_->SetHost(pool, b.name, b.target, *rev, "removed")
                .IgnoreError();
            return absl::StrCat(b.name, ": compose down (files kept)");
          });
      if (!s.ok()) return fail(s);
    }
  }

  // 7. Workers in parallel.
  std::vector<const Bundle*> workers;
  for (size_t i = 1; i < rendered->bundles.size(); ++i) {
    workers.push_back(&rendered->bundles[i]);
  }
  std::vector<absl::Status> results(workers.size());
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < workers.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = deploy(*workers[i]); });
    }
    for (std::thread& t : threads) t.join();
  }
  std::vector<std::string> failed;
  for (size_t i = 0; i < workers.size(); ++i) {
    if (!results[i].ok()) {
      failed.push_back(
          absl::StrCat(workers[i]->name, ": ", results[i].message()));
    }
  }
  if (!failed.empty()) {
    for (const Bundle* w : workers) roll_back(*w);
    restore_removed();
    return fail(absl::UnavailableError(absl::StrCat(
        "worker deployment failed: ", absl::StrJoin(failed, "; "))));
  }

  // 8. Every worker alive on the core.
  const int want = spec.workers_size();
  s = steps.Run(
      "wait-workers-alive", probe_host, [&]() -> absl::StatusOr<std::string> {
        absl::Time deadline = clock_->Now() + options_.workers_alive_timeout;
        CoreMetrics seen;
        while (true) {
          absl::StatusOr<CoreMetrics> m = health_->Core(probe_host, probe_port);
          if (m.ok()) {
            seen = *m;
            if (m->alive_workers >= want) {
              return absl::StrCat("aliveWorkers ", m->alive_workers,
                                  ", aliveTotalCpu ", m->alive_total_cpu);
            }
          }
          if (clock_->Now() >= deadline) break;
          absl::SleepFor(options_.poll_interval);
        }
        return absl::DeadlineExceededError(absl::StrCat(
            "only ", seen.alive_workers, " of ", want, " workers alive after ",
            absl::FormatDuration(options_.workers_alive_timeout)));
      });
  if (!s.ok()) {
    for (const Bundle* w : workers) roll_back(*w);
    restore_removed();
    return fail(s);
  }

  // 9. Publisher: first what the owner wallet may sign (the vault refuses
  // the rest), then the publisher policy.
  s = steps.Run(
      "set-publisher", spec.chain(), [&]() -> absl::StatusOr<std::string> {
        if (spec.orders().publisher() == v1::PUBLISHER_IEXEC) {
          return "skipped: order-publisher-std runs in the core bundle";
        }
        std::string restricted;
        if (spec.orders().publisher() == v1::PUBLISHER_POOLOPS) {
          absl::StatusOr<std::string> policy =
              orchestrator_->RestrictOwnerPolicy(loaded, rendered->chain,
                                                 workerpool);
          if (!policy.ok()) return policy.status();
          restricted = absl::StrCat("; ", *policy);
        }
        PublisherSettings p;
        p.chain = spec.chain();
        p.workerpool = workerpool;
        p.wallet = spec.workerpool().owner_wallet();
        p.enabled = spec.orders().publisher() == v1::PUBLISHER_POOLOPS;
        p.core_metrics_url =
            absl::StrCat("http://", probe_host, ":", probe_port, "/metrics");
        p.gpu_pool = spec.orders().gpu_pool();
        p.price = spec.orders().price();
        p.volume = spec.orders().volume();
        p.category = spec.orders().category();
        absl::StatusOr<std::string> tag = TagToBytes32(spec.orders().tag());
        p.tag = tag.ok() ? *tag : spec.orders().tag();
        p.trust = spec.orders().trust();
        p.requester_restrict = spec.orders().requester_restrict();
        p.max_open_orders = spec.orders().max_open_orders();
        p.check_period_seconds = spec.orders().check_period_seconds();
        if (absl::Status st = chain_->SetPublisher(p); !st.ok()) return st;
        return absl::StrCat(p.enabled ? "chain-gateway publisher on"
                                      : "chain-gateway publisher off",
                            restricted);
      });
  if (!s.ok()) return fail(s);

  // 10. The monitor watches the pool from now on. Not a gate: a pool that
  // runs stays applied even when the monitor cannot be told (said so).
  s = steps.Run("monitor", "monitor", [&]() -> absl::StatusOr<std::string> {
    PoolWatch w;
    w.pool = pool;
    w.core = absl::StrCat("http://", probe_host, ":", probe_port);
    if (spec.core().grafana_port() != 0)
      w.grafana =
          absl::StrCat("http://", probe_host, ":", spec.core().grafana_port());
    if (spec.core().chain_adapter_port() != 0)
      w.adapter = absl::StrCat("http://", probe_host, ":",
                               spec.core().chain_adapter_port());
    w.chain = spec.chain();
    w.workerpool = workerpool;
    w.owner_wallet = spec.workerpool().owner_wallet();
    w.expected_workers = static_cast<uint32_t>(spec.workers_size());
    absl::Status st = health_->Watch(w);
    if (!st.ok())
      return absl::StrCat("skipped: the monitor was not told (", st.message(),
                          "); poolctl monitor add-pool does it by hand");
    return absl::StrCat("monitor watches pool ", pool);
  });
  if (!s.ok()) return fail(s);

  // 10. Record.
  s = state_->FinishRevision(pool, *rev, "applied", workerpool, records);
  if (!s.ok()) return s;
  steps.Emit("record-revision", "state.db", v1::StepEvent::STATE_DONE,
             absl::StrCat("revision ", *rev, " applied"));
  v1::PoolResult result;
  result.set_pool(pool);
  result.set_revision(*rev);
  result.set_workerpool(workerpool);
  for (const Bundle& b : rendered->bundles) result.add_hosts(b.target);
  return result;
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
      absl::StatusOr<std::unique_ptr<Target>> t = targets_->Open(b.target, dir);
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
  return UpHeld(*loaded, sink, cancelled);
}

}  // namespace poolops::orchestrator
