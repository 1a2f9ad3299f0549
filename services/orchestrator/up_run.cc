#include "services/orchestrator/up_run.h"

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/wait_until.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/bundle_diff.h"
#include "services/orchestrator/compose_file.h"
#include "services/orchestrator/override_env_check.h"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/step_list.h"

namespace poolops::orchestrator {
namespace {

using State = v1::StepEvent::State;

// Step events to the caller (thread-safe) and to the state's event table.
class StepEvents {
 public:
  StepEvents(StateStore* state, std::string pool, uint32_t revision,
             EventSink sink)
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

// One `pool up`: what the steps learn on the way (the workerpool, the
// bundles, what was removed) and the steps themselves.
class UpRun {
 public:
  UpRun(const ApplyLayers& layers, const LoadedSpec& loaded,
        const v1::PoolSpec& spec, uint32_t revision,
        std::optional<RevisionRecord> last, const EventSink& sink,
        const CancelCheck& cancelled)
      : l_(layers),
        loaded_(loaded),
        spec_(spec),
        pool_(spec.name()),
        rev_(revision),
        last_(std::move(last)),
        cancelled_(cancelled),
        events_(layers.state, spec.name(), revision, sink),
        dir_(loaded.dir.string()),
        probe_host_(spec.core().host()),
        probe_port_(spec.core().core_port()) {}

  // Wallets, funding, registration and stake have no undo: they are
  // idempotent and the next `up` reuses them. The gates commit: a healthy
  // core stays when a worker fails, a pool whose workers are alive stays
  // when the publisher cannot be set.
  std::vector<Step> Steps() {
    return {
        {"wallets", Reported("wallets", "wallet-vault", &UpRun::Wallets)},
        // Devnet only (validated): the wallets pay gas and stake from here.
        {"fund-wallets",
         Reported("fund-wallets", spec_.chain(), &UpRun::FundWallets)},
        {"register-workerpool", Reported("register-workerpool", spec_.chain(),
                                         &UpRun::RegisterWorkerpool)},
        {"ensure-stake",
         Reported("ensure-stake", spec_.chain(), &UpRun::EnsureStake)},
        {"render", [this] { return Render(); }},
        // v9.3 only: the older stacks' services read what they always did.
        {"check-overrides",
         [this,
          check = Reported("check-overrides", pool_, &UpRun::CheckOverrides)] {
           return TraitsOf(spec_.stack_version()).config_server
                      ? check()
                      : absl::OkStatus();
         }},
        {"deploy-core", [this] { return Deploy(core()); },
         [this] { RollBack(core()); }, /*undo_when_failed=*/true},
        {"wait-core-healthy",
         Reported("wait-core-healthy", probe_host_, &UpRun::WaitCoreHealthy),
         nullptr, false, /*commits=*/true},
        // Bundles of the last revision that this one no longer has go first:
        // their workers may move into another bundle (same container names).
        // A failed removal leaves the hosts as they are.
        {"remove-bundles", [this] { return RemoveStale(); },
         [this] { RestoreRemoved(); }},
        {"deploy-workers", [this] { return DeployWorkers(); },
         [this] { RollBackWorkers(); }, /*undo_when_failed=*/true},
        {"wait-workers-alive",
         Reported("wait-workers-alive", probe_host_, &UpRun::WaitWorkersAlive),
         nullptr, false, /*commits=*/true},
        {"set-publisher",
         Reported("set-publisher", spec_.chain(), &UpRun::SetPublisher)},
        // Not a gate: a pool that runs stays applied even when the monitor
        // cannot be told (said so).
        {"monitor", Reported("monitor", "monitor", &UpRun::Watch)},
    };
  }

  const std::string& workerpool() const { return workerpool_; }
  const std::vector<BundleRecord>& records() const { return records_; }
  const std::vector<Bundle>& bundles() const { return rendered_.bundles; }
  StepEvents& events() { return events_; }

