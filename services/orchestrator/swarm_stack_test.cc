// Swarm targets without a swarm: the addresses, compose's interpolation,
// the stack files a spec renders to (read back by the docker CLI's own
// loader, `docker stack config`, where the CLI has it), the spec's checks
// and the parsing of the swarm's service and task listings.
#include "services/orchestrator/swarm_stack.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/spec_validator.h"
#include "services/orchestrator/swarm_runner.h"
#include "services/orchestrator/target_address.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SwarmTargetTest, ParsesTheThreeForms) {
  absl::StatusOr<TargetAddress> local = ParseTarget("swarm://local");
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(local->kind, TargetAddress::Kind::kSwarm);
  EXPECT_EQ(local->docker_host, "");
  EXPECT_EQ(local->ToString(), "swarm://local");

  absl::StatusOr<TargetAddress> unix_socket =
      ParseTarget("swarm+unix:///run/docker-2.sock");
  ASSERT_TRUE(unix_socket.ok()) << unix_socket.status();
  EXPECT_EQ(unix_socket->docker_host, "unix:///run/docker-2.sock");
  EXPECT_EQ(unix_socket->ToString(), "swarm+unix:///run/docker-2.sock");

  absl::StatusOr<TargetAddress> ssh =
      ParseTarget("swarm+ssh://deploy@manager.example:2222");
  ASSERT_TRUE(ssh.ok()) << ssh.status();
  EXPECT_EQ(ssh->docker_host, "ssh://deploy@manager.example:2222");
  absl::StatusOr<TargetAddress> v6 = ParseTarget("swarm+ssh://root@[::1]");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->docker_host, "ssh://root@[::1]");
}

TEST(SwarmTargetTest, RefusesWhatCouldChangeMeaning) {
  for (const char* bad :
       {"swarm://", "swarm://manager", "swarm+unix://relative.sock",
        "swarm+unix:///a b.sock", "swarm+unix:///a\n.sock",
        "swarm+ssh://-oProxyCommand=x", "swarm+ssh://u@h/path",
        "swarm+ssh://u@h:99999", "swarm+ssh://u;rm@h", "swarm+tcp://h:2375"}) {
    absl::StatusOr<TargetAddress> t = ParseTarget(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) EXPECT_THAT(t.status().message(), HasSubstr("swarm"));
  }
}

TEST(InterpolateTest, ReadsAsComposeDoes) {
  std::map<std::string, std::string> v = {
      {"A", "one"}, {"EMPTY", ""}, {"P", "pa$$w'rd"}};
  auto I = [&](const std::string& s) {
    absl::StatusOr<std::string> r = Interpolate(s, v);
    return r.ok() ? *r : "ERROR: " + std::string(r.status().message());
  };
  EXPECT_EQ(I("$A-${A}"), "one-one");
  EXPECT_EQ(I("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${UNSET:-d}"), "d  d d");
  EXPECT_EQ(I("$$A costs $5"), "$A costs $5");
  EXPECT_EQ(I("${P}"), "pa$$w'rd");  // values are never expanded again
  EXPECT_EQ(I("/${A:?Wallet is mandatory}"), "/one");
  EXPECT_THAT(I("/${UNSET:?Wallet is mandatory}"),
              HasSubstr("UNSET is required: Wallet is mandatory"));
  EXPECT_THAT(I("${EMPTY:?no}"), HasSubstr("EMPTY is required"));
  EXPECT_EQ(I("${EMPTY?no}"), "");
  EXPECT_THAT(I("${A"), HasSubstr("without '}'"));
  EXPECT_THAT(I("${A/x/y}"), HasSubstr("unsupported"));
}

