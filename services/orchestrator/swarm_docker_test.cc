// A pool on a real two-node Docker Swarm (ctest label "docker"): two
// dockerd on this machine (scripts/swarm.sh: node 1 the manager at
// POOLOPS_SWARM_HOST, node 2 at POOLOPS_SWARM_HOST2), every service on the
// `host` network, the simulator images built on node 1 and loaded into node
// 2 (nothing pulled). The orchestrator's renderer, applier and the docker
// CLI's `stack deploy` are real; the iExec stack is the simulators, the
// chain and vault in-memory fakes as in pool_docker_test. Skipped without
// the swarm; fails instead when CI=true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "devnet/simulators/images.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/net.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/monitor/swarm_source.h"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/fake_chain_client.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/swarm_runner.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using test::Sh;

constexpr char kTag[] = "swarmtest";

class SwarmDockerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* h1 = std::getenv("POOLOPS_SWARM_HOST");
    const char* h2 = std::getenv("POOLOPS_SWARM_HOST2");
    if (h1 == nullptr || h2 == nullptr || *h1 == '\0' || *h2 == '\0') {
      missing_ = "no two-node swarm (scripts/swarm.sh sets POOLOPS_SWARM_HOST)";
      return;
    }
    host1_ = h1;
    host2_ = h2;
    // The orchestrator's `swarm://local` is the docker of DOCKER_HOST.
    ::setenv("DOCKER_HOST", h1, 1);
    if (std::system("docker info >/dev/null 2>&1") != 0) {
      missing_ = "the swarm's manager does not answer";
      return;
    }
    node1_ = Sh("docker info -f '{{.Swarm.NodeID}}'");
    node2_ = Sh(
        absl::StrCat("docker -H '", host2_, "' info -f '{{.Swarm.NodeID}}'"));
    sim::ImageBuildOptions options;
    options.binary = POOLOPS_SIM_BINARY;
    options.dockerfile = POOLOPS_SIM_DOCKERFILE;
    options.tag = kTag;
    absl::Status built =
        sim::BuildSimulatorImages(options, proc::ProcessRunner::Real());
    if (!built.ok()) {
      broken_ = absl::StrCat("building simulator images: ", built.message());
      return;
    }
    // A worker image that exits at start: the rolling update's bad release.
    poolops::test::TempDir ctx;
    std::ofstream(ctx.path() / "Dockerfile")
        << "FROM poolops-sim/worker:" << kTag
        << "\nENV POOLOPS_SIM_ROLE=no-such-role\n";
    Sh(absl::StrCat("docker build -q -t poolops-sim/worker:broken '",
                    ctx.path().string(), "' 2>&1"));
    // No registry: node 2 gets node 1's images.
    std::string images = Sh(absl::StrCat(
        "docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "
        "'^poolops-sim/.*:(",
        kTag, "|broken)$' | tr '\\n' ' '"));
    if (std::system(absl::StrCat("docker save ", images, " | docker -H '",
                                 host2_, "' load -q >/dev/null")
                        .c_str()) != 0) {
      broken_ = "loading the images into node 2";
    }
  }

  void SetUp() override {
    if (!missing_.empty()) POOLOPS_MISSING_TOOL(missing_);
    if (!broken_.empty()) FAIL() << broken_;
    auto o = test::NewOrchestratorUnderTest(dir_.path(), &vault_, &secrets_);
    ASSERT_NE(o.orchestrator, nullptr);
    state_ = std::move(o.state);
    orchestrator_ = std::move(o.orchestrator);
    targets_ = NewTargetFactory(proc::ProcessRunner::Real(), {},
                                dir_.path() / "swarm");
    health_ = NewDirectHealthProbe();
    ApplyOptions opts;
    opts.core_healthy_timeout = absl::Seconds(90);
    opts.workers_alive_timeout = absl::Seconds(90);
    opts.poll_interval = absl::Milliseconds(300);
    opts.worker_settle = absl::Seconds(3);
    applier_ = std::make_unique<Applier>(orchestrator_.get(), state_.get(),
                                         targets_.get(), &runner_, &chain_,
                                         health_.get(), opts);
    core_port_ = *net::FreeLoopbackPort();
    adapter_port_ = *net::FreeLoopbackPort();
    grafana_port_ = *net::FreeLoopbackPort();
    config_port_ = *net::FreeLoopbackPort();
    // Swarm creates no bind-mount folder (compose does): each node needs
    // the workers' results folders, as the README says.
    for (const char* w : {"w0", "w1", "w2"}) {
      fs::create_directories(dir_.path() / "results" / w);
    }
  }

  void TearDown() override {
    if (applier_) applier_->Down(pool_, /*remove_data=*/true).IgnoreError();
    // A first `up` that failed has no revision to take down: its stacks.
    Sh(absl::StrCat("for s in $(docker stack ls --format '{{.Name}}' | grep '^",
                    pool_, "-'); do docker stack rm $s; done >/dev/null 2>&1"));
    Sh(absl::StrCat("docker node update --availability active ", node2_,
                    " >/dev/null 2>&1"));
    // Removed services' containers stop a little later: gone from both
    // nodes before the next test binds the same host ports.
    WaitFor([&] {
      return Sh(absl::StrCat("for h in '", host1_, "' '", host2_,
                             "'; do docker -H $h ps -q --filter "
                             "label=com.docker.stack.namespace; done | grep "
                             "-c . || true")) == "0";
    });
  }

  // v9.3: the core on node 1; w0 on node 1 (by node ID); w1 and w2 on
  // node 2 (by label), w2 through the manager's unix socket (a stack of
  // its own).
  LoadedSpec Spec() {
    Sh(absl::StrCat("docker node update --label-add poolops-test.node=two ",
                    node2_, " >/dev/null"));
    const std::string results = (dir_.path() / "results").string();
    std::string yaml = absl::StrCat(
        "name: ", pool_, "\nchain: devnet\nnetwork_mode: host\n",
        "stack_version: v9.3\n",
        "chain_params: {rpc: 'http://127.0.0.1:8545', hub: "
        "'0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', chain_id: '65535'}\n",
        "workerpool: {owner_wallet: core, description: swarm test}\n",
        "images: {simulators: true, simulator_tag: ", kTag, "}\n",
        "core: {target: 'swarm://local', host: 127.0.0.1, core_port: ",
        core_port_, ", chain_adapter_port: ", adapter_port_,
        ", grafana_port: ", grafana_port_,
        ", config_server_port: ", config_port_, ", placement: {node: ", node1_,
        "}}\n", "orders: {publisher: poolops}\n", "workers:\n",
        "  - {name: w0, target: 'swarm://local', wallet: wallet0, cpu: 1, "
        "results_dir: ",
        results, ", placement: {node: ", node1_, "}}\n",
        "  - {name: w1, target: 'swarm://local', wallet: wallet1, cpu: 2, "
        "results_dir: ",
        results, ", placement: {node_labels: {poolops-test.node: two}}}\n",
        "  - {name: w2, target: 'swarm+", host1_,
        "', wallet: wallet2, cpu: 3, results_dir: ", results,
        ", placement: {node_labels: {poolops-test.node: two}}}\n");
    v1::SpecSource src;
    src.set_yaml(yaml);
    src.set_path((dir_.path() / "pool.yaml").string());
    auto loaded = orchestrator_->LoadValid(src);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return *loaded;
  }

  // The stack's services as the swarm reports them.
  std::vector<SwarmServiceState> Services(const std::string& target,
                                          const std::string& bundle,
                                          const std::string& project) {
    auto t = targets_->Open(target, dir_.path().string(), pool_);
    if (!t.ok()) return {};
    auto s = StackServices(t->get(), {bundle, project, {"docker-compose.yml"}});
    return s.ok() ? *s : std::vector<SwarmServiceState>{};
  }
  const SwarmServiceState* Find(const std::vector<SwarmServiceState>& all,
                                const std::string& service) {
    for (const SwarmServiceState& s : all) {
      if (s.service == service) return &s;
    }
    return nullptr;
  }

  bool WaitFor(const std::function<bool()>& done, int seconds = 90) {
    for (int i = 0; i < seconds * 4; ++i) {
      if (done()) return true;
      absl::SleepFor(absl::Milliseconds(250));
    }
    return false;
  }
  int Alive() {
    auto m = health_->Core("127.0.0.1", core_port_);
    return m.ok() ? m->alive_workers : -1;
  }
  // This pool's swarm objects: services, secrets, configs.
  std::string Leftovers() {
    std::string out;
    for (const char* kind : {"service", "secret", "config"}) {
      absl::StrAppend(&out, Sh(absl::StrCat("docker ", kind,
                                            " ls --format '{{.Name}}' | "
                                            "grep '^",
                                            pool_, "-' || true")));
    }
    return out;
  }
  // Containers of a worker service on node 2's daemon.
  std::string OnNode2(const std::string& service) {
    return Sh(absl::StrCat("docker -H '", host2_,
                           "' ps -q --filter label=com.docker.swarm.service."
                           "name=",
                           service));
  }

  inline static std::string missing_, broken_, host1_, host2_, node1_, node2_;
  std::string pool_ = absl::StrCat("sw", ::getpid());
  poolops::test::TempDir dir_;
  FakeWalletSource vault_;
  MemorySecretStore secrets_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<Orchestrator> orchestrator_;
  std::unique_ptr<TargetFactory> targets_;
  DockerComposeRunner runner_;
  FakeChainClient chain_;
  std::unique_ptr<HealthProbe> health_;
  std::unique_ptr<Applier> applier_;
  int core_port_ = 0, adapter_port_ = 0, grafana_port_ = 0, config_port_ = 0;
};

