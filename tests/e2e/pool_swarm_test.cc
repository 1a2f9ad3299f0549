// A pool on a two-node Docker Swarm end to end through poolctl (ctest label
// "docker"). Real: the local suite as processes, the arbitrum devnet (anvil
// + PoCo 6 + poolops' devnet market), two dockerd forming a swarm
// (scripts/swarm.sh), `docker stack deploy`. Not real: the iExec images,
// played by the stack simulators (built on node 1, loaded into node 2). One
// core and three workers across both nodes, funded, staked and publishing
// orders; `poolctl status` ok with each service's node and state from the
// monitor; then `pool down` leaves no service, secret or config of the pool.
// Skipped without the swarm; fails instead when CI=true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/net.h"
#include "tests/containers/exec.h"

namespace poolops::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTag[] = "swarme2e";

std::string Sh(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof(buf), p)) out += buf;
  if (p != nullptr) ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class PoolSwarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* h1 = std::getenv("POOLOPS_SWARM_HOST");
    const char* h2 = std::getenv("POOLOPS_SWARM_HOST2");
    if (h1 == nullptr || h2 == nullptr || *h1 == '\0' || *h2 == '\0') {
      POOLOPS_MISSING_TOOL(
          "no two-node swarm (scripts/swarm.sh sets POOLOPS_SWARM_HOST)");
    }
    host1_ = h1;
    host2_ = h2;
    char tmpl[] = "/tmp/ps.XXXXXX";  // short: unix socket paths are bounded
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    home_ = tmpl;
    fs::create_directories(home_ / "log");
  }

  void TearDown() override {
    if (home_.empty()) return;
    if (pool_up_) Poolctl({"pool", "down", pool_, "--remove-data"});
    Poolctl({"services", "down"});
    Poolctl({"devnet", "down"});
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  // The orchestrator and monitor that poolctl starts reach node 1.
  Result Poolctl(std::vector<std::string> args) {
    args.insert(args.begin(), {POOLCTL_PATH, "--json"});
    return Exec(home_ / "log", args,
                {{"POOLOPS_HOME", home_.string()}, {"DOCKER_HOST", host1_}});
  }
  std::string Docker(const std::string& host, const std::string& args) {
    return Sh(absl::StrCat("docker -H '", host, "' ", args));
  }

  fs::path home_;
  std::string host1_, host2_;
  std::string pool_ = absl::StrCat("ps", ::getpid());
  bool pool_up_ = false;
};