TEST(PlacementTest, NodeByIdOrHostnameAndLabels) {
  v1::PoolSpec::Placement p;
  p.set_node("doszlnbdmukdyxt0yrirxwqf0");
  (*p.mutable_node_labels())["zone"] = "b";
  (*p.mutable_node_labels())["disk"] = "ssd";
  EXPECT_THAT(PlacementConstraints(p),
              ::testing::ElementsAre("node.id == doszlnbdmukdyxt0yrirxwqf0",
                                     "node.labels.disk == ssd",
                                     "node.labels.zone == b"));
  p.set_node("worker-host-1");
  p.clear_node_labels();
  EXPECT_THAT(PlacementConstraints(p),
              ::testing::ElementsAre("node.hostname == worker-host-1"));
}

// The devnet v9 pool with its core and worker0 on one swarm and worker1
// on another manager.
v1::PoolSpec SwarmSpec() {
  ParsedSpec p = test::LoadExample("devnet-pool-v9.yaml");
  v1::PoolSpec spec = p.spec;
  spec.mutable_core()->set_target("swarm://local");
  spec.mutable_core()->mutable_placement()->set_node("core-node");
  spec.mutable_workers(0)->set_target("swarm://local");
  (*spec.mutable_workers(0)
        ->mutable_placement()
        ->mutable_node_labels())["poolops.worker"] = "w0";
  spec.mutable_workers(1)->set_target("swarm+unix:///run/docker-2.sock");
  spec.mutable_workers(1)->mutable_placement()->set_node("node-2");
  spec.mutable_rollout()->set_workers_at_once(2);
  return spec;
}

using test::FindBundle;
using test::FindFile;
using test::List;

std::vector<Bundle> RenderSwarm(const v1::PoolSpec& spec) {
  absl::StatusOr<Renderer> r = Renderer::Create();
  EXPECT_TRUE(r.ok()) << r.status();
  absl::StatusOr<std::vector<Bundle>> out = r->Render(test::FakeInput(spec));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Bundle>{};
}