void PrintSteps(const v1::UpEvent& e) {
  if (e.has_step()) {
    std::cerr << e.step().action().step() << " " << e.step().action().target()
              << " " << v1::StepEvent::State_Name(e.step().state()) << " "
              << e.step().message() << "\n";
  }
}

TEST_F(SwarmDockerTest, OneCoreThreeWorkersAcrossTwoNodesSurviveAKillThenDown) {
  auto r = applier_->Up(Spec(), PrintSteps);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Alive(), 3);
  // Placed as the spec says: w1 and w2 on node 2, the core and w0 not.
  const std::string w1 = absl::StrCat(pool_, "-workers-w0_w1");
  const std::string w2 = absl::StrCat(pool_, "-w2_worker");
  EXPECT_NE(OnNode2(w1), "");
  EXPECT_NE(OnNode2(w2), "");
  EXPECT_EQ(OnNode2(absl::StrCat(pool_, "-workers-w0_w0")), "");
  EXPECT_EQ(OnNode2(absl::StrCat(pool_, "-core_core")), "");
  // Wallets are swarm secrets; no .env with the passwords on disk.
  EXPECT_NE(Sh(absl::StrCat("docker secret ls --format '{{.Name}}' | grep '^",
                            pool_, "-core_wallet'")),
            "");
  EXPECT_FALSE(fs::exists(dir_.path() / "swarm/local" / pool_ / "core/.env"));

  // A worker container killed: the swarm starts another; the core counts
  // it alive again.
  const std::string before = OnNode2(w1);
  Sh(absl::StrCat("docker -H '", host2_, "' kill ", before, " >/dev/null"));
  EXPECT_TRUE(WaitFor([&] {
    const std::string now = OnNode2(w1);
    return !now.empty() && now != before;
  })) << "no new w1 task on node 2";
  EXPECT_TRUE(WaitFor([&] {
    auto s =
        Services("swarm://local", "workers-w0", w1.substr(0, w1.rfind('_')));
    const SwarmServiceState* st = Find(s, "w1");
    return st != nullptr && st->Converged() && Alive() == 3;
  }));

  auto down = applier_->Down(pool_, true);
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(Leftovers(), "");
}

