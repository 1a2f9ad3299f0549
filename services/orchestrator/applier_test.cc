// The apply workflow with real local targets and state, and fakes for
// docker compose, the chain and health: order of steps, idempotence,
// convergence after a crash, health-gate rollback, down, history, rollback.
#include "services/orchestrator/applier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/fake_chain_client.h"
#include "services/orchestrator/fake_compose_test_support.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/unlock_keeper.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

class ApplierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The chain-gateway fake answers for chains that are not presets (the
    // devnet); presets are never asked.
    auto o = test::NewOrchestratorUnderTest(dir_.path(), &vault_, &secrets_,
                                            &chain_);
    ASSERT_NE(o.orchestrator, nullptr);
    state_ = std::move(o.state);
    orchestrator_ = std::move(o.orchestrator);
    targets_ = NewTargetFactory(proc::ProcessRunner::Real());
    ApplyOptions opts = FastApplyOptions(dir_.path() / "backups");
    applier_ = std::make_unique<Applier>(orchestrator_.get(), state_.get(),
                                         targets_.get(), &compose_, &chain_,
                                         &compose_, opts);
  }

  LoadedSpec Spec(int workers, const std::string& stack = "") {
    std::string yaml = absl::StrCat(
        stack.empty() ? "chain: bellecour\n"
                      : absl::StrCat("chain: arbitrum-sepolia-testnet\n"
                                     "stack_version: ",
                                     stack, "\n"),
        "name: t\nworkerpool: {owner_wallet: core, "
        "description: test pool}\nstake: {minimum: '1000'}\n"
        "core: {target: 'local:",
        (dir_.path() / "hosts/a").string(),
        "', host: 127.0.0.1}\norders: {publisher: poolops}\nworkers:\n");
    absl::StrAppend(&yaml, WorkerLines(workers));
    v1::SpecSource src;
    src.set_yaml(yaml);
    src.set_path((dir_.path() / "pool.yaml").string());
    auto loaded = orchestrator_->LoadValid(src);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return *loaded;
  }

  // The `workers:` entries w0..w(n-1), each on its own local host dir.
  std::string WorkerLines(int workers) {
    std::string lines;
    for (int i = 0; i < workers; ++i) {
      absl::StrAppend(&lines, "  - {name: w", i, ", target: 'local:",
                      (dir_.path() / absl::StrCat("hosts/h", i)).string(),
                      "', wallet: wallet", i, "}\n");
    }
    return lines;
  }

  // A v9.3 pool on chain `chain` (the arbitrum devnet unless said) with
  // `extra` YAML appended (funding, stake).
  v1::SpecSource DevnetSource(int workers, const std::string& extra,
                              const std::string& chain = "devnet") {
    std::string yaml =
        absl::StrCat("name: t\nchain: ", chain,
                     "\nstack_version: v9.3\nworkerpool: {owner_wallet: core, "
                     "description: test pool}\ncore: {target: 'local:",
                     (dir_.path() / "hosts/a").string(),
                     "', host: 127.0.0.1}\norders: {publisher: poolops}\n",
                     extra, "\nworkers:\n");
    absl::StrAppend(&yaml, WorkerLines(workers));
    v1::SpecSource src;
    src.set_yaml(yaml);
    src.set_path((dir_.path() / "pool.yaml").string());
    return src;
  }
  LoadedSpec DevnetSpec(int workers, const std::string& extra) {
    chain_.AddChain(test::ArbitrumDevnetChainFacts());
    auto loaded = orchestrator_->LoadValid(DevnetSource(workers, extra));
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return *loaded;
  }
  // The steps that started, in order, each once.
  std::vector<std::string> StartedSteps() const {
    std::vector<std::string> steps;
    for (const auto& e : events_) {
      if (e.step().state() == v1::StepEvent::STATE_STARTED &&
          (steps.empty() || steps.back() != e.step().action().step())) {
        steps.push_back(e.step().action().step());
      }
    }
    return steps;
  }
  // The last event of `step` (its outcome).
  v1::StepEvent Outcome(const std::string& step) const {
    v1::StepEvent out;
    for (const auto& e : events_) {
      if (e.step().action().step() == step) out = e.step();
    }
    return out;
  }

  std::vector<v1::UpEvent> events_;
  EventSink Sink() {
    return [this](const v1::UpEvent& e) { events_.push_back(e); };
  }

  poolops::test::TempDir dir_;
  FakeClock clock_{absl::Now()};
  FakeWalletSource vault_{&clock_};
  MemorySecretStore secrets_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<Orchestrator> orchestrator_;
  std::unique_ptr<TargetFactory> targets_;
  FakeCompose compose_;
  FakeChainClient chain_;
  std::unique_ptr<Applier> applier_;
};

TEST_F(ApplierTest, ACancelledUpStopsCreatingWallets) {
  // The client of `pool up` goes away after the second wallet.
  auto r = applier_->Up(Spec(5), Sink(), [&] { return vault_.created() >= 2; });
  ASSERT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_EQ(vault_.created(), 2);
  // Nothing past the wallets step ran; the revision says why it stopped.
  EXPECT_EQ(chain_.deployments(), 0);
  EXPECT_TRUE(compose_.up().empty());
  EXPECT_FALSE(fs::exists(dir_.path() / "hosts/a/core"));
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].outcome(), "failed");
  EXPECT_THAT((*history)[0].message(), ::testing::HasSubstr("cancelled"));
  // `up` again converges: the rest of the wallets, then the pool.
  auto again = applier_->Up(Spec(5), nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(vault_.created(), 6);
}

