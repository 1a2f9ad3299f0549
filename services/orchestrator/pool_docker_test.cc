// A pool on docker (ctest label "docker"). Real: a private dockerd
// (scripts/dockerd.sh sets DOCKER_HOST), docker-compose, host networking,
// OpenSSH's sshd on 127.0.0.1 for the ssh:// target, the orchestrator with
// its renderer and applier. Not real: the iExec stack is the devnet's stack
// simulator images (poolops-stack-sim playing core and workers, so the
// health gate reads the simulator's /metrics), and the chain, the vault and
// the secret store are in-memory fakes (FakeChainClient, FakeWalletSource,
// MemorySecretStore). One core and three workers across two targets (a
// local folder and ssh://); then down removes every container. Also: a
// missing image and a worker that never pings end in a clear state. Skipped
// without a daemon or sshd; fails instead when CI=true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "devnet/simulators/images.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/net.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/fake_chain_client.h"
#include "services/orchestrator/image_pruner.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/ssh_server_test_support.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

using test::Sh;

constexpr char kTag[] = "orchtest";

class PoolDockerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* docker_host = std::getenv("DOCKER_HOST");
    bool have = docker_host != nullptr && *docker_host != '\0' &&
                std::system("docker info >/dev/null 2>&1") == 0 &&
                std::system("docker-compose version >/dev/null 2>&1") == 0;
    if (!have) {
      missing_ = "no DOCKER_HOST with a daemon (scripts/dockerd.sh)";
      return;
    }
    sim::ImageBuildOptions options;
    options.binary = POOLOPS_SIM_BINARY;
    options.dockerfile = POOLOPS_SIM_DOCKERFILE;
    options.tag = kTag;
    absl::Status built =
        sim::BuildSimulatorImages(options, proc::ProcessRunner::Real());
    if (!built.ok())
      broken_ = absl::StrCat("building simulator images: ", built.message());
  }

  void SetUp() override {
    if (!missing_.empty()) POOLOPS_MISSING_TOOL(missing_);
    if (!broken_.empty()) FAIL() << broken_;
    absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
        SshTestServer::Start(dir_.path(), std::getenv("DOCKER_HOST"));
    if (!sshd.ok()) POOLOPS_MISSING_TOOL(sshd.status());
    sshd_ = *std::move(sshd);
    auto o = test::NewOrchestratorUnderTest(dir_.path(), &vault_, &secrets_);
    ASSERT_NE(o.orchestrator, nullptr);
    state_ = std::move(o.state);
    orchestrator_ = std::move(o.orchestrator);
    SshOptions ssh;
    ssh.config_file = sshd_->client_config().string();
    targets_ = NewTargetFactory(proc::ProcessRunner::Real(), ssh);
    health_ = NewDirectHealthProbe();
    ApplyOptions opts;
    opts.core_healthy_timeout = absl::Seconds(30);
    opts.workers_alive_timeout = absl::Seconds(30);
    opts.poll_interval = absl::Milliseconds(200);
    applier_ = std::make_unique<Applier>(orchestrator_.get(), state_.get(),
                                         targets_.get(), &runner_, &chain_,
                                         health_.get(), opts);
    core_port_ = *net::FreeLoopbackPort();
    adapter_port_ = *net::FreeLoopbackPort();
    grafana_port_ = *net::FreeLoopbackPort();
    config_port_ = *net::FreeLoopbackPort();
  }

  void TearDown() override {
    if (applier_) applier_->Down(pool_, /*remove_data=*/true).IgnoreError();
  }

  // One core + `workers` workers; odd workers go over ssh. `stack` "v9.3":
  // today's iExec, its config server on its own port.
  LoadedSpec Spec(int workers, const std::string& tag = kTag,
                  const std::string& stack = "v7.1") {
    std::string local = (dir_.path() / "local").string();
    std::string remote = sshd_->TargetFor((dir_.path() / "remote").string());
    std::string yaml = absl::StrCat(
        "name: ", pool_, "\nchain: devnet\nnetwork_mode: host\n",
        "stack_version: ", stack, "\n",
        "chain_params: {rpc: 'http://127.0.0.1:8545', hub: "
        "'0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', chain_id: '65535'}\n",
        "workerpool: {owner_wallet: core, description: docker test}\n",
        "images: {simulators: true, simulator_tag: ", tag, "}\n",
        "core: {target: 'local:", local,
        "', host: 127.0.0.1, core_port: ", core_port_,
        ", chain_adapter_port: ", adapter_port_,
        ", grafana_port: ", grafana_port_,
        ", config_server_port: ", config_port_, "}\n",
        "orders: {publisher: poolops}\n", extra_yaml_, "workers:\n");
    for (int i = 0; i < workers; ++i) {
      absl::StrAppend(&yaml, "  - {name: w", i, ", target: '",
                      i % 2 ? remote : "local:" + local, "', wallet: wallet", i,
                      ", cpu: ", 1 + i,
                      ", results_dir: ", (dir_.path() / "results").string(),
                      "}\n");
    }
    v1::SpecSource src;
    src.set_yaml(yaml);
    src.set_path((dir_.path() / "pool.yaml").string());
    auto loaded = orchestrator_->LoadValid(src);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return *loaded;
  }

  // For upgrades: room for a core restart and workers registering again
  // (the simulated workers ping every 10 s), a short settle.
  Applier UpgradeApplier(absl::Duration workers_alive_timeout) {
    ApplyOptions opts;
    opts.core_healthy_timeout = absl::Seconds(60);
    opts.workers_alive_timeout = workers_alive_timeout;
    opts.poll_interval = absl::Milliseconds(200);
    opts.worker_settle = absl::Seconds(2);
    opts.backup_dir = dir_.path() / "backups";
    return Applier(orchestrator_.get(), state_.get(), targets_.get(), &runner_,
                   &chain_, health_.get(), opts);
  }

  // Containers of this pool's compose projects, running or not.
  std::string Containers() {
    return Sh(
        absl::StrCat("docker ps -a --format '{{.Label "
                     "\"com.docker.compose.project\"}}' | grep '^",
                     pool_, "-' || true"));
  }

  // What the suite lacks (a skip, a failure under CI), what broke.
  inline static std::string missing_, broken_;
  std::string pool_ = absl::StrCat("dt", ::getpid());
  std::string extra_yaml_;  // spec lines of the test's own
  poolops::test::TempDir dir_;
  std::unique_ptr<SshTestServer> sshd_;
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