TEST(SwarmStackTest, CoreStackIsPlacedOnTheHostNetworkWithSecretsAndConfigs) {
  std::vector<Bundle> bundles = RenderSwarm(SwarmSpec());
  const Bundle* core = FindBundle(bundles, "core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(FindFile(*core, ".env"), nullptr);  // stack deploy reads none
  const BundleFile* file = FindFile(*core, "docker-compose.yml");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->mode, 0600u);  // it holds what .env held: passwords
  EXPECT_THAT(file->content, Not(HasSubstr("${")));
  EXPECT_THAT(FindFile(*core, "poolops-bundle.json")->content,
              HasSubstr("\"engine\": \"swarm\""));
  YAML::Node y = YAML::Load(file->content);
  EXPECT_EQ(y["version"].Scalar(), "3.8");
  EXPECT_EQ(y["networks"]["hostnet"]["name"].Scalar(), "host");
  EXPECT_TRUE(y["networks"]["hostnet"]["external"].as<bool>());
  for (const auto& it : y["services"]) {
    const std::string name = it.first.Scalar();
    const YAML::Node s = it.second;
    for (const char* gone :
         {"container_name", "network_mode", "restart", "depends_on", "ports"}) {
      EXPECT_FALSE(s[gone]) << name << " " << gone;
    }
    EXPECT_THAT(List(s["networks"]), ::testing::ElementsAre("hostnet"));
    EXPECT_EQ(List(s["deploy"]["placement"]["constraints"]),
              std::vector<std::string>{"node.hostname == core-node"})
        << name;
    EXPECT_EQ(s["deploy"]["update_config"]["failure_action"].Scalar(),
              "rollback");
    EXPECT_EQ(s["deploy"]["update_config"]["parallelism"].as<int>(), 2);
    EXPECT_EQ(s["deploy"]["restart_policy"]["condition"].Scalar(), "any");
  }
  // Each service labelled with its definition's hash (always a string:
  // quoted), listed beside.
  EXPECT_THAT(file->content, HasSubstr("poolops.spec: \""));
  const std::string listed = FindFile(*core, "swarm-services.txt")->content;
  EXPECT_THAT(
      listed,
      HasSubstr(absl::StrCat(
          "core ",
          y["services"]["core"]["deploy"]["labels"]["poolops.spec"].Scalar(),
          "\n")));
  // The wallet: a swarm secret where the core reads it, never a bind mount.
  YAML::Node c = y["services"]["core"];
  EXPECT_FALSE(c["volumes"]);
  ASSERT_EQ(c["secrets"].size(), 1u);
  EXPECT_EQ(c["secrets"][0]["target"].Scalar(),
            "/iexec-wallet/encrypted-wallet.json");
  EXPECT_EQ(c["secrets"][0]["mode"].as<int>(), 0400);
  const std::string key = c["secrets"][0]["source"].Scalar();
  EXPECT_EQ(y["secrets"][key]["file"].Scalar(), "./wallet.json");
  EXPECT_THAT(y["secrets"][key]["name"].Scalar(),
              ::testing::StartsWith("devnet-v9-core_wallet.json-"));
  // The config server's files: configs, mounted where nginx reads them.
  YAML::Node cs = y["services"]["config-server"];
  ASSERT_EQ(cs["configs"].size(), 2u);
  EXPECT_EQ(cs["configs"][0]["target"].Scalar(),
            "/usr/share/nginx/html/config/chain");
  EXPECT_EQ(y["configs"].size(), 2u);
  // The mongo volume stays a (node-local) named volume.
  EXPECT_THAT(List(y["services"]["mongo"]["volumes"]),
              Contains(HasSubstr("mongodb-data:")));
  // Values that were in .env are in the file, $ escaped for stack deploy.
  EXPECT_THAT(List(c["environment"]),
              Contains("IEXEC_CORE_WALLET_PASSWORD=walletpw1"
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

TEST(SwarmStackTest, EachWorkerIsItsOwnServicePlacedAsItsSpecSays) {
  std::vector<Bundle> bundles = RenderSwarm(SwarmSpec());
  ASSERT_EQ(bundles.size(), 3u);  // core, and one stack per manager
  const Bundle* w0 = FindBundle(bundles, "worker0");
  const Bundle* w1 = FindBundle(bundles, "worker1");
  ASSERT_NE(w0, nullptr);
  ASSERT_NE(w1, nullptr);
  EXPECT_EQ(w0->project, "devnet-v9-worker0");
  YAML::Node y0 = YAML::Load(FindFile(*w0, "docker-compose.yml")->content);
  YAML::Node s0 = y0["services"]["worker"];
  EXPECT_EQ(List(s0["deploy"]["placement"]["constraints"]),
            std::vector<std::string>{"node.labels.poolops.worker == w0"});
  EXPECT_EQ(s0["secrets"][0]["target"].Scalar(), "/wallet-0.json");
  EXPECT_THAT(List(s0["environment"]),
              Contains("IEXEC_WORKER_WALLET_PATH=/wallet-0.json"));
  EXPECT_THAT(List(s0["environment"]), Contains("IEXEC_WORKER_NAME=worker0"));
  YAML::Node y1 = YAML::Load(FindFile(*w1, "docker-compose.yml")->content);
  EXPECT_EQ(
      List(y1["services"]["worker"]["deploy"]["placement"]["constraints"]),
      std::vector<std::string>{"node.hostname == node-2"});
}

TEST(SwarmStackTest, TwoWorkersOnOneSwarmAreTwoServicesOfOneStack) {
  v1::PoolSpec spec = SwarmSpec();
  spec.mutable_workers(1)->set_target("swarm://local");
  std::vector<Bundle> bundles = RenderSwarm(spec);
  const Bundle* w = FindBundle(bundles, "workers-worker0");
  ASSERT_NE(w, nullptr);
  YAML::Node y = YAML::Load(FindFile(*w, "docker-compose.yml")->content);
  EXPECT_EQ(
      List(y["services"]["worker0"]["deploy"]["placement"]["constraints"]),
      std::vector<std::string>{"node.labels.poolops.worker == w0"});
  EXPECT_EQ(
      List(y["services"]["worker1"]["deploy"]["placement"]["constraints"]),
      std::vector<std::string>{"node.hostname == node-2"});
  // Each its own wallet, as its own secret.
  EXPECT_NE(y["services"]["worker0"]["secrets"][0]["source"].Scalar(),
            y["services"]["worker1"]["secrets"][0]["source"].Scalar());
}

TEST(SwarmStackTest, DollarsInValuesReachTheContainerAsWritten) {
  Bundle b;
  b.name = "x";
  b.project = "p-x";
  b.compose_files = {"docker-compose.yml"};
  b.env = {{"PW", "a$b$$c"}};
  b.files = {{".env", "PW='a$b$$c'\n", 0600},
             {"docker-compose.yml",
              "version: '3.6'\nservices:\n  s:\n    image: i\n"
              "    environment:\n      - PW=$PW\n",
              0644}};
  ASSERT_TRUE(ToSwarmStack(&b, {}).ok());
  YAML::Node y = YAML::Load(b.files[0].content);
  // stack deploy reads "$$" as one "$".
  EXPECT_EQ(List(y["services"]["s"]["environment"])[0], "PW=a$$b$$$$c");
}

TEST(SwarmStackTest, ABindMountOfWhatNoNodeHasIsRefused) {
  Bundle b;
  b.name = "x";
  b.project = "p-x";
  b.compose_files = {"docker-compose.yml"};
  b.files = {{"docker-compose.yml",
              "services:\n  s:\n    image: i\n    volumes:\n"
              "      - ./not-rendered.conf:/etc/x.conf\n",
              0644}};
  absl::Status s = ToSwarmStack(&b, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("./not-rendered.conf"));
}

// The docker CLI's own compose loader (`docker stack config`, CLI 23+):
// what `stack deploy` would read, with no daemon.
int StackConfig(const fs::path& dir, std::string* out) {
  std::string cmd = absl::StrCat(
      "cd '", dir.string(),
      "' && env -u DOCKER_HOST docker stack config -c docker-compose.yml "
      "2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SwarmStackTest, TheDockerCliReadsTheStacksBack) {
  if (std::system("docker stack config --help >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "this docker CLI has no `stack config` (CLI 23+)";
  }
  for (const Bundle& b : RenderSwarm(SwarmSpec())) {
    poolops::test::TempDir dir;
    for (const BundleFile& f : b.files) {
      fs::path p = dir.path() / f.path;
      fs::create_directories(p.parent_path());
      std::ofstream(p) << f.content;
    }
    std::string out;
    EXPECT_EQ(StackConfig(dir.path(), &out), 0) << b.name << ": " << out;
    // Read back as the CLI sends it: secrets from the bundle's files.
    EXPECT_THAT(out, HasSubstr("hostnet")) << b.name;
    if (b.role == "core") {
      EXPECT_THAT(out, HasSubstr("node.hostname == core-node"));
      EXPECT_THAT(out, HasSubstr("encrypted-wallet.json"));
    }
  }
}

TEST(SwarmSpecTest, PlacementAndNetworkChecks) {
  auto validate = [](const v1::PoolSpec& spec) {
    return ValidateSpec(spec, {}, "/tmp");
  };
  v1::PoolSpec spec = SwarmSpec();
  std::vector<v1::Violation> ok = validate(spec);
  EXPECT_TRUE(ok.empty()) << test::Dump(ok);

  v1::PoolSpec bridge = spec;
  bridge.set_network_mode(v1::NETWORK_MODE_BRIDGE);
  std::vector<v1::Violation> vs = validate(bridge);
  ASSERT_NE(test::Find(vs, "core.target"), nullptr) << test::Dump(vs);
  EXPECT_THAT(test::Find(vs, "core.target")->message(),
              HasSubstr("network_mode: host"));

  v1::PoolSpec not_swarm = spec;
  not_swarm.mutable_workers(0)->set_target("local:/tmp/x");
  vs = validate(not_swarm);
  ASSERT_NE(test::Find(vs, "workers[0].placement"), nullptr) << test::Dump(vs);
  EXPECT_THAT(test::Find(vs, "workers[0].placement")->message(),
              HasSubstr("swarm targets only"));

  v1::PoolSpec injected = spec;
  (*injected.mutable_workers(0)
        ->mutable_placement()
        ->mutable_node_labels())["zone"] = "a\nnode.role == manager";
  injected.mutable_core()->mutable_placement()->set_node("x == y");
  injected.mutable_workers(1)->set_docker_socket("relative.sock");
  vs = validate(injected);
  EXPECT_NE(test::Find(vs, "workers[0].placement.node_labels"), nullptr)
      << test::Dump(vs);
  EXPECT_NE(test::Find(vs, "core.placement.node"), nullptr);
  EXPECT_NE(test::Find(vs, "workers[1].docker_socket"), nullptr);
}

TEST(SwarmRunnerTest, ParsesServicesAndTheirNewestTasks) {
  const std::string services =
      "p-core_core|1/1\n"
      "p-core_mongo|0/1\n"
      "p-core_grafana|0/1 (max 1 per node)\n"
      "other_core|1/1\n";
  const std::string tasks =
      "p-core_core.1|node-a|Running 2 minutes ago||Running\n"
      "p-core_mongo.1|node-b|Rejected 3 seconds ago|\"No such image: "
      "mongo:4.4\"|Ready\n"
      "p-core_mongo.1|node-b|Rejected 9 seconds ago|\"older\"|Shutdown\n"
      "p-core_grafana.1||Pending 1 second ago|\"no suitable node "
      "(scheduling constraints not satisfied on 2 nodes)\"|Running\n";
  const std::string updates =
      "p-core_core|aaaa|rollback_completed|rollback completed\n"
      "p-core_mongo|cccc\n";
  std::vector<SwarmServiceState> s = ParseStackServices(
      "p-core", {services, tasks, updates, "core bbbb\nmongo cccc\n"});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].service, "core");
  EXPECT_EQ(s[0].running, 1);
  EXPECT_EQ(s[0].desired, 1);
  EXPECT_EQ(s[0].node, "node-a");
  EXPECT_EQ(s[0].state, "running");
  // Running, but what the swarm rolled back to, not what was deployed.
  EXPECT_EQ(s[0].spec, "aaaa");
  EXPECT_EQ(s[0].deployed_spec, "bbbb");
  EXPECT_EQ(s[0].update_state, "rollback_completed");
  EXPECT_FALSE(s[0].Converged());
  EXPECT_EQ(s[0].Describe(),
            "running on node-a (update rollback_completed: rollback "
            "completed)");
  EXPECT_EQ(s[1].Describe(), "rejected on node-b: No such image: mongo:4.4");
  s[0].spec = "bbbb";
  EXPECT_TRUE(s[0].Converged());
  EXPECT_EQ(s[1].service, "mongo");
  EXPECT_EQ(s[1].running, 0);
  EXPECT_EQ(s[1].state, "rejected");
  EXPECT_EQ(s[1].error, "No such image: mongo:4.4");
  EXPECT_EQ(s[2].service, "grafana");
  EXPECT_EQ(s[2].desired, 1);
  EXPECT_EQ(s[2].state, "pending");
  EXPECT_THAT(s[2].error, HasSubstr("no suitable node"));
}

}  // namespace
}  // namespace poolops::orchestrator

namespace poolops::orchestrator {
namespace {

// Every example spec, every stack version, moved onto a swarm: it renders,
// and the docker CLI reads each stack back (where it can).
TEST(SwarmStackTest, EveryExampleRendersAsStacks) {
  const bool cli =
      std::system("docker stack config --help >/dev/null 2>&1") == 0;
  for (const char* name :
       {"readme-v7.1.yaml", "devnet-pool.yaml", "full-featured.yaml",
        "devnet-pool-v9.yaml", "arbitrum-sepolia-v9.yaml"}) {
    ParsedSpec p = test::LoadExample(name);
    v1::PoolSpec spec = p.spec;
    spec.set_network_mode(v1::NETWORK_MODE_HOST);
    spec.mutable_core()->set_target("swarm://local");
    for (auto& w : *spec.mutable_workers()) w.set_target("swarm://local");
    absl::StatusOr<Renderer> r = Renderer::Create();
    ASSERT_TRUE(r.ok());
    absl::StatusOr<std::vector<Bundle>> out = r->Render(test::FakeInput(spec));
    ASSERT_TRUE(out.ok()) << name << ": " << out.status();
    for (const Bundle& b : *out) {
      EXPECT_EQ(FindFile(b, ".env"), nullptr) << name;
      if (!cli) continue;
      poolops::test::TempDir dir;
      std::string args;
      for (const BundleFile& f : b.files) {
        fs::path path = dir.path() / f.path;
        fs::create_directories(path.parent_path());
        std::ofstream(path) << f.content;
      }
      for (const std::string& c : b.compose_files) {
        absl::StrAppend(&args, " -c ", c);
      }
      std::string cmd = absl::StrCat("cd '", dir.path().string(),
                                     "' && env -u DOCKER_HOST docker stack "
                                     "config",
                                     args, " >/dev/null 2>&1");
      EXPECT_EQ(std::system(cmd.c_str()), 0) << name << " " << b.name;
    }
  }
}

}  // namespace
}  // namespace poolops::orchestrator

namespace poolops::orchestrator {
namespace {

// A manager that does not answer: deploy, state and removal all say so
// (a `down` must never pass for done).
TEST(SwarmRunnerTest, AnUnreachableManagerIsAnErrorNamingIt) {
  if (std::system("command -v docker >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no docker CLI";
  }
  poolops::test::TempDir dir;
  auto targets =
      NewTargetFactory(proc::ProcessRunner::Real(), {}, dir.path() / "swarm");
  const std::string where =
      absl::StrCat("swarm+unix://", (dir.path() / "none.sock").string());
  auto t = targets->Open(where, "", "p");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->SwarmHost(),
            absl::StrCat("unix://", (dir.path() / "none.sock").string()));
  ASSERT_TRUE((*t)->WriteBundle("w", {{"docker-compose.yml",
                                       "version: '3.8'\nservices: {}\n", 0600}})
                  .ok());
  // Kept with the orchestrator, per manager and pool.
  EXPECT_TRUE(
      fs::exists(dir.path() / "swarm" /
                 absl::StrCat("unix____",
                              absl::StrReplaceAll(dir.path().string().substr(1),
                                                  {{"/", "_"}}),
                              "_none.sock") /
                 "p/w/docker-compose.yml"));
  DockerComposeRunner runner;
  ComposeBundle bundle{"w", "p-w", {"docker-compose.yml"}};
  absl::Status down = runner.Down(t->get(), bundle, false);
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_THAT(down.message(), HasSubstr("not reachable"));
  absl::Status up = runner.Up(t->get(), bundle);
  EXPECT_EQ(up.code(), absl::StatusCode::kUnavailable) << up;
  auto running = runner.Running(t->get(), bundle);
  EXPECT_FALSE(running.ok());
  // Without a home, swarm targets are refused rather than put anywhere.
  auto homeless = NewTargetFactory(proc::ProcessRunner::Real())
                      ->Open("swarm://local", "", "p");
  EXPECT_EQ(homeless.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace poolops::orchestrator