// A v9.3 core starts reading deals at the chain head of the first
// deployment, and keeps that block on every later `up`.
TEST_F(ApplierTest, V9StartBlockIsTheHeadAtTheFirstUpAndStays) {
  chain_.SetHead(4242);
  auto r = applier_->Up(Spec(1, "v9.3"), Sink());
  ASSERT_TRUE(r.ok()) << r.status();
  auto env_of_core = [&] {
    std::ifstream env(dir_.path() / "hosts/a/core/.env");
    return std::string((std::istreambuf_iterator<char>(env)), {});
  };
  EXPECT_THAT(env_of_core(), ::testing::HasSubstr("CHAIN_LAST_BLOCK=4242\n"));
  EXPECT_EQ(chain_.heads_asked(), 1);
  // The monitor probes the 9.x adapter's health and the config server.
  EXPECT_EQ(compose_.watched.adapter_path, "/actuator/health");
  EXPECT_EQ(compose_.watched.adapter, "http://127.0.0.1:13010");
  EXPECT_EQ(compose_.watched.config_server, "http://127.0.0.1:8888");
  chain_.SetHead(9999);
  auto again = applier_->Up(Spec(1, "v9.3"), Sink());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(env_of_core(), ::testing::HasSubstr("CHAIN_LAST_BLOCK=4242\n"));
  EXPECT_EQ(chain_.heads_asked(), 1);
}

// An operator's override.env kept from a v8 pool: the v9.3 up stops before
// deploying anything and names each line.
TEST_F(ApplierTest, V8HabitsInOverrideEnvStopAV9UpBeforeItDeploys) {
  fs::create_directories(dir_.path() / "hosts/a/core");
  std::ofstream(dir_.path() / "hosts/a/core/override.env")
      << "GAS_PRICE_MULTIPLIER=0\nPROD_CHAIN_ADAPTER_HOST=adapter.x\n";
  auto r = applier_->Up(Spec(1, "v9.3"), Sink());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(
      r.status().message(),
      ::testing::HasSubstr("core/override.env:1: GAS_PRICE_MULTIPLIER"));
  EXPECT_THAT(r.status().message(),
              ::testing::HasSubstr("override.env:2: PROD_CHAIN_ADAPTER_HOST"));
  EXPECT_TRUE(compose_.up().empty());
  // Fixed, the same up goes through.
  std::ofstream(dir_.path() / "hosts/a/core/override.env")
      << "GAS_PRICE_MULTIPLIER=1.2\n";
  auto again = applier_->Up(Spec(1, "v9.3"), Sink());
  ASSERT_TRUE(again.ok()) << again.status();
}

TEST_F(ApplierTest, UpRunsEveryStepThenConverges) {
  auto r = applier_->Up(Spec(3), Sink());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->revision(), 1u);
  EXPECT_FALSE(r->workerpool().empty());
  EXPECT_EQ(vault_.created(), 4);
  EXPECT_EQ(chain_.deployments(), 1);
  EXPECT_EQ(chain_.stake("core"), "1000");
  EXPECT_TRUE(chain_.publisher_enabled());
  EXPECT_EQ(compose_.up(), (std::set<std::string>{"core", "w0", "w1", "w2"}));
  EXPECT_TRUE(fs::exists(dir_.path() / "hosts/a/core/.env"));
  EXPECT_TRUE(fs::exists(dir_.path() / "hosts/h1/w1/wallet-1.json"));
  // The workerpool address reached the core's .env.
  std::ifstream env(dir_.path() / "hosts/a/core/.env");
  std::string text((std::istreambuf_iterator<char>(env)), {});
  EXPECT_NE(text.find("PROD_POOL_ADDRESS=" + r->workerpool()),
            std::string::npos);
  std::vector<std::string> steps;
  for (const auto& e : events_) {
    if (e.step().state() == v1::StepEvent::STATE_STARTED &&
        (steps.empty() || steps.back() != e.step().action().step())) {
      steps.push_back(e.step().action().step());
    }
  }
  EXPECT_THAT(steps,
              ::testing::ElementsAre(
                  "wallets", "fund-wallets", "register-workerpool",
                  "ensure-stake", "deploy", "wait-core-healthy", "deploy",
                  "wait-workers-alive", "set-publisher", "monitor"));
  // Not a devnet pool: no funding, said so.
  EXPECT_EQ(Outcome("fund-wallets").state(), v1::StepEvent::STATE_SKIPPED);
  EXPECT_EQ(Outcome("fund-wallets").message(),
            "skipped: no funding in the spec");
  EXPECT_THAT(
      chain_.calls(),
      ::testing::Not(::testing::Contains(::testing::StartsWith("fund "))));
  // The owner wallet the vault just made was unlocked for chain-gateway.
  EXPECT_GE(vault_.unlocked(), 1);
  // ...and may sign only transactions to the hub, this pool's orders under
  // the hub's domain and the market challenge (the vault refuses the rest).
  absl::StatusOr<poolops::wallet::v1::Policy> policy = vault_.GetPolicy("core");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_THAT(policy->allowed_chain_ids(), ::testing::ElementsAre("134"));
  EXPECT_THAT(
      policy->allowed_to(),
      ::testing::ElementsAre("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"));
  ASSERT_EQ(policy->typed_data_rules_size(), 2);
  EXPECT_EQ(policy->typed_data_rules(0).primary_type(), "WorkerpoolOrder");
  EXPECT_EQ(policy->typed_data_rules(0).message().at("workerpool"),
            r->workerpool());
  EXPECT_EQ(policy->typed_data_rules(0).domain_verifying_contract(),
            "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  EXPECT_EQ(policy->typed_data_rules(1).primary_type(), "Challenge");
  EXPECT_FALSE(policy->allow_messages());
  EXPECT_FALSE(vault_.GetPolicy("wallet0")->typed_data_rules_size())
      << "workers' wallets are not the publisher's";
  // Again: nothing new on chain or in the vault; plan is quiet.
  auto again = applier_->Up(Spec(3), nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->revision(), 2u);
  EXPECT_EQ(again->workerpool(), r->workerpool());
  EXPECT_EQ(chain_.deployments(), 1);
  EXPECT_EQ(vault_.created(), 4);
  auto plan = orchestrator_->Plan(Spec(3));
  ASSERT_TRUE(plan.ok());
  for (const v1::Action& a : *plan) {
    EXPECT_NE(a.step(), "write-bundle") << a.detail();
    EXPECT_NE(a.step(), "register-workerpool");
    EXPECT_NE(a.step(), "create-wallet");
  }
}

