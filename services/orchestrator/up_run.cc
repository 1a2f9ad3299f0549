#include "services/orchestrator/up_run.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/wait_until.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/bundle_diff.h"
#include "services/orchestrator/compose_file.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/override_env_check.h"
#include "services/orchestrator/pool_backup.h"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/stack_migration.h"
#include "services/orchestrator/step_list.h"
#include "services/orchestrator/target_address.h"
#include "services/orchestrator/upgrade_plan.h"

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
        std::optional<RevisionRecord> last, const UpOptions& options,
        const EventSink& sink, const CancelCheck& cancelled)
      : l_(layers),
        loaded_(loaded),
        spec_(spec),
        pool_(spec.name()),
        rev_(revision),
        last_(std::move(last)),
        options_(options),
        cancelled_(cancelled),
        events_(layers.state, spec.name(), revision, sink),
        dir_(loaded.dir.string()),
        probe_host_(spec.core().host()),
        probe_port_(spec.core().core_port()) {
    if (last_) {
      absl::StatusOr<LoadedSpec> prev = l_.orchestrator->LoadRevision(*last_);
      if (prev.ok()) {
        last_spec_ = WithDefaults(prev->spec);
        from_ = last_spec_->stack_version();
      } else {
        last_spec_status_ = prev.status();
      }
    }
    version_change_ = from_.has_value() && *from_ != spec_.stack_version();
  }

  // Wallets, funding, registration and stake have no undo: they are
  // idempotent and the next `up` reuses them. The gates commit: a healthy
  // core stays when a worker fails, a pool whose workers are alive stays
  // when the publisher cannot be set.
  std::vector<Step> Steps() {
    // An upgrade keeps nothing until its end: a worker failing on the new
    // version puts the old core back too.
    const bool gates_commit = !version_change_;
    return {
        {"check-upgrade",
         [this,
          check = Reported("check-upgrade", pool_, &UpRun::CheckUpgrade)] {
           return version_change_ || !last_spec_status_.ok() ? check()
                                                             : absl::OkStatus();
         }},
        // What ran before the upgrade, kept (pool_backup.h): a failed
        // backup stops the upgrade before anything changes.
        {"backup",
         [this, backup = Reported("backup", pool_, &UpRun::BackupFirst)] {
           return version_change_ && last_spec_status_.ok() ? backup()
                                                            : absl::OkStatus();
         }},
        {"wallets", Reported("wallets", "wallet-vault", &UpRun::Wallets)},
        // Devnet only (validated): the wallets pay gas and stake from here.
        {"fund-wallets",
         Reported("fund-wallets", spec_.chain(), &UpRun::FundWallets)},
        {"register-workerpool", Reported("register-workerpool", spec_.chain(),
                                         &UpRun::RegisterWorkerpool)},
        {"ensure-stake",
         Reported("ensure-stake", spec_.chain(), &UpRun::EnsureStake)},
        {"render", [this] { return Render(); }},
        // v9.3 and upgrades: the older stacks' services read what they
        // always did.
        {"check-overrides",
         [this,
          check = Reported("check-overrides", pool_, &UpRun::CheckOverrides)] {
           return TraitsOf(spec_.stack_version()).config_server ||
                          version_change_
                      ? check()
                      : absl::OkStatus();
         },
         // A failed upgrade: the old version runs, its override.env returns.
         [this] { RestoreOverrides(); }},
        // An upgrade keeps the database volume: the next mongo must read it.
        {"check-database",
         [this,
          check = Reported("check-database", pool_, &UpRun::CheckDatabase)] {
           return version_change_ ? check() : absl::OkStatus();
         }},
        // No new orders while the core that would run their deals changes.
        {"pause-publisher",
         [this, pause = Reported("pause-publisher", spec_.chain(),
                                 &UpRun::PausePublisher)] {
           return PublisherToPause() ? pause() : absl::OkStatus();
         },
         [this] { ResumeOldPublisher(); }},
        {"deploy-core", [this] { return Deploy(CoreDuringRollout()); },
         [this] { RollBackCore(); }, /*undo_when_failed=*/true},
        {"wait-core-healthy",
         Reported("wait-core-healthy", probe_host_, &UpRun::WaitCoreHealthy),
         nullptr, false, gates_commit},
        // Bundles of the last revision that this one no longer has go first:
        // their workers may move into another bundle (same container names).
        // A failed removal leaves the hosts as they are.
        {"remove-bundles", [this] { return RemoveStale(); },
         [this] { RestoreRemoved(); }},
        {"deploy-workers", [this] { return DeployWorkers(); },
         [this] { RollBackWorkers(); }, /*undo_when_failed=*/true},
        {"wait-workers-alive",
         Reported("wait-workers-alive", probe_host_, &UpRun::WaitWorkersAlive),
         nullptr, false, gates_commit},
        // Every worker runs the new version: from now on the core refuses
        // one left behind (iexec-core#421: it does not check connected
        // workers itself; a changed configuration makes them register again).
        {"require-worker-version",
         [this, require = Reported("require-worker-version", probe_host_,
                                   &UpRun::RequireWorkerVersion)] {
           return interim_core_ ? require() : absl::OkStatus();
         },
         // The old core first: the old workers put back after it would be
         // refused by this one.
         [this] {
           if (interim_core_) RollBack(core());
         },
         /*undo_when_failed=*/true, /*commits=*/true},
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

  // The direction and order of a change of stack version; a downgrade by
  // spec is refused (the older core may not read what the newer one wrote):
  // `pool rollback` is the way back.
  absl::StatusOr<std::string> CheckUpgrade() {
    if (!last_spec_status_.ok()) return last_spec_status_;
    const std::string from = VersionName(*from_);
    const std::string to = VersionName(spec_.stack_version());
    if (*from_ > spec_.stack_version() && !options_.rollback) {
      return absl::FailedPreconditionError(absl::StrCat(
          "stack_version ", to, " is older than the running ", from,
          " (revision ", last_->revision,
          "): the older core may not read the database the newer one "
          "wrote; go back with `poolctl pool rollback ",
          pool_, " --to REV` to a revision that ran ", to,
          " (see `poolctl pool history ", pool_, "`)"));
    }
    return absl::StrCat(from, " -> ", to,
                        ": the core first (nothing kept until every worker "
                        "runs ",
                        to, "), then the changed workers ",
                        spec_.rollout().workers_at_once(), " at a time");
  }

  // The backup of the running version (its database dumped while it
  // runs); its folder is the step's message, which `pool history` shows.
  absl::StatusOr<std::string> BackupFirst() {
    if (l_.options.backup_dir.empty()) {
      return "skipped: no backup folder configured";
    }
    absl::StatusOr<std::string> status = l_.state->PoolStatus(pool_);
    if (status.ok() && *status == "down") {
      return "skipped: the pool is down (no database runs to dump)";
    }
    absl::StatusOr<BackupResult> b =
        BackupPool(l_, pool_, l_.options.backup_dir);
    if (b.ok()) backup_path_ = b->path;
    if (!b.ok()) {
      return absl::Status(
          b.status().code(),
          absl::StrCat("the backup before the upgrade failed (nothing "
                       "changed): ",
                       b.status().message()));
    }
    return b->path;
  }

  // The settings chain-gateway's publisher runs with for `spec`.
  PublisherSettings PublisherOf(const v1::PoolSpec& spec) const {
    const auto& orders = spec.orders();
    PublisherSettings p;
    p.chain = spec.chain();
    p.workerpool = workerpool_;
    p.wallet = spec.workerpool().owner_wallet();
    p.enabled = orders.publisher() == v1::PUBLISHER_POOLOPS;
    p.core_metrics_url = absl::StrCat("http://", spec.core().host(), ":",
                                      spec.core().core_port(), "/metrics");
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
    return p;
  }

  // The pool's publisher runs in chain-gateway while the core changes
  // version (iExec's publisher container goes with its core bundle).
  bool PublisherToPause() const {
    return version_change_ && last_spec_ &&
           last_spec_->orders().publisher() == v1::PUBLISHER_POOLOPS;
  }

  absl::StatusOr<std::string> PausePublisher() {
    PublisherSettings p = PublisherOf(*last_spec_);
    p.enabled = false;
    if (absl::Status st = l_.chain->SetPublisher(p); !st.ok()) return st;
    paused_ = true;
    return "chain-gateway publishes no new orders until the new core runs";
  }

  // A failed upgrade: the old core is back, so are its orders.
  void ResumeOldPublisher() {
    if (!paused_) return;
    l_.chain->SetPublisher(PublisherOf(*last_spec_)).IgnoreError();
    events_.Emit("resume-publisher", spec_.chain(),
                 v1::StepEvent::STATE_ROLLING_BACK,
                 "chain-gateway publisher back on with the previous settings");
  }

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
    if (version_change_) interim_core_ = WithoutRequiredWorkerVersion(core());
    return absl::OkStatus();
  }

  // The core bundle with an empty WORKER_TAG (its required worker version)
  // when it sets one: the workers still on the old version keep working
  // while they are rolled. nullopt when the core requires none (v8.3).
  static std::optional<Bundle> WithoutRequiredWorkerVersion(const Bundle& b) {
    Bundle out = b;
    for (BundleFile& f : out.files) {
      if (f.path != ".env") continue;
      std::vector<std::string> lines = absl::StrSplit(f.content, '\n');
      bool blanked = false;
      for (std::string& line : lines) {
        if (absl::StartsWith(line, "WORKER_TAG=") && line != "WORKER_TAG=") {
          line = "WORKER_TAG=";
          blanked = true;
        }
      }
      if (!blanked) return std::nullopt;
      f.content = absl::StrJoin(lines, "\n");
      return out;
    }
    return std::nullopt;
  }

  const Bundle& CoreDuringRollout() const {
    return interim_core_ ? *interim_core_ : core();
  }

  // The final core bundle (its required worker version set), healthy, and
  // every worker registered again under it.
  absl::StatusOr<std::string> RequireWorkerVersion() {
    if (absl::Status st = Deploy(core()); !st.ok()) return st;
    absl::StatusOr<std::string> healthy = WaitCoreHealthy(/*attach=*/false);
    if (!healthy.ok()) return healthy.status();
    absl::StatusOr<std::string> alive = WaitWorkersAlive();
    if (!alive.ok()) return alive.status();
    return absl::StrCat("the core requires worker ",
                        spec_.images().worker_tag(), "; ", *alive);
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
          l_.targets->Open(b.target, dir_, pool_);
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
      const std::string at = absl::StrCat(b.target, " ", b.name, "/");
      if (r->output.size() > kMaxOverrideEnvBytes) {
        problems.push_back(
            absl::StrCat(at, "override.env: larger than 64 KiB"));
        continue;
      }
      std::string text = r->output;
      if (version_change_) {
        absl::StatusOr<std::string> migrated =
            MigrateOverrides(*t->get(), b, text, &problems);
        if (!migrated.ok()) return migrated.status();
        if (!migrated->empty()) {
          text = *migrated;
          migrated_.push_back(&b);
        }
      }
      for (const std::string& p :
           CheckOverrideEnv(spec_.stack_version(), text, vars)) {
        problems.push_back(absl::StrCat(at, p));
      }
    }
    if (!problems.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          problems.size(), " problem(s) in the operators' override.env:\n  ",
          absl::StrJoin(problems, "\n  ")));
    }
    if (read == 0) return std::string("no override.env");
    return absl::StrCat(
        read, " override.env file(s) fit ", VersionName(spec_.stack_version()),
        !migrated_.empty() ? absl::StrCat(" (", migrated_.size(),
                                          " migrated, the old ones "
                                          "kept as override.env.pre-",
                                          VersionName(*from_), ")")
                           : "");
  }

  void RestoreOverrides() {
    const std::string keep =
        absl::StrCat("override.env.pre-", VersionName(*from_));
    for (const Bundle* b : migrated_) {
      events_.Emit("rollback", b->target, v1::StepEvent::STATE_ROLLING_BACK,
                   absl::StrCat(b->name, "/override.env from ", keep));
      absl::StatusOr<std::unique_ptr<Target>> t =
          l_.targets->Open(b->target, dir_, pool_);
      if (!t.ok()) continue;
      (*t)->Shell(b->name, absl::StrCat("[ -f ", keep, " ] && cp -p ", keep,
                                        " override.env\n"))
          .IgnoreError();
    }
  }

  // An upgrade: each entry the new version would read otherwise (renamed,
  // reformatted, gone) is a problem, unless the operator asked for the
  // migrated file: then it is written (the old one kept beside it) and its
  // text returned. "" when nothing changes.
  absl::StatusOr<std::string> MigrateOverrides(
      Target& t, const Bundle& b, const std::string& text,
      std::vector<std::string>* problems) {
    OverrideMigration m = MigrateOverrideEnv(*from_, spec_.stack_version(),
                                             b.role == "core", text);
    const std::string at =
        absl::StrCat(b.target, " ", b.name, "/override.env: ");
    for (const std::string& u : m.unsolved) problems->push_back(at + u);
    if (!m.changed()) return std::string();
    if (!options_.migrate_overrides || !m.unsolved.empty()) {
      for (const std::string& c : m.changes) {
        problems->push_back(absl::StrCat(
            at, c,
            options_.migrate_overrides ? ""
                                       : " (`pool up --migrate-overrides` "
                                         "rewrites it, keeping the old file)"));
      }
      return std::string();
    }
    const std::string keep =
        absl::StrCat("override.env.pre-", VersionName(*from_));
    absl::StatusOr<CommandResult> w = t.Shell(
        b.name,
        absl::StrCat(
            "set -e\numask 077\n[ -e ", keep, " ] || cp -p override.env ", keep,
            // base64: the operator's lines cannot end the heredoc early.
            "\nbase64 -d > override.env.poolops-new <<'POOLOPS_EOF'\n",
            Base64Lines(m.text),
            "POOLOPS_EOF\nmv -f override.env.poolops-new override.env\n"));
    if (!w.ok()) return w.status();
    if (w->exit_code != 0) {
      return absl::UnavailableError(
          absl::StrCat(at, "cannot be rewritten: ", w->output));
    }
    events_.Emit("check-overrides", b.target, v1::StepEvent::STATE_STARTED,
                 absl::StrCat(b.name, "/override.env migrated (", keep,
                              " kept): ", absl::StrJoin(m.changes, "; ")));
    return m.text;
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
              l_.targets->Open(b.target, dir_, pool_);
          if (!t.ok()) return t.status();
          absl::StatusOr<bool> keep = KeepBackup(b.name);
          if (!keep.ok()) return keep.status();
          // Recorded before the folder changes: a crash from here on leaves
          // the backup to the next `up`.
          if (absl::Status st =
                  l_.state->SetHost(pool_, b.name, b.target, rev_, "writing");
              !st.ok())
            return st;
          {
            absl::MutexLock lock(&written_mu_);
            written_.insert(b.name);
          }
          if (absl::Status st = (*t)->WriteBundle(b.name, b.files, *keep);
              !st.ok())
            return st;
          if (absl::Status st = l_.runner->Up(t->get(), ComposeOf(b)); !st.ok())
            return st;
          l_.state->SetHost(pool_, b.name, b.target, rev_, "up").IgnoreError();
          return absl::StrCat(b.name, ": ", b.files.size(),
                              " files, compose up");
        });
  }

  // The backup of a folder holds the last applied revision's files once
  // written over them; a folder a later revision wrote (an interrupted or
  // failed one, or this one: the core is written twice in an upgrade) must
  // keep it.
  absl::StatusOr<bool> KeepBackup(const std::string& bundle) {
    absl::StatusOr<std::optional<uint32_t>> wrote =
        l_.state->HostRevision(pool_, bundle);
    if (!wrote.ok()) return wrote.status();
    if (!wrote->has_value() || !last_) return false;
    return **wrote != last_->revision;
  }

  bool HadBefore(const std::string& name) const {
    return Previous(name) != nullptr;
  }

  // Back to what ran before: the backup (previous files) up again, or down
  // when the bundle is new.
  void RollBack(const Bundle& b) {
    events_.Emit("rollback", b.target, v1::StepEvent::STATE_ROLLING_BACK,
                 b.name);
    absl::StatusOr<std::unique_ptr<Target>> t =
        l_.targets->Open(b.target, dir_, pool_);
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

  // The mongo that runs the core's database next reads the files of the one
  // that runs now only within a release series (4.4 -> 4.4.x); across one,
  // mongo's own upgrade path (featureCompatibilityVersion, one series at a
  // time) comes first, which poolops does not do: refused with the reason.
  absl::StatusOr<std::string> CheckDatabase() {
    const BundleRecord* old_core = nullptr;
    for (const BundleRecord& r : last_->bundles) {
      if (r.role == "core") old_core = &r;
    }
    if (old_core == nullptr) return "skipped: no core ran before";
    absl::StatusOr<std::unique_ptr<Target>> t =
        l_.targets->Open(old_core->target, dir_, pool_);
    if (!t.ok()) return t.status();
    std::string next = CoreDatabaseTag(core());
    // The operator's override.env may pin another tag (its last line wins).
    absl::StatusOr<std::optional<std::string>> own =
        ReadOperatorFile(t->get(), core().name, "override.env");
    if (own.ok() && own->has_value()) {
      for (absl::string_view line : absl::StrSplit(**own, '\n')) {
        line = absl::StripAsciiWhitespace(line);
        absl::ConsumePrefix(&line, "export ");
        if (absl::ConsumePrefix(&line, "CORE_MONGO_TAG=")) {
          next = UnquoteEnvValue(absl::StripAsciiWhitespace(line));
        }
      }
    }
    absl::StatusOr<std::string> out =
        l_.runner->Exec(t->get(), ComposeOf(*old_core), kCoreDatabaseService,
                        {"mongod", "--version"}, "");
    const std::string key = "db version v";
    const size_t at = out.ok() ? out->find(key) : std::string::npos;
    if (at == std::string::npos) {
      return absl::StrCat(
          "skipped: the running database did not say its version",
          out.ok() ? "" : absl::StrCat(" (", out.status().message(), ")"));
    }
    const size_t from = at + key.size();
    const std::string running =
        out->substr(from, out->find_first_of(" \r\n", from) - from);
    if (next.empty() || !absl::ascii_isdigit(next[0])) {
      return absl::StrCat("skipped: the new mongo image tag '", next,
                          "' names no version (running ", running, ")");
    }
    if (MongoSeries(running) != MongoSeries(next)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the core's database runs mongo ", running,
          "; the new core bundle "
          "would run mongo ",
          next,
          " on the same volume: across release "
          "series mongo reads its files only after its own upgrade path (one "
          "series at a time, setFeatureCompatibilityVersion), which poolops "
          "does not do. Upgrade the database first, or keep CORE_MONGO_TAG "
          "at ",
          MongoSeries(running), " in the core's override.env"));
    }
    return absl::StrCat("mongo ", running, " -> ", next,
                        ": same release series, its volume kept");
  }

  // The old core back and, after an upgrade, its database as the upgrade's
  // backup holds it: the new version may have written what the old one
  // cannot read. Said either way in the rollback's events.
  void RollBackCore() {
    RollBack(core());
    if (backup_path_.empty() || !last_) return;
    const BundleRecord* old_core = nullptr;
    for (const BundleRecord& r : last_->bundles) {
      if (r.role == "core") old_core = &r;
    }
    absl::StatusOr<PoolBackup> backup = ReadBackup(backup_path_, pool_);
    absl::Status s = !backup.ok() ? backup.status()
                     : old_core == nullptr
                         ? absl::NotFoundError("no core in the last revision")
                         : RestoreCoreDatabase(l_, *backup, *old_core, dir_);
    events_.Emit(
        "rollback", core().target,
        s.ok() ? v1::StepEvent::STATE_ROLLING_BACK
               : v1::StepEvent::STATE_FAILED,
        s.ok() ? absl::StrCat("core database restored from ", backup_path_)
               : absl::StrCat("core database NOT restored from ", backup_path_,
                              " (pool restore can): ", s.message()));
  }

  absl::StatusOr<std::string> WaitCoreHealthy() {
    return WaitCoreHealthy(/*attach=*/version_change_);
  }
  // `attach`: an upgrade's new core also waits for the old workers.
  absl::StatusOr<std::string> WaitCoreHealthy(bool attach) {
    absl::Status last_error;
    bool up = WaitUntil(*l_.clock, l_.options.core_healthy_timeout,
                        l_.options.poll_interval, [&] {
                          absl::StatusOr<CoreMetrics> m =
                              l_.health->Core(probe_host_, probe_port_);
                          if (!m.ok()) last_error = m.status();
                          return m.ok();
                        });
    if (up && attach) return WorkersAttached();
    if (up) return absl::StrCat("core answers /metrics on port ", probe_port_);
    return absl::DeadlineExceededError(
        absl::StrCat("the core did not become healthy within ",
                     absl::FormatDuration(l_.options.core_healthy_timeout),
                     ": ", last_error.message(), CoreLogTail()));
  }

  // The new core runs: the workers that stay in the pool, still on the old
  // version, register with it before any is replaced (the rollout's count
  // starts from there).
  absl::StatusOr<std::string> WorkersAttached() {
    int kept = 0;
    for (const v1::PoolSpec::Worker& w : spec_.workers()) {
      for (const v1::PoolSpec::Worker& o : last_spec_->workers()) {
        kept += o.name() == w.name();
      }
    }
    if (static_cast<uint32_t>(kept) <= spec_.rollout().workers_at_once()) {
      return absl::StrCat("core answers /metrics on port ", probe_port_,
                          "; the workers are replaced all at once");
    }
    CoreMetrics seen;
    bool attached = WaitUntil(*l_.clock, l_.options.workers_alive_timeout,
                              l_.options.poll_interval, [&] {
                                absl::StatusOr<CoreMetrics> m =
                                    l_.health->Core(probe_host_, probe_port_);
                                if (m.ok()) seen = *m;
                                return m.ok() && m->alive_workers >= kept;
                              });
    if (!attached) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the ", VersionName(spec_.stack_version()),
          " core answers, but only ", seen.alive_workers, " of the ", kept,
          " workers still on ", VersionName(*from_),
          " registered with it within ",
          absl::FormatDuration(l_.options.workers_alive_timeout),
          ": if they cannot work with the new core, roll them all at once "
          "(rollout: {workers_at_once: ",
          spec_.workers_size(), "})"));
    }
    return absl::StrCat("core answers /metrics on port ", probe_port_, "; ",
                        seen.alive_workers, " workers of ", VersionName(*from_),
                        " registered with it");
  }

  // The core's last words, read before the rollback takes its container.
  std::string CoreLogTail() {
    absl::StatusOr<std::unique_ptr<Target>> t =
        l_.targets->Open(core().target, dir_, pool_);
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
                l_.targets->Open(b.target, dir_, pool_);
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
          l_.targets->Open(b->target, dir_, pool_);
      if (t.ok()) l_.runner->Up(t->get(), ComposeOf(*b)).IgnoreError();
    }
  }

  // New workers and unchanged ones in parallel (they take nothing away);
  // workers whose bundle changes `rollout.workers_at_once` at a time, each
  // batch gated before the next. One failure fails the step (and rolls back
  // every worker).
  absl::Status DeployWorkers() {
    std::vector<const Bundle*> at_once, rolled;
    for (size_t i = 1; i < rendered_.bundles.size(); ++i) {
      const Bundle& b = rendered_.bundles[i];
      const BundleRecord* before = Previous(b.name);
      bool changes = before != nullptr && !Diff(before, records_[i]).empty();
      (changes ? rolled : at_once).push_back(&b);
    }
    if (absl::Status s = DeployAll(at_once); !s.ok()) return s;
    if (rolled.empty()) return absl::OkStatus();
    const size_t n = spec_.rollout().workers_at_once();
    // Batches of at most n workers; workers sharing a host are one compose
    // project, replaced together (a batch of their own when more than n).
    std::vector<std::vector<const Bundle*>> batches;
    size_t in_batch = 0, workers = 0;
    std::vector<std::string> together;
    for (const Bundle* b : rolled) {
      const size_t size = std::max<size_t>(1, Record(*b).services.size());
      workers += size;
      if (size > n) together.push_back(b->name);
      if (batches.empty() || in_batch + size > n) {
        batches.emplace_back();
        in_batch = 0;
      }
      batches.back().push_back(b);
      in_batch += size;
    }
    return events_.Run(
        "roll-workers", pool_, [&]() -> absl::StatusOr<std::string> {
          min_alive_ = spec_.workers_size();
          for (size_t k = 0; k < batches.size(); ++k) {
            std::vector<std::string> names;
            for (const Bundle* b : batches[k]) names.push_back(b->name);
            events_.Emit("roll-workers", pool_, v1::StepEvent::STATE_STARTED,
                         absl::StrCat("batch ", k + 1, "/", batches.size(),
                                      ": ", absl::StrJoin(names, ", ")));
            if (absl::Status s = DeployAll(batches[k]); !s.ok()) return s;
            last_rolled_ = l_.clock->Now();
            if (absl::Status s = WaitBatchUp(batches[k]); !s.ok()) return s;
          }
          return absl::StrCat(
              workers, " worker(s) in ", rolled.size(),
              " bundle(s) replaced in ", batches.size(),
              " batch(es) of at most ", n,
              together.empty()
                  ? ""
                  : absl::StrCat(" (", absl::StrJoin(together, ", "),
                                 ": workers sharing a host, replaced "
                                 "together)"),
              "; fewest workers alive at the core meanwhile: ", min_alive_,
              " of ", spec_.workers_size());
        });
  }

  const BundleRecord* Previous(const std::string& name) const {
    if (!last_) return nullptr;
    for (const BundleRecord& b : last_->bundles) {
      if (b.name == name) return &b;
    }
    return nullptr;
  }

  absl::Status DeployAll(const std::vector<const Bundle*>& bundles) {
    std::vector<absl::Status> results(bundles.size());
    {
      std::vector<std::thread> threads;
      for (size_t i = 0; i < bundles.size(); ++i) {
        threads.emplace_back([&, i] { results[i] = Deploy(*bundles[i]); });
      }
      for (std::thread& t : threads) t.join();
    }
    std::vector<std::string> failed;
    for (size_t i = 0; i < bundles.size(); ++i) {
      if (!results[i].ok()) {
        failed.push_back(
            absl::StrCat(bundles[i]->name, ": ", results[i].message()));
      }
    }
    if (failed.empty()) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat("worker deployment failed: ",
                                               absl::StrJoin(failed, "; ")));
  }

  // Every service of the batch's bundles running, without a break, for
  // worker_settle, and the core counting every worker of the pool alive.
  // The core lists no workers (no route does), so a replaced worker that
  // exits on start (refused by the core, a bad setting) is seen by its
  // containers; one that runs but never reaches the core, by the count.
  absl::Status WaitBatchUp(const std::vector<const Bundle*>& batch) {
    std::optional<absl::Time> running_since;
    std::string waiting;
    CoreMetrics seen;
    const int want = spec_.workers_size();
    bool up = WaitUntil(
        *l_.clock, l_.options.workers_alive_timeout, l_.options.poll_interval,
        [&] {
          absl::StatusOr<CoreMetrics> m =
              l_.health->Core(probe_host_, probe_port_);
          if (m.ok()) {
            seen = *m;
            min_alive_ = std::min(min_alive_, m->alive_workers);
          }
          waiting = NotRunning(batch);
          if (!waiting.empty()) {
            running_since.reset();
            return false;
          }
          if (!running_since) running_since = l_.clock->Now();
          if (l_.clock->Now() - *running_since < l_.options.worker_settle) {
            waiting = "running for less than the settle time";
            return false;
          }
          if (!m.ok() || m->alive_workers < want) {
            waiting = absl::StrCat(seen.alive_workers, " of ", want,
                                   " workers alive at the core");
            return false;
          }
          return true;
        });
    if (up) return absl::OkStatus();
    std::vector<std::string> names;
    for (const Bundle* b : batch) names.push_back(b->name);
    return absl::DeadlineExceededError(
        absl::StrCat("workers ", absl::StrJoin(names, ", "),
                     " not up on the new version after ",
                     absl::FormatDuration(l_.options.workers_alive_timeout),
                     ": ", waiting, WorkerLogTail(*batch.front())));
  }

  // "" when every service of every bundle runs; else which does not.
  // The record of one of rendered_'s bundles, hashed once at the start.
  const BundleRecord& Record(const Bundle& b) const {
    return records_[static_cast<size_t>(&b - rendered_.bundles.data())];
  }

  struct Stopped {
    const Bundle* bundle = nullptr;
    std::string service;  // empty when the host could not be asked
    std::string message;
  };
  std::optional<Stopped> FirstNotRunning(
      const std::vector<const Bundle*>& batch) {
    for (const Bundle* b : batch) {
      absl::StatusOr<std::unique_ptr<Target>> t =
          l_.targets->Open(b->target, dir_, pool_);
      if (!t.ok()) return Stopped{b, "", std::string(t.status().message())};
      absl::StatusOr<std::vector<std::string>> running =
          l_.runner->Running(t->get(), ComposeOf(*b));
      if (!running.ok()) {
        return Stopped{b, "", std::string(running.status().message())};
      }
      for (const auto& [service, hash] : Record(*b).services) {
        if (std::find(running->begin(), running->end(), service) ==
            running->end()) {
          return Stopped{
              b, service,
              absl::StrCat(b->name, ": service ", service, " not running")};
        }
      }
    }
    return std::nullopt;
  }
  std::string NotRunning(const std::vector<const Bundle*>& batch) {
    std::optional<Stopped> stopped = FirstNotRunning(batch);
    return stopped ? stopped->message : "";
  }

  std::string WorkerLogTail(const Bundle& b, std::string service = "") {
    absl::StatusOr<std::unique_ptr<Target>> t =
        l_.targets->Open(b.target, dir_, pool_);
    if (!t.ok()) return "";
    const BundleRecord& record = Record(b);
    if (service.empty()) {
      service = record.services.empty() ? std::string("worker")
                                        : record.services.begin()->first;
    }
    absl::StatusOr<std::string> logs =
        l_.runner->Logs(t->get(), ComposeOf(b), service, 15);
    if (!logs.ok() || logs->empty()) return "";
    return absl::StrCat("\n", b.name, "'s last log lines:\n", *logs);
  }

  // The worker bundles this run wrote (a rollout that stops halfway never
  // touched the others, whose backups hold older revisions).
  void RollBackWorkers() {
    for (size_t i = 1; i < rendered_.bundles.size(); ++i) {
      const Bundle& b = rendered_.bundles[i];
      bool wrote;
      {
        absl::MutexLock lock(&written_mu_);
        wrote = written_.count(b.name) > 0;
      }
      if (wrote) RollBack(b);
    }
  }

  // Every worker alive on the core.
  // After a rollout, the count is trusted only once the core's alive window
  // has passed since the last old worker stopped: until then its last pings
  // still count, even if its replacement never reaches the core.
  absl::StatusOr<std::string> WaitWorkersAlive() {
    const int want = spec_.workers_size();
    const absl::Time trusted =
        last_rolled_ ? *last_rolled_ + l_.options.core_alive_window
                     : absl::InfinitePast();
    CoreMetrics seen;
    bool alive = WaitUntil(*l_.clock,
                           l_.options.workers_alive_timeout +
                               (last_rolled_ ? l_.options.core_alive_window
                                             : absl::ZeroDuration()),
                           l_.options.poll_interval, [&] {
                             absl::StatusOr<CoreMetrics> m =
                                 l_.health->Core(probe_host_, probe_port_);
                             if (!m.ok()) return false;
                             seen = *m;
                             return m->alive_workers >= want &&
                                    l_.clock->Now() >= trusted;
                           });
    if (alive) {
      return absl::StrCat(
          "aliveWorkers ", seen.alive_workers, ", aliveTotalCpu ",
          seen.alive_total_cpu,
          last_rolled_
              ? absl::StrCat(", ",
                             absl::FormatDuration(l_.options.core_alive_window),
                             " after the last old "
                             "worker stopped")
              : "");
    }
    // Which worker does not even run, and what it or its engine said.
    std::vector<const Bundle*> workers;
    for (size_t i = 1; i < rendered_.bundles.size(); ++i) {
      workers.push_back(&rendered_.bundles[i]);
    }
    std::optional<Stopped> stopped = FirstNotRunning(workers);
    return absl::DeadlineExceededError(absl::StrCat(
        "only ", seen.alive_workers, " of ", want, " workers alive after ",
        absl::FormatDuration(l_.options.workers_alive_timeout),
        stopped ? absl::StrCat(
                      " (", stopped->message, ")",
                      stopped->service.empty()
                          ? ""
                          : WorkerLogTail(*stopped->bundle, stopped->service))
                : ""));
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
    PublisherSettings p = PublisherOf(spec_);
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
    for (const Bundle& b : rendered_.bundles) {
      absl::StatusOr<TargetAddress> t = ParseTarget(b.target);
      if (!t.ok() || t->kind != TargetAddress::Kind::kSwarm) continue;
      std::string host = t->docker_host;
      // swarm://local is the orchestrator's docker: the monitor may run
      // with another environment, so it is told which one.
      if (const char* env = std::getenv("DOCKER_HOST");
          host.empty() && env != nullptr &&
          (absl::StartsWith(env, "unix://") ||
           absl::StartsWith(env, "ssh://"))) {
        host = env;
      }
      w.swarm_stacks.push_back({host, b.project, b.role});
    }
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
  const UpOptions options_;
  const CancelCheck& cancelled_;
  StepEvents events_;
  const std::string dir_;
  const std::string probe_host_;
  const uint32_t probe_port_;

  std::string workerpool_;
  RenderResult rendered_;
  std::vector<BundleRecord> records_;
  std::string backup_path_;  // the upgrade's backup, once taken
  std::vector<const BundleRecord*> removed_;

  // The last applied revision's spec (defaults filled) and stack version;
  // version_change_ when this one runs another.
  std::optional<v1::PoolSpec> last_spec_;
  absl::Status last_spec_status_;
  std::optional<v1::StackVersion> from_;
  bool version_change_ = false;
  std::optional<Bundle> interim_core_;     // the core while workers are rolled
  bool paused_ = false;                    // the old publisher is paused
  std::vector<const Bundle*> migrated_;    // override.env files rewritten
  int min_alive_ = 0;                      // during the rollout
  std::optional<absl::Time> last_rolled_;  // the last batch replaced
  absl::Mutex written_mu_;                 // workers deploy in parallel
  std::set<std::string> written_ ABSL_GUARDED_BY(written_mu_);
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
                                     const UpOptions& options,
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

  UpRun run(layers, loaded, spec, *rev, *std::move(last), options, sink,
            cancelled);
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