 private:
  using Body = absl::StatusOr<std::string> (UpRun::*)();
  // A step reported as step events under `step` and `target`.
  std::function<absl::Status()> Reported(std::string step, std::string target,
                                         Body body) {
    return [this, step = std::move(step), target = std::move(target), body] {
      return events_.Run(step, target, [&] { return (this->*body)(); });
    };
  }
  const Bundle& core() const { return rendered_.bundles.front(); }

  // Created in the vault when missing.
  absl::StatusOr<std::string> Wallets() {
    absl::StatusOr<RenderResult> r =
        l_.orchestrator->Render(loaded_, true, cancelled_);
    if (!r.ok()) return r.status();
    std::vector<std::string> created;
    for (const std::string& n : r->notes) {
      if (n.rfind("created wallet", 0) == 0) created.push_back(n);
    }
    absl::StatusOr<std::string> unlocked =
        l_.orchestrator->UnlockOwner(loaded_);
    if (!unlocked.ok()) return unlocked.status();
    created.push_back(*unlocked);
    return absl::StrJoin(created, "; ");
  }

  // Every wallet of the pool topped up from the devnet's accounts (only
  // what is missing is sent).
  absl::StatusOr<std::string> FundWallets() {
    if (!spec_.has_funding()) return "skipped: no funding in the spec";
    std::vector<std::string> names = {spec_.workerpool().owner_wallet()};
    for (const v1::PoolSpec::Worker& w : spec_.workers()) {
      if (std::find(names.begin(), names.end(), w.wallet()) == names.end())
        names.push_back(w.wallet());
    }
    std::vector<std::string> done;
    for (const std::string& name : names) {
      if (cancelled_ && cancelled_())
        return absl::CancelledError("pool up cancelled while funding wallets");
      absl::StatusOr<WalletFunding> f = l_.chain->FundWallet(
          spec_.chain(), name, spec_.funding().eth(), spec_.funding().rlc(),
          [&](const std::string& line) {
            events_.Emit("fund-wallets", spec_.chain(),
                         v1::StepEvent::STATE_STARTED, line);
          });
      if (!f.ok()) {
        return absl::Status(
            f.status().code(),
            absl::StrCat("wallet ", name, ": ", f.status().message()));
      }
      bool sent = (!f->eth_sent.empty() && f->eth_sent != "0") ||
                  (!f->rlc_sent.empty() && f->rlc_sent != "0");
      done.push_back(
          absl::StrCat(name, sent ? ": topped up" : ": funded already", " (",
                       f->native_after, " wei, ", f->rlc_after, " nRLC)"));
    }
    return absl::StrJoin(done, "; ");
  }

  // The spec's address, the recorded one, the one already on chain for
  // (owner, description), or a new one.
  absl::StatusOr<std::string> RegisterWorkerpool() {
    workerpool_ = spec_.workerpool().address();
    if (!workerpool_.empty()) return "skipped: address given in the spec";
    absl::StatusOr<std::string> known = l_.state->Workerpool(pool_);
    if (!known.ok()) return known.status();
    if (!known->empty()) {
      workerpool_ = *known;
      return absl::StrCat("skipped: registered at ", workerpool_);
    }
    const std::string& owner = spec_.workerpool().owner_wallet();
    const std::string& desc = spec_.workerpool().description();
    absl::StatusOr<std::string> found =
        l_.chain->FindWorkerpool(spec_.chain(), owner, desc);
    if (!found.ok()) return found.status();
    std::string how = "found on chain";
    if (found->empty()) {
      found = l_.chain->DeployWorkerpool(
          spec_.chain(), owner, desc, [&](const std::string& line) {
            events_.Emit("register-workerpool", spec_.chain(),
                         v1::StepEvent::STATE_STARTED, line);
          });
      if (!found.ok()) return found.status();
      how = "registered";
    }
    workerpool_ = *found;
    if (absl::Status st = l_.state->SetWorkerpool(pool_, workerpool_); !st.ok())
      return st;
    return absl::StrCat(how, " at ", workerpool_);
  }