// A devnet pool with `funding`: every wallet (owner and workers) is topped
// up right after it exists and before the owner registers and stakes; the
// next `up` sends nothing.
TEST_F(ApplierTest, FundingTopsUpEveryWalletBeforeRegistrationAndStake) {
  LoadedSpec spec = DevnetSpec(
      2, "funding: {eth: '1', rlc: '10'}\nstake: {minimum: '1000000000'}");
  auto r = applier_->Up(spec, Sink());
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string funded = "1000000000000000000/10000000000";  // wei/nRLC
  EXPECT_EQ(chain_.funded("core"), funded);
  EXPECT_EQ(chain_.funded("wallet0"), funded);
  EXPECT_EQ(chain_.funded("wallet1"), funded);
  EXPECT_THAT(chain_.calls(), ::testing::ElementsAre(
                                  "fund core", "fund wallet0", "fund wallet1",
                                  "deploy core", "stake core"));
  EXPECT_EQ(chain_.stake("core"), "1000000000");
  std::vector<std::string> steps = StartedSteps();
  ASSERT_GE(steps.size(), 4u);
  EXPECT_THAT(std::vector<std::string>(steps.begin(), steps.begin() + 4),
              ::testing::ElementsAre("wallets", "fund-wallets",
                                     "register-workerpool", "ensure-stake"));
  EXPECT_EQ(Outcome("fund-wallets").state(), v1::StepEvent::STATE_DONE);
  EXPECT_THAT(Outcome("fund-wallets").message(),
              ::testing::HasSubstr("core: topped up"));
  EXPECT_EQ(chain_.fund_transfers(), 3);
  // The plan says so too.
  auto plan = orchestrator_->Plan(spec);
  ASSERT_TRUE(plan.ok()) << plan.status();
  bool planned = false;
  for (const v1::Action& a : *plan) planned |= a.step() == "fund-wallets";
  EXPECT_TRUE(planned);

  events_.clear();
  auto again = applier_->Up(spec, Sink());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(chain_.fund_transfers(), 3);
  EXPECT_THAT(Outcome("fund-wallets").message(),
              ::testing::HasSubstr("wallet1: funded already"));
}

// chain-gateway refusing (or failing) to fund stops `up` before anything is
// registered, naming the wallet.
TEST_F(ApplierTest, AFundingFailureStopsUpBeforeRegistration) {
  chain_.SetFundError(absl::FailedPreconditionError(
      "chain \"devnet\" runs on \"Geth\", not anvil"));
  auto r = applier_->Up(DevnetSpec(1, "funding: {rlc: '10'}"), Sink());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("wallet core: "));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("not anvil"));
  EXPECT_EQ(chain_.deployments(), 0);
  EXPECT_TRUE(compose_.up().empty());
  EXPECT_EQ(Outcome("fund-wallets").state(), v1::StepEvent::STATE_FAILED);
}

// `funding` is for the devnet alone: `pool validate` names it on a preset
// or a chain the operator added, and checks its amounts.
TEST_F(ApplierTest, FundingIsValidOnTheDevnetOnly) {
  chain_.AddChain(test::ArbitrumDevnetChainFacts());
  ChainFacts mine = test::ArbitrumDevnetChainFacts();
  mine.name = "mine";
  mine.origin = "custom";
  chain_.AddChain(mine);
  const std::string funding = "funding: {eth: '0.5', rlc: '10'}";
  auto on = [&](const std::string& chain, const std::string& extra) {
    absl::StatusOr<LoadedSpec> l =
        orchestrator_->Load(DevnetSource(1, extra, chain));
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? l->violations : std::vector<v1::Violation>{};
  };
  EXPECT_TRUE(on("devnet", funding).empty())
      << test::Dump(on("devnet", funding));
  for (const char* chain : {"mine", "arbitrum-sepolia-testnet"}) {
    std::vector<v1::Violation> vs = on(chain, funding);
    const v1::Violation* v = test::Find(vs, "funding");
    ASSERT_NE(v, nullptr) << chain << "\n" << test::Dump(vs);
    EXPECT_THAT(v->message(), ::testing::HasSubstr("devnet only"));
    EXPECT_THAT(v->message(), ::testing::HasSubstr("by hand"));
    EXPECT_THAT(v->location(), ::testing::HasSubstr("pool.yaml:"));
  }
  std::vector<v1::Violation> bad =
      on("devnet", "funding: {eth: '1e18', rlc: '0.0000000001'}");
  EXPECT_NE(test::Find(bad, "funding.eth"), nullptr) << test::Dump(bad);
  EXPECT_NE(test::Find(bad, "funding.rlc"), nullptr) << test::Dump(bad);
  EXPECT_NE(test::Find(on("devnet", "funding: {}"), "funding"), nullptr);
}