TEST_F(PoolDockerTest, OneCoreThreeWorkersAcrossLocalAndSshThenDown) {
  auto r = applier_->Up(Spec(3), [](const v1::UpEvent& e) {
    if (e.has_step()) {
      std::cerr << e.step().action().step() << " " << e.step().action().target()
                << " " << v1::StepEvent::State_Name(e.step().state()) << " "
                << e.step().message() << "\n";
    }
  });
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = health_->Core("127.0.0.1", core_port_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->alive_workers, 3);
  EXPECT_EQ(m->alive_total_cpu, 1 + 2 + 3);
  EXPECT_TRUE(fs::exists(dir_.path() / "remote/w1/.env"));
  EXPECT_TRUE(fs::exists(dir_.path() / "local/core/wallet.json"));
  EXPECT_FALSE(Containers().empty());
  auto down = applier_->Down(pool_, true);
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(Containers(), "");
}

// Stack v9.3 on the simulators, which read the variables as the 9.x
// services do and refuse v8 names: the core reads the chain from the config
// server (nginx's role, played by its simulator from the same mounted
// file), the workers find the core by IEXEC_CORE_URL and the config server
// through the core's /workers/config, one of them over ssh.
TEST_F(PoolDockerTest, V93PoolRunsWithItsConfigServer) {
  auto r = applier_->Up(Spec(2, kTag, "v9.3"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = health_->Core("127.0.0.1", core_port_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->alive_workers, 2);
  std::string chain = Sh(absl::StrCat(
      "curl -sf http://127.0.0.1:", config_port_, "/config/chain"));
  EXPECT_THAT(chain, ::testing::HasSubstr("\"chainId\": 65535"));
  EXPECT_THAT(chain, ::testing::HasSubstr("\"blockTime\": \"PT5S\""));
  std::string config = Sh(absl::StrCat("curl -sf http://127.0.0.1:", core_port_,
                                       "/workers/config"));
  EXPECT_THAT(config,
              ::testing::HasSubstr(absl::StrCat(
                  "\"configServerUrl\":\"http://127.0.0.1:", config_port_)));
  EXPECT_TRUE(fs::exists(dir_.path() / "local/core/config-server/chain.json"));
}

// v8.3 on the devnet: its built-in proxy has no simulator, so the core and
// the workers talk plain http on the host network.
TEST_F(PoolDockerTest, V83PoolRunsOnTheSimulators) {
  auto r = applier_->Up(Spec(2, kTag, "v8.3"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = health_->Core("127.0.0.1", core_port_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->alive_workers, 2);
}

// A v8 name in a v9.3 core (an operator's override file here) is ignored
// silently by the real core 9.3; the simulator refuses to start on it, so
// the health gate fails and says where to look.
TEST_F(PoolDockerTest, V8NameInAV93CoreIsCaughtOnTheDevnet) {
  fs::create_directories(dir_.path() / "local/core");
  std::ofstream(dir_.path() / "local/core/docker-compose.override.yml")
      << "services:\n  core:\n    environment:\n"
         "      - IEXEC_PRIVATE_CHAIN_ADDRESS=http://127.0.0.1:8545\n";
  ApplyOptions quick;
  quick.core_healthy_timeout = absl::Seconds(5);
  quick.poll_interval = absl::Milliseconds(200);
  Applier fast(orchestrator_.get(), state_.get(), targets_.get(), &runner_,
               &chain_, health_.get(), quick);
  auto r = fast.Up(Spec(1, kTag, "v9.3"), nullptr);
  ASSERT_FALSE(r.ok());
  // The gate's error carries the core's last log lines.
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("the core's last log lines"));
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("IEXEC_PRIVATE_CHAIN_ADDRESS"));
}

TEST_F(PoolDockerTest, MissingImageFailsClearly) {
  auto r = applier_->Up(Spec(1, "no-such-tag"), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("compose up"));
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("an image is missing"));
  auto history = applier_->History(pool_);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().outcome(), "failed");
}