// Mixed: the core and two workers on the swarm, a third on a local folder
// target run by docker-compose (on node 1's daemon, outside the swarm).
TEST_F(SwarmDockerTest, SwarmAndComposeWorkersInOnePool) {
  LoadedSpec spec = Spec();
  spec.spec.mutable_workers(2)->set_target(
      absl::StrCat("local:", (dir_.path() / "local").string()));
  spec.spec.mutable_workers(2)->clear_placement();
  auto r = applier_->Up(spec, PrintSteps);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Alive(), 3);
  const std::string compose = absl::StrCat(
      "docker ps -q --filter label=com.docker.compose.project=", pool_, "-w2");
  EXPECT_NE(Sh(compose), "");
  EXPECT_TRUE(fs::exists(dir_.path() / "local/w2/.env"));
  auto down = applier_->Down(pool_, true);
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(Leftovers(), "");
  EXPECT_EQ(Sh(compose), "");
}

// Node 2 drained: its workers cannot be placed anywhere else (their
// constraint), so they are pending and the swarm says why; active again,
// they come back.
TEST_F(SwarmDockerTest, ADrainedNodeLeavesItsWorkersPendingWithTheReason) {
  ASSERT_TRUE(applier_->Up(Spec(), nullptr).ok());
  const std::string project = absl::StrCat(pool_, "-workers-w0");
  Sh(absl::StrCat("docker node update --availability drain ", node2_,
                  " >/dev/null"));
  const SwarmServiceState* w1 = nullptr;
  std::vector<SwarmServiceState> s;
  EXPECT_TRUE(WaitFor([&] {
    s = Services("swarm://local", "workers-w0", project);
    w1 = Find(s, "w1");
    return w1 != nullptr && w1->state == "pending";
  }));
  ASSERT_NE(w1, nullptr);
  EXPECT_FALSE(w1->Converged());
  EXPECT_THAT(w1->error, HasSubstr("no suitable node"));
  const SwarmServiceState* w0 = Find(s, "w0");
  ASSERT_NE(w0, nullptr);
  EXPECT_TRUE(w0->Converged());
  // The monitor reads the same from the manager, where each runs.
  monitor::DockerSwarmSource source(proc::ProcessRunner::Real());
  monitor::v1::SwarmStack stack;
  stack.set_docker_host(host1_);
  stack.set_project(project);
  stack.set_role("worker");
  auto seen = source.Stack(stack, absl::Seconds(10));
  ASSERT_TRUE(seen.ok()) << seen.status();
  const SwarmServiceState* m1 = Find(*seen, "w1");
  const SwarmServiceState* m0 = Find(*seen, "w0");
  ASSERT_NE(m1, nullptr);
  ASSERT_NE(m0, nullptr);
  EXPECT_EQ(m1->state, "pending");
  EXPECT_THAT(m1->error, HasSubstr("no suitable node"));
  EXPECT_EQ(m0->state, "running");
  EXPECT_NE(m0->node, "");
  Sh(absl::StrCat("docker node update --availability active ", node2_,
                  " >/dev/null"));
  EXPECT_TRUE(WaitFor([&] {
    s = Services("swarm://local", "workers-w0", project);
    w1 = Find(s, "w1");
    return w1 != nullptr && w1->Converged() && Alive() == 3;
  }));
}