TEST_F(ApplierTest, PlanShowsChangesWithoutMakingThem) {
  auto plan = orchestrator_->Plan(Spec(2));
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> steps;
  for (const auto& a : *plan) steps.push_back(a.step());
  EXPECT_THAT(steps, ::testing::Contains("create-wallet"));
  EXPECT_THAT(steps, ::testing::Contains("register-workerpool"));
  EXPECT_THAT(steps, ::testing::Contains("compose-up"));
  EXPECT_EQ(vault_.created(), 0);
  EXPECT_EQ(chain_.deployments(), 0);
  EXPECT_FALSE(fs::exists(dir_.path() / "hosts"));
  ASSERT_TRUE(applier_->Up(Spec(2), nullptr).ok());
  // One more worker: only its bundle changes.
  plan = orchestrator_->Plan(Spec(3));
  ASSERT_TRUE(plan.ok());
  std::vector<std::string> bundles;
  for (const auto& a : *plan) {
    if (a.step() == "write-bundle" || a.step() == "compose-up") {
      bundles.push_back(a.detail().substr(0, a.detail().find(':')));
    }
  }
  EXPECT_THAT(bundles, ::testing::ElementsAre("w2", "w2"));
}

TEST_F(ApplierTest, InterruptedApplyConvergesOnTheNextUp) {
  // A crash after the revision began: an in-progress row left behind.
  ASSERT_TRUE(state_->BeginRevision("t", "{}").ok());
  auto r = applier_->Up(Spec(1), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->revision(), 2u);
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].outcome(), "interrupted");
  EXPECT_EQ((*history)[1].outcome(), "applied");
}

TEST_F(ApplierTest, WorkerThatNeverPingsRollsBackToLastGood) {
  ASSERT_TRUE(applier_->Up(Spec(1), nullptr).ok());
  compose_.never_ping.insert("w1");
  auto r = applier_->Up(Spec(2), Sink());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("1 of 2"));
  // w1 was new: it is down again; w0 runs its previous bundle.
  EXPECT_EQ(compose_.up(), (std::set<std::string>{"core", "w0"}));
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().outcome(), "failed");
  bool rolled = false;
  for (const auto& e : events_) {
    rolled |= e.step().state() == v1::StepEvent::STATE_ROLLING_BACK;
  }
  EXPECT_TRUE(rolled);
}

TEST_F(ApplierTest, AFailedWorkersGateUndoesTheStepsAfterTheCoreGateLastFirst) {
  // Revision 1: core, w0 and w1.
  ASSERT_TRUE(applier_->Up(Spec(2), nullptr).ok());
  compose_.TakeActions();
  // Revision 2 drops w1, and w0 never pings: the workers gate fails.
  compose_.never_ping.insert("w0");
  auto r = applier_->Up(Spec(1), Sink());
  ASSERT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  // Done: core up (its gate passed, so it stays), w1 removed, w0 up. Undone,
  // last first: w0 back to its previous bundle, then w1 up again.
  EXPECT_THAT(
      compose_.TakeActions(),
      ::testing::ElementsAre("up core", "down w1", "up w0", "up w0", "up w1"));
  EXPECT_EQ(compose_.up(), (std::set<std::string>{"core", "w0", "w1"}));
  std::vector<std::string> rolled_back;
  for (const auto& e : events_) {
    if (e.step().state() == v1::StepEvent::STATE_ROLLING_BACK)
      rolled_back.push_back(e.step().message());
  }
  EXPECT_THAT(rolled_back, ::testing::ElementsAre("w0"));
}

TEST_F(ApplierTest, AFailedCoreDeployTakesBackTheCoreOnly) {
  compose_.fail_up.insert("core");
  auto r = applier_->Up(Spec(2), Sink());
  ASSERT_FALSE(r.ok());
  // The core's new bundle goes down; no worker was touched.
  EXPECT_THAT(compose_.TakeActions(), ::testing::ElementsAre("down core"));
  EXPECT_EQ(chain_.deployments(), 1);  // the registration stays
}

TEST_F(ApplierTest, MissingImageFailsWithTheHostNamed) {
  compose_.fail_up.insert("w0");
  auto r = applier_->Up(Spec(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("w0"));
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("image missing"));
}

TEST_F(ApplierTest, UnhealthyCoreRollsBack) {
  compose_.core_never_healthy = true;
  auto r = applier_->Up(Spec(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("core"));
  EXPECT_TRUE(compose_.up().empty());
}

TEST_F(ApplierTest, DownHistoryRollback) {
  ASSERT_TRUE(applier_->Up(Spec(1), nullptr).ok());
  ASSERT_TRUE(applier_->Up(Spec(2), nullptr).ok());
  auto back = applier_->Rollback("t", 1, nullptr);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->revision(), 3u);
  // The worker that revision 1 did not have is gone.
  EXPECT_EQ(compose_.up(), (std::set<std::string>{"core", "w0"}));
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[2].spec().workers_size(), 1);
  EXPECT_TRUE(absl::IsNotFound(applier_->Rollback("t", 9, nullptr).status()));
  auto down = applier_->Down("t", false);
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_TRUE(compose_.up().empty());
  EXPECT_EQ(*state_->PoolStatus("t"), "down");
  EXPECT_TRUE(absl::IsNotFound(applier_->Down("nope", false).status()));
}

}  // namespace
}  // namespace poolops::orchestrator