TEST_F(PoolDockerTest, WorkerThatNeverPingsIsRolledBack) {
  ASSERT_TRUE(applier_->Up(Spec(1), nullptr).ok());
  // A second worker pointed at a port where no core listens never pings.
  LoadedSpec bad = Spec(2);
  bad.spec.mutable_workers(1)->set_target("local:" +
                                          (dir_.path() / "local").string());
  // w0 and w1 now share a host: one bundle. An operator override in its
  // folder points w1 at a port where no core listens.
  fs::create_directories(dir_.path() / "local/workers-w0");
  std::ofstream(dir_.path() / "local/workers-w0/docker-compose.override.yml")
      << "services:\n  w1:\n    environment:\n      - IEXEC_CORE_PORT=1\n";
  ApplyOptions quick;
  quick.workers_alive_timeout = absl::Seconds(5);
  quick.poll_interval = absl::Milliseconds(200);
  Applier fast(orchestrator_.get(), state_.get(), targets_.get(), &runner_,
               &chain_, health_.get(), quick);
  auto r = fast.Up(bad, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("1 of 2"));
  // Rolled back: the new bundle is down, w0's previous bundle runs again.
  EXPECT_EQ(
      Sh(absl::StrCat("docker ps -q --filter label=com.docker.compose.project=",
                      pool_, "-workers-w0")),
      "");
  absl::SleepFor(absl::Seconds(1));
  auto m = health_->Core("127.0.0.1", core_port_);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->alive_workers, 1);
}