  absl::StatusOr<std::string> EnsureStake() {
    const std::string& min = spec_.stake().minimum();
    if (min.empty() || min == "0") return "skipped: no minimum stake";
    absl::StatusOr<std::string> stake = l_.chain->EnsureStake(
        spec_.chain(), spec_.workerpool().owner_wallet(), min, nullptr);
    if (!stake.ok()) return stake.status();
    return absl::StrCat(spec_.workerpool().owner_wallet(), " stake: ", *stake,
                        " nRLC");
  }

  // The bundles, now with the workerpool address.
  absl::Status Render() {
    if (absl::Status s = FixStartBlock(); !s.ok()) return s;
    absl::StatusOr<RenderResult> r = l_.orchestrator->Render(loaded_, false);
    if (!r.ok()) return r.status();
    rendered_ = *std::move(r);
    for (const Bundle& b : rendered_.bundles) records_.push_back(RecordOf(b));
    return absl::OkStatus();
  }

  // The operators' override.env files on the hosts, against the stack the
  // bundles now hold (a v8 habit kept there would be ignored or refused by
  // 9.x): read before anything is deployed.
  absl::StatusOr<std::string> CheckOverrides() {
    std::vector<std::string> problems;
    int read = 0;
    for (const Bundle& b : rendered_.bundles) {
      std::set<std::string> vars;
      for (const BundleFile& f : b.files) {
        if (!absl::EndsWith(f.path, ".yml")) continue;
        for (const VariableRef& v : ReferencedVariables(f.content)) {
          vars.insert(v.name);
        }
      }
      absl::StatusOr<std::unique_ptr<Target>> t =
          l_.targets->Open(b.target, dir_);
      if (!t.ok()) return t.status();
      absl::StatusOr<CommandResult> r = (*t)->Shell(
          b.name, absl::StrCat("[ -f override.env ] || exit 0\nhead -c ",
                               kMaxOverrideEnvBytes + 1, " override.env\n"));
      if (!r.ok()) return r.status();
      if (r->exit_code == 3 || r->output.empty()) continue;  // none yet
      if (r->exit_code != 0) {
        return absl::UnavailableError(
            absl::StrCat(b.target, " ", b.name,
                         "/override.env: cannot be read: ", r->output));
      }
      ++read;
      if (r->output.size() > kMaxOverrideEnvBytes) {
        problems.push_back(absl::StrCat(b.target, " ", b.name,
                                        "/override.env: larger than 64 KiB"));
        continue;
      }
      for (const std::string& p :
           CheckOverrideEnv(spec_.stack_version(), r->output, vars)) {
        problems.push_back(absl::StrCat(b.target, " ", b.name, "/", p));
      }
    }
    if (!problems.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          problems.size(), " problem(s) in the operators' override.env:\n  ",
          absl::StrJoin(problems, "\n  ")));
    }
    return read == 0 ? std::string("no override.env")
                     : absl::StrCat(read, " override.env file(s) fit v9.3");
  }

  // A v9.3 core reads deals from IEXEC_START_BLOCK_NUMBER on, 1000 blocks
  // per 10 s: from 0 on Arbitrum it would take days to reach today. The
  // head at the first deployment, kept for the later ones.
  absl::Status FixStartBlock() {
    if (!TraitsOf(spec_.stack_version()).config_server ||
        !spec_.chain_params().start_block().empty()) {
      return absl::OkStatus();
    }
    absl::StatusOr<std::string> known = l_.state->StartBlock(pool_);
    if (!known.ok()) return known.status();
    if (!known->empty()) return absl::OkStatus();
    absl::StatusOr<ChainFacts> head = l_.chain->GetChainHead(spec_.chain());
    if (!head.ok()) {
      return absl::Status(
          head.status().code(),
          absl::StrCat("chain ", spec_.chain(),
                       ": its head block (IEXEC_START_BLOCK_NUMBER): ",
                       head.status().message()));
    }
    return l_.state->SetStartBlock(pool_, absl::StrCat(head->head_block));
  }