namespace poolops::orchestrator {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_F(ApplierTest, KeeperKeepsThePublishingOwnerUnlocked) {
  ASSERT_TRUE(applier_->Up(Spec(1), nullptr).ok());
  EXPECT_EQ(vault_.unlocked(), 1);  // by `up` itself, for 24 h
  UnlockKeeper keeper(orchestrator_.get(), applier_.get(), &vault_, &clock_,
                      absl::Hours(12));
  EXPECT_THAT(keeper.RunOnce(),
              ElementsAre(HasSubstr("t: owner wallet core unlocked until")));
  EXPECT_EQ(vault_.unlocked(), 1);
  // Within the margin of the vault's expiry: unlocked again.
  clock_.Advance(absl::Hours(13));
  EXPECT_THAT(keeper.RunOnce(), ElementsAre(HasSubstr("unlocked for 24h")));
  EXPECT_EQ(vault_.unlocked(), 2);
  // A vault restart locks every wallet.
  vault_.LockAll();
  keeper.RunOnce();
  EXPECT_EQ(vault_.unlocked(), 3);
  // A pool that is down keeps nothing unlocked.
  ASSERT_TRUE(applier_->Down("t", false).ok());
  vault_.LockAll();
  EXPECT_TRUE(keeper.RunOnce().empty());
  EXPECT_EQ(vault_.unlocked(), 3);
}

// `wallet lock` wins: the keeper never undoes an operator's lock, and
// resumes once the operator unlocks.
TEST_F(ApplierTest, KeeperLeavesAnOperatorLockedWalletLocked) {
  ASSERT_TRUE(applier_->Up(Spec(1), nullptr).ok());
  const int before = vault_.unlocked();
  UnlockKeeper keeper(orchestrator_.get(), applier_.get(), &vault_, &clock_,
                      absl::Hours(12));
  vault_.OperatorLock("core");
  for (int pass = 0; pass < 3; ++pass) {
    EXPECT_THAT(keeper.RunOnce(),
                ElementsAre(AllOf(HasSubstr("locked by the operator"),
                                  HasSubstr("publishing paused"))));
    clock_.Advance(absl::Hours(25));  // past any TTL: still left alone
  }
  EXPECT_EQ(vault_.unlocked(), before);
  EXPECT_EQ(*vault_.UnlockedUntil("core"), absl::InfinitePast());
  // A vault restart does not lift it either (the vault persists it).
  vault_.LockAll();
  keeper.RunOnce();
  EXPECT_EQ(vault_.unlocked(), before);
  // `pool up` does not undo it silently: it stops, saying why.
  absl::StatusOr<v1::PoolResult> up = applier_->Up(Spec(1), nullptr);
  EXPECT_FALSE(up.ok());
  EXPECT_THAT(std::string(up.status().message()),
              HasSubstr("locked by the operator"));
  // The operator's `wallet unlock`: the keeper takes over again.
  vault_.OperatorUnlock("core");
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(keeper.RunOnce(), ElementsAre(HasSubstr("unlocked for 24h")));
  EXPECT_EQ(vault_.unlocked(), before + 1);
}

TEST_F(ApplierTest, KeeperLeavesIexecPublisherPoolsAlone) {
  LoadedSpec spec = Spec(1);
  spec.spec.mutable_orders()->set_publisher(v1::PUBLISHER_IEXEC);
  ASSERT_TRUE(applier_->Up(spec, nullptr).ok());
  vault_.LockAll();
  const int before = vault_.unlocked();
  UnlockKeeper keeper(orchestrator_.get(), applier_.get(), &vault_, &clock_);
  EXPECT_THAT(keeper.RunOnce(), ElementsAre("t: nothing to keep unlocked"));
  EXPECT_EQ(vault_.unlocked(), before);
}

TEST_F(ApplierTest, KeeperThreadPassesAtStartAndStops) {
  ASSERT_TRUE(applier_->Up(Spec(1), nullptr).ok());
  vault_.LockAll();
  UnlockKeeper keeper(orchestrator_.get(), applier_.get(), &vault_, &clock_);
  keeper.Start(absl::Hours(1));
  for (int i = 0; i < 500 && vault_.unlocked() < 2; ++i)
    absl::SleepFor(absl::Milliseconds(10));
  keeper.Stop();  // returns without waiting for the hour
  EXPECT_EQ(vault_.unlocked(), 2);
}

}  // namespace
}  // namespace poolops::orchestrator

namespace poolops::orchestrator {
namespace {

TEST_F(ApplierTest, OnePoolOneApplyAtATime) {
  absl::Notification release;
  compose_.hold = &release;
  absl::StatusOr<v1::PoolResult> first;
  std::thread running([&] { first = applier_->Up(Spec(1), nullptr); });
  compose_.entered.WaitForNotification();  // the first up is on the hosts
  // A second up, a down or a rollback of the same pool is refused and
  // changes nothing: the running revision stays in progress.
  absl::StatusOr<v1::PoolResult> second = applier_->Up(Spec(2), nullptr);
  EXPECT_TRUE(absl::IsAborted(second.status())) << second.status();
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr("a `pool up` is running"));
  EXPECT_TRUE(absl::IsAborted(applier_->Down("t", false).status()));
  EXPECT_TRUE(absl::IsAborted(applier_->Rollback("t", 1, nullptr).status()));
  release.Notify();
  running.join();
  ASSERT_TRUE(first.ok()) << first.status();
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].outcome(), "applied");
  // Once it ended, the pool is free again.
  compose_.hold = nullptr;
  EXPECT_TRUE(applier_->Up(Spec(2), nullptr).ok());
}

// ------------------------------------------------------------- upgrades --