TEST_F(PoolSwarmTest, OneCoreThreeWorkersOnTwoNodesPublishAndShowWhereTheyRun) {
  Result r = Poolctl({"devnet", "up", "--flavour", "arbitrum"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Poolctl({"devnet", "images", "--tag", kTag});
  ASSERT_EQ(r.code, 0) << r.err;
  // No registry: node 2 gets node 1's images.
  ASSERT_EQ(
      std::system(absl::StrCat(
                      "docker -H '", host1_, "' save $(docker -H '", host1_,
                      "' images --format '{{.Repository}}:{{.Tag}}' | "
                      "grep ':",
                      kTag, "$') | docker -H '", host2_, "' load -q >/dev/null")
                      .c_str()),
      0);
  r = Poolctl({"services", "up"});
  ASSERT_EQ(r.code, 0) << r.err;

  const std::string node1 = Docker(host1_, "info -f '{{.Swarm.NodeID}}'");
  const std::string node2 = Docker(host2_, "info -f '{{.Swarm.NodeID}}'");
  Docker(host1_, absl::StrCat("node update --label-add poolops-e2e=two ", node2,
                              " >/dev/null"));
  const fs::path results = home_ / "results";
  for (const char* w : {"w0", "w1", "w2"}) {
    fs::create_directories(results / w);  // swarm makes no bind folder
  }
  const std::string worker_tail =
      absl::StrCat(", results_dir: ", results.string(),
                   ", placement: {node_labels: {poolops-e2e: two}}}\n");
  std::string yaml = absl::StrCat(
      "name: ", pool_, "\nchain: devnet\nstack_version: v9.3\n",
      "network_mode: host\n", "workerpool: {owner_wallet: ", pool_,
      "-core, description: swarm e2e}\n", "funding: {eth: '1', rlc: '10'}\n",
      "stake: {minimum: '1000000000'}\n",
      "images: {simulators: true, simulator_tag: ", kTag, "}\n",
      "core: {target: 'swarm://local', host: 127.0.0.1, core_port: ",
      *net::FreeLoopbackPort(),
      ", chain_adapter_port: ", *net::FreeLoopbackPort(),
      ", grafana_port: ", *net::FreeLoopbackPort(),
      ", config_server_port: ", *net::FreeLoopbackPort(),
      ", placement: {node: ", node1, "}}\n",
      "orders: {publisher: poolops, price: '100000000', max_open_orders: 2}\n",
      "override_env: {core: {IEXEC_CORE_REQUIRED_WORKER_VERSION: ''}}\n",
      "workers:\n", "  - {name: w0, target: 'swarm://local', wallet: ", pool_,
      "-w0, cpu: 1, results_dir: ", results.string(),
      ", placement: {node: ", node1, "}}\n",
      "  - {name: w1, target: 'swarm://local', wallet: ", pool_, "-w1, cpu: 1",
      worker_tail, "  - {name: w2, target: 'swarm+", host1_,
      "', wallet: ", pool_, "-w2, cpu: 1", worker_tail);
  const fs::path spec = home_ / "pool.yaml";
  std::ofstream(spec) << yaml;

  r = Poolctl({"pool", "up", "-f", spec.string()});
  pool_up_ = true;
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::string workerpool = r.json.value("workerpool", "");
  ASSERT_FALSE(workerpool.empty()) << r.out;

  // Where the swarm put them: w1 and w2 on node 2, the core and w0 not.
  auto on_node2 = [&](const std::string& service) {
    return Docker(host2_, absl::StrCat("ps -q --filter "
                                       "label=com.docker.swarm.service.name=",
                                       service));
  };
  EXPECT_NE(on_node2(pool_ + "-workers-w0_w1"), "");
  EXPECT_NE(on_node2(pool_ + "-w2_worker"), "");
  EXPECT_EQ(on_node2(pool_ + "-workers-w0_w0"), "");
  EXPECT_EQ(on_node2(pool_ + "-core_core"), "");

  // The monitor: ok, the workers alive, the stacks with their nodes.
  Result st;
  EXPECT_TRUE(WaitFor(
      [&] {
        st = Poolctl({"status", pool_});
        bool stacks = false;
        for (const auto& c : st.json.value("components", nlohmann::json())) {
          stacks |= c.value("name", "") == "swarm/" + pool_ + "-core";
        }
        return st.code == 0 && st.json.value("overall", "") == "ok" && stacks;
      },
      std::chrono::seconds(90)))
      << st.out << st.err;
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& c : st.json["components"]) by_name[c["name"]] = c;
  EXPECT_THAT(by_name["workers"].value("detail", ""), HasSubstr("3 of 3"));
  for (const std::string stack : {"-core", "-workers-w0", "-w2"}) {
    const nlohmann::json& c = by_name["swarm/" + pool_ + stack];
    EXPECT_EQ(c.value("status", ""), "ok") << c.dump();
    for (const auto& [service, where] : c["values"].items()) {
      if (service == "role") continue;
      EXPECT_THAT(where.get<std::string>(), HasSubstr("running on "))
          << service;
    }
  }
  // The human form lists each service and where it runs.
  Result human = Exec(home_ / "log", {POOLCTL_PATH, "status", pool_},
                      {{"POOLOPS_HOME", home_.string()}});
  EXPECT_THAT(human.out, HasSubstr("w1: running on "));

  // The publisher keeps the pool's orders on the market.
  Result book;
  EXPECT_TRUE(WaitFor(
      [&] {
        book = Poolctl({"orderbook", "workerpool", workerpool});
        return book.code == 0 && book.json.value("count", 0) >= 1;
      },
      std::chrono::seconds(60)))
      << book.out << book.err;

  // Down: nothing of the pool is left on the swarm.
  Result down = Poolctl({"pool", "down", pool_});
  ASSERT_EQ(down.code, 0) << down.err;
  pool_up_ = false;
  for (const char* kind : {"service", "secret", "config"}) {
    EXPECT_EQ(
        Docker(host1_, absl::StrCat(kind, " ls --format '{{.Name}}' | grep '^",
                                    pool_, "-' || true")),
        "")
        << kind;
  }
}

}  // namespace
}  // namespace poolops::test