// A worker release that exits at start (here: the spec gives the workers'
// simulator a role it does not have): the swarm rolls the first batch back
// by itself (update_config failure_action), `up` fails naming the worker,
// poolops puts the previous revision back and the pool is whole again.
TEST_F(SwarmDockerTest, AFailingWorkerReleaseIsRolledBackAndThePoolStaysOk) {
  ASSERT_TRUE(applier_->Up(Spec(), nullptr).ok());
  LoadedSpec next = Spec();
  (*next.spec.mutable_override_env()->mutable_worker())["POOLOPS_SIM_ROLE"] =
      "no-such-role";
  ApplyOptions quick;
  quick.core_healthy_timeout = absl::Seconds(60);
  quick.workers_alive_timeout = absl::Seconds(40);
  quick.poll_interval = absl::Milliseconds(300);
  quick.worker_settle = absl::Seconds(3);
  Applier applier(orchestrator_.get(), state_.get(), targets_.get(), &runner_,
                  &chain_, health_.get(), quick);
  const std::string project = absl::StrCat(pool_, "-workers-w0");
  auto r = applier.Up(next, PrintSteps);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("not running"));
  // The swarm had rolled the batch back by itself, and the error says so.
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("update rollback_completed"));
  std::vector<SwarmServiceState> s;
  EXPECT_TRUE(WaitFor([&] {
    s = Services("swarm://local", "workers-w0", project);
    const SwarmServiceState* w0 = Find(s, "w0");
    const SwarmServiceState* w1 = Find(s, "w1");
    return w0 != nullptr && w1 != nullptr && w0->Converged() &&
           w1->Converged() && Alive() == 3;
  })) << "the workers are not back";
  const std::string env =
      Sh(absl::StrCat("docker service inspect -f '{{json "
                      ".Spec.TaskTemplate.ContainerSpec.Env}}' ",
                      project, "_w1"));
  EXPECT_THAT(env, Not(HasSubstr("no-such-role")));
  auto history = applier.History(pool_);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().outcome(), "failed");
}

}  // namespace
}  // namespace poolops::orchestrator