class UpgradeTest : public ApplierTest {
 protected:
  LoadedSpec At(const std::string& stack, int workers = 3,
                const std::string& extra = "") {
    chain_.AddChain(test::ArbitrumDevnetChainFacts());
    v1::SpecSource src = DevnetSource(workers, extra);
    std::string yaml = src.yaml();
    size_t at = yaml.find("stack_version: v9.3");
    yaml.replace(at, 19, "stack_version: " + stack);
    if (stack == "v8.3") {  // its HTTPS is built in
      at = yaml.find("host: 127.0.0.1}");
      yaml.replace(at, 16,
                   "host: 127.0.0.1, letsencrypt_email: ops@example.com}");
    }
    src.set_yaml(yaml);
    auto loaded = orchestrator_->LoadValid(src);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return *loaded;
  }
  std::string File(const std::string& path) {
    std::ifstream in(dir_.path() / path);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  std::vector<std::string> Ups() {
    std::vector<std::string> ups;
    for (const std::string& a : compose_.TakeActions()) {
      if (a.rfind("up ", 0) == 0) ups.push_back(a.substr(3));
    }
    return ups;
  }
};

// v7.1 -> v8.3 -> v9.3: the core first, then the workers one at a time,
// and on v9.3 the core's required worker version once all run 9.2.0.
TEST_F(UpgradeTest, CoreThenWorkersOneAtATimeThenTheRequiredVersion) {
  ASSERT_TRUE(applier_->Up(At("v7.1"), Sink()).ok());
  EXPECT_THAT(File("hosts/a/core/.env"), HasSubstr("WORKER_TAG=7.1.0\n"));
  Ups();
  events_.clear();
  auto r = applier_->Up(At("v8.3"), Sink());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Ups(), ElementsAre("core", "w0", "w1", "w2"));
  EXPECT_THAT(Outcome("check-upgrade").message(),
              HasSubstr("v7.1 -> v8.3: the core first"));
  EXPECT_THAT(Outcome("roll-workers").message(),
              HasSubstr("3 worker(s) in 3 bundle(s) replaced in 3 batch(es) "
                        "of at most 1; fewest workers alive at the core "
                        "meanwhile: 3 of 3"));
  // v8.3's core sets no required version: no second core step.
  EXPECT_EQ(Outcome("require-worker-version").state(),
            v1::StepEvent::STATE_UNSPECIFIED);
  // The publisher paused while the core changed, then on again.
  EXPECT_THAT(chain_.publisher_history(), ElementsAre(true, false, true));
  // A backup of the v7.1 pool came first; `pool history` names it.
  const std::string backup = Outcome("backup").message();
  EXPECT_THAT(backup,
              ::testing::StartsWith((dir_.path() / "backups/t-").string()));
  EXPECT_TRUE(ReadBackup(backup, "t").ok());
  EXPECT_EQ(StartedSteps().front(), "check-upgrade");
  EXPECT_EQ(StartedSteps()[1], "backup");
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().backup(), backup);

  events_.clear();
  r = applier_->Up(At("v9.3", 3, "rollout: {workers_at_once: 2}"), Sink());
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> ups = Ups();  // a batch deploys in parallel
  ASSERT_EQ(ups.size(), 5u);
  EXPECT_THAT(std::vector<std::string>(ups.begin() + 1, ups.begin() + 3),
              ::testing::UnorderedElementsAre("w0", "w1"));
  EXPECT_THAT((std::vector<std::string>{ups[0], ups[3], ups[4]}),
              ElementsAre("core", "w2", "core"));
  EXPECT_THAT(Outcome("roll-workers").message(),
              HasSubstr("in 2 batch(es) of at most 2"));
  EXPECT_THAT(Outcome("require-worker-version").message(),
              HasSubstr("the core requires worker 9.2.0"));
  EXPECT_THAT(File("hosts/a/core/.env"), HasSubstr("WORKER_TAG=9.2.0\n"));
  // The same spec again: nothing to roll, no upgrade.
  events_.clear();
  ASSERT_TRUE(
      applier_->Up(At("v9.3", 3, "rollout: {workers_at_once: 2}"), Sink())
          .ok());
  ups = Ups();  // unchanged workers: in parallel
  ASSERT_EQ(ups.size(), 4u);
  EXPECT_EQ(ups[0], "core");
  EXPECT_THAT(std::vector<std::string>(ups.begin() + 1, ups.end()),
              ::testing::UnorderedElementsAre("w0", "w1", "w2"));
  EXPECT_EQ(Outcome("check-upgrade").state(), v1::StepEvent::STATE_UNSPECIFIED);
  EXPECT_EQ(Outcome("roll-workers").state(), v1::StepEvent::STATE_UNSPECIFIED);
}

// The backup is the upgrade's first step: when it fails, nothing changes.
TEST_F(UpgradeTest, AFailedBackupStopsTheUpgradeBeforeAnythingChanges) {
  ASSERT_TRUE(applier_->Up(At("v7.1"), Sink()).ok());
  const std::string env = File("hosts/a/core/.env");
  Ups();
  compose_.fail_exec = true;
  auto r = applier_->Up(At("v8.3"), Sink());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("the backup before the upgrade failed (nothing "
                        "changed): the core's database dump"));
  EXPECT_TRUE(Ups().empty());
  EXPECT_EQ(File("hosts/a/core/.env"), env);
  EXPECT_THAT(chain_.publisher_history(), ElementsAre(true));
  compose_.fail_exec = false;
  ASSERT_TRUE(applier_->Up(At("v8.3"), Sink()).ok());
}