// v7.1 -> v8.3 -> v9.3 on the simulators: 1 core and 3 workers (one over
// ssh), one worker at a time. Each step ends with every worker alive; while
// workers are rolled the core never counts fewer than 2 (polled throughout
// by a watcher); the core's data volume is the same one; the v9.3 core ends
// requiring worker 9.2.0.
TEST_F(PoolDockerTest, UpgradesV71ToV83ToV93WithTheWorkersAliveThroughout) {
  std::atomic<bool> rolling{false}, done{false};
  std::atomic<int> fewest{100}, polls{0};
  std::thread watcher([&] {
    while (!done) {
      if (rolling) {
        auto m = health_->Core("127.0.0.1", core_port_);
        if (m.ok()) {
          fewest = std::min(fewest.load(), m->alive_workers);
          ++polls;
        }
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  });
  // An ASSERT returning early must not leave the thread joinable.
  struct Joiner {
    std::atomic<bool>& done;
    std::thread& t;
    ~Joiner() {
      done = true;
      if (t.joinable()) t.join();
    }
  } joiner{done, watcher};
  std::string rolled;  // the last roll-workers outcome
  auto sink = [&](const v1::UpEvent& e) {
    if (!e.has_step() || e.step().action().step() != "roll-workers") return;
    if (e.step().state() == v1::StepEvent::STATE_STARTED) rolling = true;
    if (e.step().state() == v1::StepEvent::STATE_DONE) {
      rolling = false;
      rolled = e.step().message();
    }
    std::cerr << "roll-workers: " << e.step().message() << "\n";
  };
  // The core database's volume, by its creation time: kept, not recreated.
  auto volume = [&] {
    return Sh(absl::StrCat("docker volume inspect -f '{{.CreatedAt}}' ", pool_,
                           "-core_mongodb-data"));
  };
  Applier applier = UpgradeApplier(absl::Seconds(60));
  std::string first_volume, workerpool;
  for (const char* stack : {"v7.1", "v8.3", "v9.3"}) {
    auto r = applier.Up(Spec(3, kTag, stack), sink);
    ASSERT_TRUE(r.ok()) << stack << ": " << r.status();
    workerpool = r->workerpool();
    auto m = health_->Core("127.0.0.1", core_port_);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->alive_workers, 3) << stack;
    if (first_volume.empty()) first_volume = volume();
    EXPECT_EQ(volume(), first_volume) << stack;
  }
  done = true;
  if (watcher.joinable()) watcher.join();
  EXPECT_FALSE(first_volume.empty());
  EXPECT_GT(polls.load(), 0);
  EXPECT_GE(fewest.load(), 2) << "fewer than workers - workers_at_once alive";
  // w0 and w2 share the local host: one compose project, one batch.
  EXPECT_THAT(rolled, ::testing::HasSubstr(
                          "3 worker(s) in 2 bundle(s) replaced in 2 batch(es) "
                          "of at most 1 (workers-w0: workers sharing a host"));
  std::string config = Sh(absl::StrCat("curl -sf http://127.0.0.1:", core_port_,
                                       "/workers/config"));
  EXPECT_THAT(config,
              ::testing::HasSubstr("\"requiredWorkerVersion\":\"9.2.0\""));
  // A worker left behind on 8.3.0 is refused by the 9.3 core.
  std::string left_behind = Sh(absl::StrCat(
      "docker run --rm --network host --init -e POOLOPS_SIM_STACK=v9.3 "
      "-e POOLOPS_SIM_VERSION=8.3.0 -e IEXEC_CORE_URL=http://127.0.0.1:",
      core_port_, " -e POOL_ADDRESS=", workerpool,
      " -e IEXEC_WORKER_WALLET_PATH=/wallet.json -v ",
      (dir_.path() / "local/workers-w0/wallet-0.json").string(),
      ":/wallet.json:ro poolops-sim/worker:", kTag, " 2>&1; echo exit=$?"));
  EXPECT_THAT(left_behind,
              ::testing::HasSubstr("Bad version! please upgrade your "
                                   "iexec-worker: the core requires 9.2.0, "
                                   "this worker is 8.3.0"));
  EXPECT_THAT(left_behind, ::testing::HasSubstr("exit=1"));
  auto history = applier.History(pool_);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);
  for (const auto& h : *history) EXPECT_EQ(h.outcome(), "applied");
  // Each upgrade kept a backup of the version it replaced, its database
  // dumped by the running mongo.
  for (size_t i = 1; i < history->size(); ++i) {
    auto backup = ReadBackup((*history)[i].backup(), pool_);
    ASSERT_TRUE(backup.ok()) << backup.status();
    EXPECT_EQ(backup->revision, i);
    EXPECT_THAT(backup->core_database,
                ::testing::HasSubstr("poolops-sim-instance"));
  }
}

