// Faults of a `pool up` end to end through poolctl (ctest label "docker").
// Real: the local suite as processes, docker-compose, dockerd, sshd, host
// networking. Not real: the chain is the devnet (anvil + PoCo + poolops'
// devnet market), and the pool's containers run the stack simulator images
// instead of iExec's core and worker. Each test in a home of its own.
//  - The orchestrator process is SIGKILLed in the middle of an apply; the
//    next `pool up` converges (the cut revision is "interrupted").
//  - The same in the middle of an upgrade v7.1 -> v8.3 whose operator's
//    override.env needs --migrate-overrides; then a backup through poolctl.
//  - dockerd stops under a running pool; `pool up` fails saying the daemon
//    is not reachable, the last good revision stays on record; once dockerd
//    is back, `pool up` converges.
// Skipped without a daemon; fails instead when CI=true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/net.h"
#include "services/orchestrator/ssh_server_test_support.h"
#include "tests/containers/exec.h"

namespace poolops::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTag[] = "faults";

bool Exited(pid_t pid, std::chrono::seconds limit) {
  return WaitFor([pid] { return ::waitpid(pid, nullptr, WNOHANG) == pid; },
                 limit);
}

class PoolFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* docker_host = std::getenv("DOCKER_HOST");
    if (docker_host == nullptr || *docker_host == '\0' ||
        std::system("docker info >/dev/null 2>&1") != 0) {
      POOLOPS_MISSING_TOOL("no DOCKER_HOST with a daemon (scripts/dockerd.sh)");
    }
    docker_host_ = docker_host;
    char tmpl[] = "/tmp/pf.XXXXXX";  // short: unix socket paths are bounded
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    home_ = tmpl;
    fs::create_directories(home_ / "log");
  }

  void TearDown() override {
    if (home_.empty()) return;
    if (pool_up_) Poolctl({"pool", "down", pool_, "--remove-data"});
    Poolctl({"services", "down"});
    Poolctl({"devnet", "down"});
    StopDockerd();
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  // poolctl with this test's home and docker daemon.
  Result Poolctl(std::vector<std::string> args) {
    args.insert(args.begin(), {POOLCTL_PATH, "--json"});
    return Exec(home_ / "log", args, Env());
  }
  EnvChanges Env() const {
    EnvChanges env = {{"POOLOPS_HOME", home_.string()},
                      {"DOCKER_HOST", docker_host_}};
    // Read by the orchestrator that poolctl starts.
    if (sshd_) env["POOLOPS_SSH_CONFIG"] = sshd_->client_config().string();
    return env;
  }

  // devnet, simulator images, the suite, a spec with free ports: a core
  // and two workers in a local folder, and with `ssh` a third worker over
  // ssh:// on a real sshd (the orchestrator gets its ssh_config).
  void Prepare(bool ssh = false, const std::string& stack = "") {
    if (ssh) {
      auto sshd =
          orchestrator::SshTestServer::Start(home_ / "ssh", docker_host_);
      ASSERT_TRUE(sshd.ok()) << sshd.status();
      sshd_ = std::move(*sshd);
    }
    Result r = Poolctl({"devnet", "up"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = Poolctl({"devnet", "images", "--tag", kTag});
    ASSERT_EQ(r.code, 0) << r.err;
    r = Poolctl({"services", "up"});
    ASSERT_EQ(r.code, 0) << r.err;
    uint16_t core = *net::FreeLoopbackPort(),
             adapter = *net::FreeLoopbackPort(),
             grafana = *net::FreeLoopbackPort();
    const std::string results = (home_ / "results").string();
    spec_ = home_ / "pool.yaml";
    std::string yaml = absl::StrCat(
        "name: ", pool_, "\nchain: devnet\nnetwork_mode: host\n",
        stack.empty() ? "" : absl::StrCat("stack_version: ", stack, "\n"),
        "workerpool: {owner_wallet: pf-core, description: faults pool}\n",
        "images: {simulators: true, simulator_tag: ", kTag, "}\n",
        "core: {target: 'local:bundles', host: 127.0.0.1, core_port: ", core,
        ", chain_adapter_port: ", adapter, ", grafana_port: ", grafana, "}\n",
        "orders: {publisher: poolops, price: '0', max_open_orders: 1}\n",
        "workers:\n",
        "  - {name: w0, target: 'local:bundles', wallet: pf-w0, cpu: 2, "
        "results_dir: ",
        results, "}\n",
        "  - {name: w1, target: 'local:bundles', wallet: pf-w1, cpu: 1, "
        "results_dir: ",
        results, "}\n");
    if (ssh) {
      absl::StrAppend(&yaml, "  - {name: w2, target: '",
                      sshd_->TargetFor((home_ / "remote").string()),
                      "', wallet: pf-w2, cpu: 1, results_dir: ", results,
                      "}\n");
    }
    std::ofstream(spec_) << yaml;
  }

  // poolctl `args` in the background; the orchestrator SIGKILLed once the
  // core passed its gate (the workers' bundles going out), and poolctl
  // exiting non-zero saying the orchestrator went away.
  void KillOrchestratorOnceCoreHealthy(std::vector<std::string> args,
                                       int* killed) {
    args.insert(args.begin(), POOLCTL_PATH);
    fs::path out = home_ / "log/killed.out", err = home_ / "log/killed.err";
    pid_t up = Spawn(args, Env(), out, err);
    ASSERT_TRUE(WaitFor(
        [&] {
          return absl::StrContains(Slurp(err),
                                   "wait-core-healthy 127.0.0.1: done");
        },
        std::chrono::seconds(240)))
        << Slurp(err);
    *killed = ServicePid("orchestrator");
    ASSERT_GT(*killed, 0);
    ASSERT_EQ(::kill(*killed, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(up, &status, 0), up);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
    EXPECT_THAT(Slurp(err), HasSubstr("the orchestrator stopped answering"));
  }

  Result Up() {
    Result r = Poolctl({"pool", "up", "-f", spec_.string()});
    pool_up_ = true;
    return r;
  }

  std::vector<std::string> Outcomes() {
    Result r = Poolctl({"pool", "history", pool_});
    std::vector<std::string> out;
    if (r.code != 0 || !r.json.is_object()) return {"history: " + r.err};
    for (const auto& rev : r.json["revisions"]) out.push_back(rev["outcome"]);
    return out;
  }

  // Running containers of this pool, by service, one line each.
  std::vector<std::string> Running() {
    std::string cmd = absl::StrCat(
        "DOCKER_HOST=", docker_host_,
        " docker ps --filter label=com.docker.compose.project --format "
        "'{{.Label \"com.docker.compose.project\"}} {{.Label "
        "\"com.docker.compose.service\"}}' | grep '^",
        pool_, "-' | sort");
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string text;
    char buf[512];
    while (p != nullptr && std::fgets(buf, sizeof(buf), p)) text += buf;
    if (p != nullptr) ::pclose(p);
    return absl::StrSplit(text, '\n', absl::SkipEmpty());
  }

  int ServicePid(const std::string& service) {
    nlohmann::json run = nlohmann::json::parse(
        Slurp(home_ / "run" / (service + ".json")), nullptr, false);
    return run.is_object() ? run.value("pid", 0) : 0;
  }

  // A dockerd of this test's own (no pulls, no bridge), data kept across
  // restarts.
  void StartDockerd() {
    fs::path d = home_ / "d";
    fs::create_directories(d / "data");
    fs::create_directories(d / "exec");
    docker_host_ = absl::StrCat("unix://", (d / "docker.sock").string());
    dockerd_ = Spawn({"dockerd", "--bridge=none", "--iptables=false",
                      "--ip-masq=false", "--data-root", (d / "data").string(),
                      "--exec-root", (d / "exec").string(), "--pidfile",
                      (d / "dockerd.pid").string(), "-H", docker_host_},
                     {{"HTTP_PROXY", "http://127.0.0.1:9"},
                      {"HTTPS_PROXY", "http://127.0.0.1:9"},
                      {"NO_PROXY", ""},
                      {"http_proxy", "http://127.0.0.1:9"},
                      {"https_proxy", "http://127.0.0.1:9"},
                      {"no_proxy", ""}},
                     d / "dockerd.out", d / "dockerd.log");
    std::string info = absl::StrCat("DOCKER_HOST=", docker_host_,
                                    " docker info >/dev/null 2>&1");
    ASSERT_TRUE(WaitFor([&] { return std::system(info.c_str()) == 0; },
                        std::chrono::seconds(60)))
        << Slurp(d / "dockerd.log");
  }
  void StopDockerd() {
    if (dockerd_ <= 0) return;
    ::kill(dockerd_, SIGTERM);
    if (!Exited(dockerd_, std::chrono::seconds(60))) {
      ::kill(dockerd_, SIGKILL);
      ::waitpid(dockerd_, nullptr, 0);
    }
    dockerd_ = 0;
  }

  fs::path home_, spec_;
  std::string docker_host_;
  std::string pool_ = absl::StrCat("pf", ::getpid());
  bool pool_up_ = false;
  pid_t dockerd_ = 0;
  std::unique_ptr<orchestrator::SshTestServer> sshd_;
};

// The pool (simulator images) through the services: one core and three
// workers across a local folder and ssh://, the orchestrator killed in the
// middle, the monitor seeing three alive workers, then down.
TEST_F(PoolFaultsTest, OrchestratorKilledMidApplyThenUpConvergesThenDown) {
  Prepare(/*ssh=*/true);
  if (HasFatalFailure()) return;
  // `pool up` in the background; the orchestrator dies once the core is
  // healthy, while the workers' bundles are being deployed.
  pool_up_ = true;
  int orchestrator = 0;
  KillOrchestratorOnceCoreHealthy({"pool", "up", "-f", spec_.string()},
                                  &orchestrator);
  if (HasFatalFailure()) return;

  // Up again: poolctl starts the missing service itself; the cut revision
  // is recorded as interrupted and the pool converges.
  Result again = Up();
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.json["revision"], 2);
  EXPECT_NE(ServicePid("orchestrator"), orchestrator);
  EXPECT_EQ(Outcomes(), (std::vector<std::string>{"interrupted", "applied"}));
  // One container per service, nothing doubled by the cut apply; the core
  // and the three workers run.
  std::vector<std::string> running = Running();
  std::set<std::string> unique(running.begin(), running.end());
  EXPECT_EQ(unique.size(), running.size()) << absl::StrJoin(running, "\n");
  // Lines are "<project> <service>": w0 and w1 share the local folder's
  // workers project; w2, alone on its host, is the README's `worker`.
  auto count = [&](const std::string& line) {
    return std::count(running.begin(), running.end(), line);
  };
  EXPECT_EQ(count(pool_ + "-core core"), 1) << absl::StrJoin(running, "\n");
  EXPECT_EQ(count(pool_ + "-workers-w0 w0"), 1) << absl::StrJoin(running, "\n");
  EXPECT_EQ(count(pool_ + "-workers-w0 w1"), 1) << absl::StrJoin(running, "\n");
  EXPECT_EQ(count(pool_ + "-w2 worker"), 1) << absl::StrJoin(running, "\n");
  EXPECT_TRUE(fs::exists(home_ / "remote/w2/.env"));

  // The monitor (handed the pool by `up`) sees the three workers alive.
  Result st;
  EXPECT_TRUE(WaitFor(
      [&] {
        st = Poolctl({"status", pool_});
        return st.code == 0 && st.json.value("overall", "") == "ok";
      },
      std::chrono::seconds(60)))
      << st.out << st.err;
  std::string workers_detail;
  for (const auto& c : st.json["components"]) {
    if (c.value("name", "") == "workers")
      workers_detail = c.value("detail", "");
  }
  EXPECT_THAT(workers_detail, HasSubstr("3 of 3"));

  // Down: every container of the pool goes, on both targets.
  Result down = Poolctl({"pool", "down", pool_});
  ASSERT_EQ(down.code, 0) << down.err;
  pool_up_ = false;
  EXPECT_TRUE(Running().empty()) << absl::StrJoin(Running(), "\n");
}

TEST_F(PoolFaultsTest, DockerdStoppedThenBack) {
  StartDockerd();
  if (HasFatalFailure()) return;
  Prepare();
  if (HasFatalFailure()) return;
  Result first = Up();
  ASSERT_EQ(first.code, 0) << first.err;
  const size_t services = Running().size();
  ASSERT_GE(services, 3u);

  StopDockerd();  // its containers stop with it
  Result down = Up();
  EXPECT_NE(down.code, 0);
  EXPECT_THAT(down.out + down.err,
              HasSubstr("the docker daemon is not reachable"));
  EXPECT_EQ(Outcomes(), (std::vector<std::string>{"applied", "failed"}));
  // The history says why.
  Result history = Poolctl({"pool", "history", pool_});
  EXPECT_THAT(history.json["revisions"][1].value("message", ""),
              HasSubstr("the docker daemon is not reachable"));

  StartDockerd();  // same data: the pool's containers exist, stopped
  if (HasFatalFailure()) return;
  Result back = Up();
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_EQ(back.json["revision"], 3);
  EXPECT_EQ(Outcomes(),
            (std::vector<std::string>{"applied", "failed", "applied"}));
  EXPECT_EQ(Running().size(), services);
}

// An upgrade through poolctl: refused while the core's override.env holds a
// v7.1 name, migrated with the flag, the orchestrator SIGKILLed while the
// workers roll, and `pool up` again converges on v8.3. The upgrade's backup
// is in `pool history`; `pool backup` answers the CLI.md shape.
TEST_F(PoolFaultsTest, OrchestratorKilledMidUpgradeThenUpConverges) {
  Prepare(/*ssh=*/false, "v7.1");
  if (HasFatalFailure()) return;
  Result first = Up();
  ASSERT_EQ(first.code, 0) << first.err;
  const fs::path override_env = home_ / "bundles/core/override.env";
  std::ofstream(override_env) << "GRAFANA_HOME_NAME=faults-pool\n";
  std::string spec = Slurp(spec_);
  spec.replace(spec.find("stack_version: v7.1"), 19, "stack_version: v8.3");
  std::ofstream(spec_, std::ios::trunc) << spec;

  Result refused = Up();
  EXPECT_NE(refused.code, 0);
  EXPECT_THAT(refused.out + refused.err, HasSubstr("GRAFANA_HOME_NAME"));
  EXPECT_THAT(refused.out + refused.err, HasSubstr("--migrate-overrides"));

  int orchestrator = 0;
  KillOrchestratorOnceCoreHealthy(
      {"pool", "up", "-f", spec_.string(), "--migrate-overrides"},
      &orchestrator);
  if (HasFatalFailure()) return;

  Result again =
      Poolctl({"pool", "up", "-f", spec_.string(), "--migrate-overrides"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(Outcomes(), (std::vector<std::string>{"applied", "failed",
                                                  "interrupted", "applied"}));
  EXPECT_THAT(Slurp(override_env),
              HasSubstr("WORKERPOOL_DESCRIPTION=faults-pool"));
  EXPECT_EQ(Slurp(home_ / "bundles/core/override.env.pre-v7.1"),
            "GRAFANA_HOME_NAME=faults-pool\n");
  // The v8.3 core files: the pool's description under its v8.3 name.
  const std::string env = Slurp(home_ / "bundles/core/.env");
  EXPECT_THAT(env, HasSubstr("WORKERPOOL_DESCRIPTION='faults pool'"));
  EXPECT_THAT(env, ::testing::Not(HasSubstr("GRAFANA_HOME_NAME")));
  std::vector<std::string> running = Running();
  EXPECT_EQ(std::count(running.begin(), running.end(), pool_ + "-core core"), 1)
      << absl::StrJoin(running, "\n");

  Result history = Poolctl({"pool", "history", pool_});
  ASSERT_EQ(history.code, 0) << history.err;
  const std::string upgrade_backup =
      history.json["revisions"][3].value("backup", "");
  EXPECT_THAT(upgrade_backup, HasSubstr((home_ / "backups").string()));
  EXPECT_TRUE(fs::exists(fs::path(upgrade_backup) / "manifest.json"));

  Result backup =
      Poolctl({"pool", "backup", pool_, "--out", (home_ / "mine").string()});
  ASSERT_EQ(backup.code, 0) << backup.err;
  const std::string path = backup.json.value("backup", "");
  EXPECT_THAT(path, HasSubstr((home_ / "mine" / pool_).string()));
  std::vector<std::string> files = backup.json["files"];
  EXPECT_THAT(files, ::testing::Contains("core-db.archive"));
  EXPECT_THAT(files, ::testing::Contains("manifest.json"));
}

}  // namespace
}  // namespace poolops::test