// The database volume is kept across an upgrade: a mongo of another
// release series than the running one would not read it.
TEST_F(UpgradeTest, AnotherMongoSeriesOnTheKeptVolumeIsRefused) {
  ASSERT_TRUE(applier_->Up(At("v7.1"), Sink()).ok());
  const std::string env = File("hosts/a/core/.env");
  compose_.mongo_version = "5.0.3";  // moved to 5.0 by hand
  events_.clear();
  auto r = applier_->Up(At("v8.3"), Sink());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("runs mongo 5.0.3; the new core bundle would run "
                        "mongo 4.4"));
  EXPECT_EQ(File("hosts/a/core/.env"), env);
  // Pinned to its series in the operator's override.env: it goes through.
  std::ofstream(dir_.path() / "hosts/a/core/override.env")
      << "CORE_MONGO_TAG=5.0\n";
  events_.clear();
  auto pinned = applier_->Up(At("v8.3"), Sink());
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_EQ(Outcome("check-database").message(),
            "mongo 5.0.3 -> 5.0: same release series, its volume kept");
}

// A worker that exits on the new version: every host back on the old
// revision, the core included, and the old publisher on again.
TEST_F(UpgradeTest, AWorkerFailingOnTheNewVersionRollsBackEverything) {
  ASSERT_TRUE(applier_->Up(At("v8.3"), Sink()).ok());
  const std::string core_before = File("hosts/a/core/.env");
  const std::string w2_before = File("hosts/h2/w2/.env");
  compose_.crash_env.insert("WORKER_TAG=9.2.0");
  const std::string data_before = compose_.database("t-core");
  compose_.core_writes = "what a 9.x core wrote";
  events_.clear();
  auto r = applier_->Up(At("v9.3"), Sink());
  ASSERT_FALSE(r.ok());
  // The database as it was before the upgrade, from the upgrade's backup.
  EXPECT_EQ(compose_.database("t-core"), data_before);
  bool restored = false;
  for (const auto& e : events_) {
    restored |= absl::StartsWith(
        e.step().message(),
        "core database restored from " + (dir_.path() / "backups").string());
  }
  EXPECT_TRUE(restored);
  compose_.core_writes.clear();
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("workers w0 not up on the new version"));
  EXPECT_THAT(r.status().message(),
              HasSubstr("w0: service worker not running"));
  EXPECT_EQ(File("hosts/a/core/.env"), core_before);
  EXPECT_THAT(File("hosts/h0/w0/.env"), HasSubstr("WORKER_TAG=8.3.0\n"));
  // w1 and w2 were never touched: their files stay (not an older backup).
  EXPECT_EQ(File("hosts/h2/w2/.env"), w2_before);
  EXPECT_THAT(chain_.publisher_history(), ElementsAre(true, false, true));
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().outcome(), "failed");
  // Fixed, the upgrade goes through from the same state.
  compose_.crash_env.clear();
  auto again = applier_->Up(At("v9.3"), Sink());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(File("hosts/a/core/.env"), HasSubstr("WORKER_TAG=9.2.0\n"));
}

// A crash halfway (the v9.3 core written, no worker yet): the next `up`
// converges, and the backup it rolls back to is still the v8.3 core.
TEST_F(UpgradeTest, AnUpgradeInterruptedHalfwayConvergesAndKeepsItsWayBack) {
  ASSERT_TRUE(applier_->Up(At("v8.3"), Sink()).ok());
  const std::string core_v8 = File("hosts/a/core/.env");
  compose_.never_ping.insert("w1");  // the first attempt's gate fails...
  compose_.crash_env.insert("WORKER_TAG=9.2.0");
  ASSERT_FALSE(applier_->Up(At("v9.3"), Sink()).ok());
  // ...and a crash mid-run is an in-progress row with the folders as they
  // were: the core written by the crashed revision.
  ASSERT_TRUE(state_->BeginRevision("t", "{}").ok());
  ASSERT_TRUE(state_->SetHost("t", "core", "x", 99, "writing").ok());
  auto r = applier_->Up(At("v9.3"), Sink());
  ASSERT_FALSE(r.ok());
  // Still the v8.3 core after the second failure: its backup was kept.
  EXPECT_EQ(File("hosts/a/core/.env"), core_v8);
  compose_.crash_env.clear();
  compose_.never_ping.clear();
  ASSERT_TRUE(applier_->Up(At("v9.3"), Sink()).ok());
  auto history = applier_->History("t");
  ASSERT_TRUE(history.ok());
  std::vector<std::string> outcomes;
  for (const auto& h : *history) outcomes.push_back(h.outcome());
  EXPECT_THAT(outcomes, ElementsAre("applied", "failed", "interrupted",
                                    "failed", "applied"));
}

TEST_F(UpgradeTest, ADowngradeBySpecIsRefusedRollbackGoesBack) {
  ASSERT_TRUE(applier_->Up(At("v8.3", 1), Sink()).ok());
  ASSERT_TRUE(applier_->Up(At("v9.3", 1), Sink()).ok());
  Ups();
  auto r = applier_->Up(At("v8.3", 1), Sink());
  ASSERT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("stack_version v8.3 is older than the running v9.3"));
  EXPECT_THAT(r.status().message(), HasSubstr("poolctl pool rollback t"));
  EXPECT_THAT(Ups(), IsEmpty());
  auto back = applier_->Rollback("t", 1, Sink());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_THAT(File("hosts/a/core/.env"), HasSubstr("CORE_TAG=8.3.0\n"));
}