// A worker that cannot work on the new version (here an override gives the
// 9.x worker the pool 0x0, which it refuses: it exits at start, over and
// over): the upgrade stops at its batch, every host goes back to v8.3, the
// core included, and the pool is whole again on the old version.
TEST_F(PoolDockerTest, AWorkerFailingOnTheNewVersionRollsTheUpgradeBack) {
  Applier applier = UpgradeApplier(absl::Seconds(30));
  ASSERT_TRUE(applier.Up(Spec(3, kTag, "v8.3"), nullptr).ok());
  const std::string version_url =
      absl::StrCat("curl -sf http://127.0.0.1:", core_port_, "/version");
  EXPECT_EQ(Sh(version_url), "8.3.0");
  std::ofstream(dir_.path() / "remote/w1/override.env")
      << "PROD_POOL_ADDRESS=0x0000000000000000000000000000000000000000\n";
  auto r = applier.Up(Spec(3, kTag, "v9.3"), [](const v1::UpEvent& e) {
    if (e.has_step()) {
      std::cerr << e.step().action().step() << " " << e.step().action().target()
                << " " << v1::StepEvent::State_Name(e.step().state()) << " "
                << e.step().message() << "\n";
    }
  });
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("workers w1 not up on the new version"));
  EXPECT_EQ(Sh(version_url), "8.3.0");
  // The v8.3 workers register with the v8.3 core again.
  bool whole = false;
  for (int i = 0; i < 150 && !whole; ++i) {
    auto m = health_->Core("127.0.0.1", core_port_);
    whole = m.ok() && m->alive_workers == 3;
    if (!whole) absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_TRUE(whole);
  auto history = applier.History(pool_);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().outcome(), "failed");
}