  absl::Status Deploy(const Bundle& b) {
    return events_.Run(
        "deploy", b.target, [&]() -> absl::StatusOr<std::string> {
          absl::StatusOr<std::unique_ptr<Target>> t =
              l_.targets->Open(b.target, dir_);
          if (!t.ok()) return t.status();
          if (absl::Status st = (*t)->WriteBundle(b.name, b.files); !st.ok())
            return st;
          if (absl::Status st = l_.runner->Up(t->get(), ComposeOf(b)); !st.ok())
            return st;
          l_.state->SetHost(pool_, b.name, b.target, rev_, "up").IgnoreError();
          return absl::StrCat(b.name, ": ", b.files.size(),
                              " files, compose up");
        });
  }

  bool HadBefore(const std::string& name) const {
    if (!last_) return false;
    for (const BundleRecord& b : last_->bundles) {
      if (b.name == name) return true;
    }
    return false;
  }

  // Back to what ran before: the backup (previous files) up again, or down
  // when the bundle is new.
  void RollBack(const Bundle& b) {
    events_.Emit("rollback", b.target, v1::StepEvent::STATE_ROLLING_BACK,
                 b.name);
    absl::StatusOr<std::unique_ptr<Target>> t =
        l_.targets->Open(b.target, dir_);
    if (!t.ok()) return;
    if (HadBefore(b.name) && (*t)->RestoreBackup(b.name).ok()) {
      for (const BundleRecord& r : last_->bundles) {
        if (r.name == b.name)
          l_.runner->Up(t->get(), ComposeOf(r)).IgnoreError();
      }
    } else {
      l_.runner->Down(t->get(), ComposeOf(b), false).IgnoreError();
    }
  }

  absl::StatusOr<std::string> WaitCoreHealthy() {
    absl::Status last_error;
    bool up = WaitUntil(*l_.clock, l_.options.core_healthy_timeout,
                        l_.options.poll_interval, [&] {
                          absl::StatusOr<CoreMetrics> m =
                              l_.health->Core(probe_host_, probe_port_);
                          if (!m.ok()) last_error = m.status();
                          return m.ok();
                        });
    if (up) return absl::StrCat("core answers /metrics on port ", probe_port_);
    return absl::DeadlineExceededError(
        absl::StrCat("the core did not become healthy within ",
                     absl::FormatDuration(l_.options.core_healthy_timeout),
                     ": ", last_error.message(), CoreLogTail()));
  }

  // The core's last words, read before the rollback takes its container.
  std::string CoreLogTail() {
    absl::StatusOr<std::unique_ptr<Target>> t =
        l_.targets->Open(core().target, dir_);
    if (!t.ok()) return "";
    absl::StatusOr<std::string> logs =
        l_.runner->Logs(t->get(), ComposeOf(core()), "core", 15);
    if (!logs.ok() || logs->empty()) return "";
    return absl::StrCat("\nthe core's last log lines:\n", *logs);
  }