// The operator's override.env written for v7.1: named by `up`, which
// changes nothing; with --migrate-overrides rewritten, the old one kept.
TEST_F(UpgradeTest, OldOverrideNamesStopTheUpgradeUnlessMigrated) {
  ASSERT_TRUE(applier_->Up(At("v7.1", 1), Sink()).ok());
  std::ofstream(dir_.path() / "hosts/a/core/override.env")
      << "GRAFANA_TAG=4.0.1\n";
  std::ofstream(dir_.path() / "hosts/h0/w0/override.env")
      << "WORKER_NAME=mine\n";
  Ups();
  auto r = applier_->Up(At("v8.3", 1), Sink());
  ASSERT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("core/override.env: line 1: GRAFANA_TAG -> "
                        "CORE_GRAFANA_TAG (`pool up --migrate-overrides` "
                        "rewrites it"));
  EXPECT_THAT(r.status().message(),
              HasSubstr("w0/override.env: line 1: WORKER_NAME: the v8.3 "
                        "files do not read it"));
  EXPECT_THAT(Ups(), IsEmpty());
  // The worker's line only the operator can change; the core's is migrated.
  std::ofstream(dir_.path() / "hosts/h0/w0/override.env") << "";
  UpOptions migrate;
  migrate.migrate_overrides = true;
  // Migrated, then the new core fails: the old file is back with the old
  // version.
  compose_.core_never_healthy = true;
  r = applier_->Up(At("v8.3", 1), Sink(), {}, migrate);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(File("hosts/a/core/override.env"), "GRAFANA_TAG=4.0.1\n");
  compose_.core_never_healthy = false;
  r = applier_->Up(At("v8.3", 1), Sink(), {}, migrate);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(File("hosts/a/core/override.env"), "CORE_GRAFANA_TAG=4.0.1\n");
  EXPECT_EQ(File("hosts/a/core/override.env.pre-v7.1"), "GRAFANA_TAG=4.0.1\n");
  EXPECT_THAT(File("hosts/a/core/.env"), HasSubstr("CORE_GRAFANA_TAG=4.0.1"));
  EXPECT_EQ(
      fs::status(dir_.path() / "hosts/a/core/override.env").permissions() &
          fs::perms::others_all,
      fs::perms::none);
}

// `pool plan` of an upgrade: every change as a `migrate` action, nothing
// changed on the hosts.
TEST_F(UpgradeTest, PlanListsTheMigrationAndChangesNothing) {
  ASSERT_TRUE(applier_->Up(At("v8.3"), Sink()).ok());
  Ups();
  auto plan =
      orchestrator_->Plan(At("v9.3", 3, "rollout: {workers_at_once: 2}"));
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> migrate;
  for (const v1::Action& a : *plan) {
    if (a.step() == "migrate")
      migrate.push_back(a.target() + " | " + a.detail());
  }
  const std::string all = absl::StrJoin(migrate, "\n");
  EXPECT_THAT(all, HasSubstr("core bundle services: added config-server; "
                             "removed "));
  EXPECT_THAT(all, HasSubstr("service core: no longer read: "
                             "IEXEC_PRIVATE_CHAIN_ADDRESS (9.x reads "
                             "IEXEC_BLOCKCHAIN_NODE_ADDRESS)"));
  EXPECT_THAT(all, HasSubstr("IEXEC_CORE_CHAIN_ADAPTER_URL, "
                             "IEXEC_CONFIG_SERVER_URL"));
  EXPECT_THAT(all, HasSubstr("service blockchain-adapter: no longer read: "
                             "IEXEC_BLOCKCHAIN_ADAPTER_API_NODE_ADDRESS"));
  EXPECT_THAT(all, HasSubstr("workers | v8.3 -> v9.3 worker service "
                             "worker_prod -> worker: no longer read: "
                             "IEXEC_CORE_HOST (9.x reads IEXEC_CORE_URL"));
  EXPECT_THAT(all, HasSubstr("core database: mongo 4.4 -> 4.4, same major "
                             "version"));
  EXPECT_THAT(all, HasSubstr("3 worker bundle(s) 2 at a time (w0, w1, w2)"));
  EXPECT_THAT(all, HasSubstr("then the core requires worker 9.2.0"));
  EXPECT_THAT(Ups(), IsEmpty());
  // A downgrade is named as refused.
  ASSERT_TRUE(applier_->Up(At("v9.3"), Sink()).ok());
  plan = orchestrator_->Plan(At("v8.3"));
  ASSERT_TRUE(plan.ok()) << plan.status();
  bool refused = false;
  for (const v1::Action& a : *plan) {
    refused |= a.step() == "migrate" &&
               absl::StrContains(a.detail(), "a downgrade; `pool up` refuses");
  }
  EXPECT_TRUE(refused);
}

// The migrated file reaches the host as data: an operator's line that looks
// like the script's own heredoc delimiter ends nothing and runs nothing.
TEST_F(UpgradeTest, AMigratedOverrideCannotBreakOutOfTheScriptThatWritesIt) {
  ASSERT_TRUE(applier_->Up(At("v7.1", 1), Sink()).ok());
  const fs::path marker = dir_.path() / "ran";
  const std::string text = absl::StrCat(
      "GRAFANA_TAG=4.0.1\nPOOLOPS_EOF\ntouch ", marker.string(), "\n");
  std::ofstream(dir_.path() / "hosts/a/core/override.env") << text;
  UpOptions migrate;
  migrate.migrate_overrides = true;
  auto r = applier_->Up(At("v8.3", 1), Sink(), {}, migrate);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_EQ(File("hosts/a/core/override.env"),
            absl::StrCat("CORE_GRAFANA_TAG=4.0.1\nPOOLOPS_EOF\ntouch ",
                         marker.string(), "\n"));
  EXPECT_EQ(File("hosts/a/core/override.env.pre-v7.1"), text);
}

}  // namespace
}  // namespace poolops::orchestrator