// Backup of a running v9.3 pool, then the machine is lost (containers and
// volumes removed, the orchestrator's state, secrets and vault gone): the
// restore on a fresh orchestrator brings the same workerpool back with the
// core's data (the simulated mongod's own instance id, created on its first
// start, back in the new volume through mongodump/mongorestore in the
// container, over docker-compose exec).
TEST_F(PoolDockerTest, BackupThenLoseEverythingThenRestore) {
  auto instance = [&] {
    std::string archive = Sh(absl::StrCat(
        "docker exec $(docker ps -q --filter label=com.docker.compose.project=",
        pool_, "-core --filter label=com.docker.compose.service=mongo) ",
        "mongodump --archive"));
    const std::string key = "poolops-sim-instance\n32\n";
    size_t at = archive.find(key);
    return at == std::string::npos ? std::string()
                                   : archive.substr(at + key.size(), 32);
  };
  auto r = applier_->Up(Spec(2, kTag, "v9.3"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string data = instance();
  ASSERT_EQ(data.size(), 32u);
  const absl::Time backup_start = absl::Now();
  auto backup = applier_->Backup(pool_, dir_.path() / "backups");
  ASSERT_TRUE(backup.ok()) << backup.status();
  std::cerr << "backup: " << absl::ToDoubleSeconds(absl::Now() - backup_start)
            << " s\n";
  std::ifstream dump(fs::path(backup->path) / "core-db.archive");
  EXPECT_THAT(std::string(std::istreambuf_iterator<char>(dump), {}),
              ::testing::HasSubstr(data));

  ASSERT_TRUE(applier_->Down(pool_, /*remove_data=*/true).ok());
  EXPECT_EQ(Sh(absl::StrCat("docker volume ls -q | grep '^", pool_,
                            "-core_' || true")),
            "");
  FakeWalletSource vault;
  MemorySecretStore secrets;
  fs::create_directories(dir_.path() / "fresh");
  auto o =
      test::NewOrchestratorUnderTest(dir_.path() / "fresh", &vault, &secrets);
  ASSERT_NE(o.orchestrator, nullptr);
  ApplyOptions opts;
  opts.core_healthy_timeout = absl::Seconds(30);
  opts.workers_alive_timeout = absl::Seconds(30);
  opts.poll_interval = absl::Milliseconds(200);
  Applier fresh(o.orchestrator.get(), o.state.get(), targets_.get(), &runner_,
                &chain_, health_.get(), opts);
  std::vector<std::string> steps;
  const absl::Time restore_start = absl::Now();
  auto restored = fresh.Restore(pool_, backup->path, [&](const v1::UpEvent& e) {
    if (e.has_step() && e.step().state() == v1::StepEvent::STATE_DONE) {
      steps.push_back(e.step().action().step());
    }
  });
  ASSERT_TRUE(restored.ok()) << restored.status();
  std::cerr << "restore (with up): "
            << absl::ToDoubleSeconds(absl::Now() - restore_start) << " s\n";
  EXPECT_EQ(restored->workerpool(), r->workerpool());
  EXPECT_EQ(instance(), data);
  EXPECT_THAT(steps, ::testing::IsSupersetOf({"check-backup", "restore-records",
                                              "restore-database"}));
  auto m = health_->Core("127.0.0.1", core_port_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->alive_workers, 2);
  EXPECT_EQ((*vault.Find("core"))->address, (*vault_.Find("core"))->address);
  EXPECT_TRUE(fresh.Down(pool_, /*remove_data=*/true).ok());
}

// Worker hosts fill with task images: on the pool's schedule the unused
// ones go; a TEE pre-compute image, a `keep` pattern and every image a
// container uses stay, and the pool keeps running. The daemon is the tests'
// own: `keep: [poolops*]` spares the images other tests built.
TEST_F(PoolDockerTest, PruningRemovesUnusedTaskImagesOnTheSchedule) {
  auto build = [](const std::string& name) {
    return Sh(
        absl::StrCat("d=$(mktemp -d) && echo '", name, "' > $d/f && ",
                     "printf 'FROM scratch\\nCOPY f /f\\n' > $d/Dockerfile && ",
                     "DOCKER_BUILDKIT=0 docker build -q -t ", name,
                     " $d >/dev/null && rm -rf $d && echo built"));
  };
  auto images = [] {
    return Sh("docker image ls --format '{{.Repository}}:{{.Tag}}'");
  };
  for (const char* name :
       {"prunetest/app:1", "prunetest/tee-worker-pre-compute:1",
        "prunetest/kept:1"}) {
    ASSERT_EQ(build(name), "built") << name;
  }
  extra_yaml_ =
      "maintenance: {prune_images: daily, keep: ['poolops*', "
      "'prunetest/kept']}\n";
  auto r = applier_->Up(Spec(2), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  FakeClock clock(absl::Now());
  ImagePruner pruner(applier_.get(), targets_.get(), state_.get(), &clock);
  std::vector<std::string> lines = pruner.RunOnce();
  ASSERT_EQ(lines.size(), 2u) << absl::StrJoin(lines, "\n");  // two hosts
  EXPECT_THAT(lines[0] + lines[1],
              ::testing::HasSubstr("1 image name(s) removed"));
  std::string left = images();
  EXPECT_THAT(left, ::testing::Not(::testing::HasSubstr("prunetest/app:1")));
  EXPECT_THAT(left, ::testing::HasSubstr("prunetest/tee-worker-pre-compute:1"));
  EXPECT_THAT(left, ::testing::HasSubstr("prunetest/kept:1"));
  EXPECT_THAT(left,
              ::testing::HasSubstr(absl::StrCat("poolops-sim/worker:", kTag)));
  auto m = health_->Core("127.0.0.1", core_port_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->alive_workers, 2);
  // Not again before a day has passed.
  ASSERT_EQ(build("prunetest/app:1"), "built");
  lines = pruner.RunOnce();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::HasSubstr("next prune after"));
  EXPECT_THAT(images(), ::testing::HasSubstr("prunetest/app:1"));
  clock.Advance(absl::Hours(25));
  pruner.RunOnce();
  EXPECT_THAT(images(),
              ::testing::Not(::testing::HasSubstr("prunetest/app:1")));
  auto events = state_->Events(pool_, r->revision());
  ASSERT_TRUE(events.ok());
  int pruned = 0;
  for (const auto& e : *events) pruned += e.step == "prune-images";
  EXPECT_EQ(pruned, 4);
  Sh("docker rmi prunetest/tee-worker-pre-compute:1 prunetest/kept:1");
}

}  // namespace
}  // namespace poolops::orchestrator