  absl::Status RemoveStale() {
    if (!last_) return absl::OkStatus();
    for (const BundleRecord& b : last_->bundles) {
      bool kept = false;
      for (const Bundle& n : rendered_.bundles) kept |= n.name == b.name;
      if (kept) continue;
      removed_.push_back(&b);
      absl::Status s = events_.Run(
          "remove-bundle", b.target, [&]() -> absl::StatusOr<std::string> {
            absl::StatusOr<std::unique_ptr<Target>> t =
                l_.targets->Open(b.target, dir_);
            if (!t.ok()) return t.status();
            if (absl::Status st =
                    l_.runner->Down(t->get(), ComposeOf(b), false);
                !st.ok())
              return st;
            l_.state->SetHost(pool_, b.name, b.target, rev_, "removed")
                .IgnoreError();
            return absl::StrCat(b.name, ": compose down (files kept)");
          });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The removed bundles up again, when a later gate fails.
  void RestoreRemoved() {
    for (const BundleRecord* b : removed_) {
      absl::StatusOr<std::unique_ptr<Target>> t =
          l_.targets->Open(b->target, dir_);
      if (t.ok()) l_.runner->Up(t->get(), ComposeOf(*b)).IgnoreError();
    }
  }

  // In parallel; one failure fails the step (and rolls back every worker).
  absl::Status DeployWorkers() {
    const size_t n = rendered_.bundles.size() - 1;
    std::vector<absl::Status> results(n);
    {
      std::vector<std::thread> threads;
      for (size_t i = 0; i < n; ++i) {
        threads.emplace_back(
            [&, i] { results[i] = Deploy(rendered_.bundles[i + 1]); });
      }
      for (std::thread& t : threads) t.join();
    }
    std::vector<std::string> failed;
    for (size_t i = 0; i < n; ++i) {
      if (!results[i].ok()) {
        failed.push_back(absl::StrCat(rendered_.bundles[i + 1].name, ": ",
                                      results[i].message()));
      }
    }
    if (failed.empty()) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat("worker deployment failed: ",
                                               absl::StrJoin(failed, "; ")));
  }

  void RollBackWorkers() {
    for (size_t i = 1; i < rendered_.bundles.size(); ++i) {
      RollBack(rendered_.bundles[i]);
    }
  }

  // Every worker alive on the core.
  absl::StatusOr<std::string> WaitWorkersAlive() {
    const int want = spec_.workers_size();
    CoreMetrics seen;
    bool alive = WaitUntil(*l_.clock, l_.options.workers_alive_timeout,
                           l_.options.poll_interval, [&] {
                             absl::StatusOr<CoreMetrics> m =
                                 l_.health->Core(probe_host_, probe_port_);
                             if (!m.ok()) return false;
                             seen = *m;
                             return m->alive_workers >= want;
                           });
    if (alive) {
      return absl::StrCat("aliveWorkers ", seen.alive_workers,
                          ", aliveTotalCpu ", seen.alive_total_cpu);
    }
    return absl::DeadlineExceededError(absl::StrCat(
        "only ", seen.alive_workers, " of ", want, " workers alive after ",
        absl::FormatDuration(l_.options.workers_alive_timeout)));
  }

  // First what the owner wallet may sign (the vault refuses the rest), then
  // the publisher policy.
  absl::StatusOr<std::string> SetPublisher() {
    const auto& orders = spec_.orders();
    if (orders.publisher() == v1::PUBLISHER_IEXEC) {
      return "skipped: order-publisher-std runs in the core bundle";
    }
    std::string restricted;
    if (orders.publisher() == v1::PUBLISHER_POOLOPS) {
      absl::StatusOr<std::string> policy = l_.orchestrator->RestrictOwnerPolicy(
          loaded_, rendered_.chain, workerpool_);
      if (!policy.ok()) return policy.status();
      restricted = absl::StrCat("; ", *policy);
    }
    PublisherSettings p;
    p.chain = spec_.chain();
    p.workerpool = workerpool_;
    p.wallet = spec_.workerpool().owner_wallet();
    p.enabled = orders.publisher() == v1::PUBLISHER_POOLOPS;
    p.core_metrics_url =
        absl::StrCat("http://", probe_host_, ":", probe_port_, "/metrics");
    p.gpu_pool = orders.gpu_pool();
    p.price = orders.price();
    p.volume = orders.volume();
    p.category = orders.category();
    absl::StatusOr<std::string> tag = TagToBytes32(orders.tag());
    p.tag = tag.ok() ? *tag : orders.tag();
    p.trust = orders.trust();
    p.requester_restrict = orders.requester_restrict();
    p.max_open_orders = orders.max_open_orders();
    p.check_period_seconds = orders.check_period_seconds();
    if (absl::Status st = l_.chain->SetPublisher(p); !st.ok()) return st;
    return absl::StrCat(p.enabled ? "chain-gateway publisher on"
                                  : "chain-gateway publisher off",
                        restricted);
  }

  // The monitor watches the pool from now on.
  absl::StatusOr<std::string> Watch() {
    PoolWatch w;
    w.pool = pool_;
    w.core = absl::StrCat("http://", probe_host_, ":", probe_port_);
    if (spec_.core().grafana_port() != 0)
      w.grafana = absl::StrCat("http://", probe_host_, ":",
                               spec_.core().grafana_port());
    if (spec_.core().chain_adapter_port() != 0)
      w.adapter = absl::StrCat("http://", probe_host_, ":",
                               spec_.core().chain_adapter_port());
    // 9.x: the adapter's /config/chain is gone (its health instead), and the
    // core and workers read the chain from the config server.
    if (spec_.stack_version() == v1::STACK_VERSION_V9_3) {
      w.adapter_path = "/actuator/health";
      // Published on the core host's loopback only: the monitor reaches it
      // when it runs there (a local: core target).
      if (!absl::StartsWith(spec_.core().target(), "local:")) w.adapter.clear();
      bool https = false;
      for (int f : spec_.core().features()) {
        https |= f == v1::FEATURE_REV_PROXY_HTTPS;
      }
      w.config_server =
          https ? absl::StrCat("https://", spec_.core().config_server_host())
                : absl::StrCat("http://", probe_host_, ":",
                               spec_.core().config_server_port());
    }
    w.chain = spec_.chain();
    w.workerpool = workerpool_;
    w.owner_wallet = spec_.workerpool().owner_wallet();
    w.expected_workers = static_cast<uint32_t>(spec_.workers_size());
    absl::Status st = l_.health->Watch(w);
    if (!st.ok())
      return absl::StrCat("skipped: the monitor was not told (", st.message(),
                          "); poolctl monitor add-pool does it by hand");
    return absl::StrCat("monitor watches pool ", pool_);
  }

  const ApplyLayers& l_;
  const LoadedSpec& loaded_;
  const v1::PoolSpec& spec_;
  const std::string pool_;
  const uint32_t rev_;
  const std::optional<RevisionRecord> last_;
  const CancelCheck& cancelled_;
  StepEvents events_;
  const std::string dir_;
  const std::string probe_host_;
  const uint32_t probe_port_;

  std::string workerpool_;
  RenderResult rendered_;
  std::vector<BundleRecord> records_;
  std::vector<const BundleRecord*> removed_;
};

}  // namespace

ComposeBundle ComposeOf(const Bundle& b) {
  return {b.name, b.project, b.compose_files};
}
ComposeBundle ComposeOf(const BundleRecord& b) {
  return {b.name, b.project, b.compose_files};
}

std::string SpecEnvelope(const LoadedSpec& spec) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(spec.spec, &json, opts);
  nlohmann::json env = {{"spec", nlohmann::json::parse(json, nullptr, false)},
                        {"dir", spec.dir.string()}};
  return env.dump();
}

absl::StatusOr<v1::PoolResult> RunUp(const ApplyLayers& layers,
                                     const LoadedSpec& loaded,
                                     const EventSink& sink,
                                     const CancelCheck& cancelled) {
  const v1::PoolSpec spec = WithDefaults(loaded.spec);
  const std::string& pool = spec.name();
  absl::StatusOr<uint32_t> rev =
      layers.state->BeginRevision(pool, SpecEnvelope(loaded));
  if (!rev.ok()) return rev.status();
  std::string workerpool;
  auto fail = [&](const absl::Status& s) -> absl::Status {
    layers.state
        ->FinishRevision(pool, *rev, "failed", workerpool, {},
                         std::string(s.message()))
        .IgnoreError();
    return s;
  };
  absl::StatusOr<std::optional<RevisionRecord>> last =
      layers.state->LastApplied(pool);
  if (!last.ok()) return fail(last.status());

  UpRun run(layers, loaded, spec, *rev, *std::move(last), sink, cancelled);
  absl::Status s = RunSteps(run.Steps());
  workerpool = run.workerpool();
  if (!s.ok()) return fail(s);

  s = layers.state->FinishRevision(pool, *rev, "applied", workerpool,
                                   run.records());
  if (!s.ok()) return s;
  run.events().Emit("record-revision", "state.db", v1::StepEvent::STATE_DONE,
                    absl::StrCat("revision ", *rev, " applied"));
  v1::PoolResult result;
  result.set_pool(pool);
  result.set_revision(*rev);
  result.set_workerpool(workerpool);
  for (const Bundle& b : run.bundles()) result.add_hosts(b.target);
  return result;
}

}  // namespace poolops::orchestrator
