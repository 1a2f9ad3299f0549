// POOLOPS_SIM_STACK=v9.3 over loopback, with the static binary: a core that
// reads its chain config from a config-server simulator and its
// latestBlockMetric from a JSON-RPC node (an in-test server answering
// eth_getBlockByNumber, then a real anvil when the npm packages are there),
// a worker that reads both the core and the config server, and the
// refusals as the operator sees them (exit 1, the message in the log).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "devnet/simulators/config_server_simulator.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/http_server.h"
#include "devnet/simulators/latest_block.h"
#include "devnet/simulators/sim_test_support.h"

namespace poolops::sim {
namespace {

const char kV9Pool[] = "0x365E7BABAa85eC61Dffe5b520763062e6C29dA27";
const char kBlockHash[] =
    "0x9f1d3c2b4a5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";

std::string TempPath(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/v9-", ::getpid(), "-", name);
}

std::string WriteChainJson(const std::string& name, int node_port,
                           const std::string& block_time) {
  std::string path = TempPath(name);
  std::ofstream(path) << nlohmann::json{
      {"chainId", 65535},
      {"sidechain", true},
      {"chainNodeUrl", absl::StrCat("http://127.0.0.1:", node_port)},
      {"iexecHubContractAddress", "0xc4b11f41746D3Ad8504da5B383E1aB9aa969AbC7"},
      {"blockTime",
       block_time}}.dump();
  return path;
}

// A JSON-RPC node that knows one method: eth_getBlockByNumber("latest",
// false), answering block 42.
class FakeNode {
 public:
  FakeNode() {
    auto server = HttpServer::Start(
        "127.0.0.1", 0, [this](const HttpRequest& r) { return Answer(r); });
    if (server.ok()) server_ = *std::move(server);
  }
  int port() const { return server_ ? server_->port() : 0; }
  int block_reads() const { return block_reads_; }

 private:
  HttpResponse Answer(const HttpRequest& r) {
    nlohmann::json call = nlohmann::json::parse(r.body, nullptr, false);
    if (r.method != "POST" || !call.is_object() ||
        call["method"] != "eth_getBlockByNumber" ||
        call["params"] != nlohmann::json::array({"latest", false})) {
      return {400, "application/json", R"({"error":"unexpected call"})"};
    }
    ++block_reads_;
    nlohmann::json block = {{"number", "0x2a"},
                            {"hash", kBlockHash},
                            {"timestamp", "0x6553f100"},
                            {"transactions", nlohmann::json::array()}};
    return {200, "application/json",
            nlohmann::json{
                {"jsonrpc", "2.0"}, {"id", call["id"]}, {"result", block}}
                .dump()};
  }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> block_reads_{0};
};

std::vector<std::string> CoreEnv(int core_port, int node_port,
                                 int config_port) {
  return {
      "POOLOPS_SIM_STACK=v9.3",
      "POOLOPS_SIM_BIND=127.0.0.1",
      "IEXEC_CORE_PORT=" + std::to_string(core_port),
      std::string("POOL_ADDRESS=") + kV9Pool,
      "IEXEC_CORE_WALLET_PATH=" +
          WriteWallet("v9-core.json",
                      "0x00000000000000000000000000000000000000c0"),
      absl::StrCat("IEXEC_BLOCKCHAIN_NODE_ADDRESS=http://127.0.0.1:",
                   node_port),
      absl::StrCat("IEXEC_CONFIG_SERVER_URL=http://127.0.0.1:", config_port)};
}

std::vector<std::string> WorkerEnv(int core_port, const std::string& pool,
                                   const std::string& name) {
  return {"POOLOPS_SIM_STACK=v9.3",
          absl::StrCat("IEXEC_CORE_URL=http://127.0.0.1:", core_port),
          "POOL_ADDRESS=" + pool,
          "IEXEC_WORKER_NAME=" + name,
          "IEXEC_WORKER_WALLET_PATH=" +
              WriteWallet(name + ".json",
                          "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"),
          "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT=2",
          "POOLOPS_SIM_PING_INTERVAL_MS=50"};
}

TEST(SimV9HttpTest, CoreReadsConfigServerAndNodeWorkerReadsBoth) {
  FakeNode node;
  ASSERT_GT(node.port(), 0);
  int config_port = FreePort();
  pid_t config_server =
      Spawn({"POOLOPS_SIM_STACK=v9.3", "POOLOPS_SIM_BIND=127.0.0.1",
             "POOLOPS_SIM_PORT=" + std::to_string(config_port),
             "POOLOPS_SIM_CONFIG_FILE=" +
                 WriteChainJson("chain.json", node.port(), "PT1S")},
            "config-server", TempPath("config-server.log"));
  ASSERT_GT(config_server, 0);
  int core_port = FreePort();
  pid_t core = Spawn(CoreEnv(core_port, node.port(), config_port), "core",
                     TempPath("core.log"));
  ASSERT_GT(core, 0);

  // Health answers once the chain config was read and the first block polled.
  EXPECT_TRUE(
      WaitFor(core_port, "/actuator/health",
              [](const nlohmann::json& j) { return j["status"] == "UP"; }))
      << ReadText(TempPath("core.log"));
  nlohmann::json metrics = GetJson(core_port, "/metrics");
  EXPECT_EQ(metrics["latestBlockMetric"],
            (nlohmann::json{{"blockNumber", 42},
                            {"blockHash", kBlockHash},
                            {"blockTimestamp", 1700000000}}))
      << metrics.dump();
  EXPECT_GE(node.block_reads(), 1);
  nlohmann::json config = GetJson(core_port, "/workers/config");
  EXPECT_EQ(config["configServerUrl"],
            absl::StrCat("http://127.0.0.1:", config_port));
  EXPECT_EQ(config["schedulerPublicAddress"],
            "0x00000000000000000000000000000000000000c0");
  EXPECT_FALSE(config.contains("blockchainAdapterUrl"));

  // A worker of the same pool (any case) reads both, then pings.
  pid_t worker =
      Spawn(WorkerEnv(core_port, absl::AsciiStrToLower(kV9Pool), "v9-worker0"),
            "worker", TempPath("worker0.log"));
  EXPECT_TRUE(WaitFor(core_port, "/metrics", [](const nlohmann::json& m) {
    return m["aliveWorkers"] == 1 && m["aliveRegisteredCpu"] == 2 &&
           m["aliveComputingCpu"] == 0 && m["aliveAvailableCpu"] == 2;
  })) << ReadText(TempPath("worker0.log"));
  std::string worker_log = ReadText(TempPath("worker0.log"));
  EXPECT_TRUE(absl::StrContains(worker_log, "chain 65535")) << worker_log;

  // A worker of another pool stops, naming both addresses.
  const std::string other = "0x00000000000000000000000000000000000000f1";
  pid_t stranger = Spawn(WorkerEnv(core_port, other, "v9-worker1"), "worker",
                         TempPath("worker1.log"));
  EXPECT_EQ(ExitCode(stranger), 1);
  std::string stranger_log = ReadText(TempPath("worker1.log"));
  EXPECT_TRUE(absl::StrContains(stranger_log, other)) << stranger_log;
  EXPECT_TRUE(absl::StrContains(stranger_log, kV9Pool)) << stranger_log;

  // Without the config server a worker cannot start (no wait here).
  StopProcess(config_server);
  std::vector<std::string> env = WorkerEnv(core_port, kV9Pool, "v9-worker2");
  env.push_back("POOLOPS_SIM_CONFIG_WAIT_MS=0");
  pid_t orphan = Spawn(env, "worker", TempPath("worker2.log"));
  EXPECT_EQ(ExitCode(orphan), 1);
  std::string orphan_log = ReadText(TempPath("worker2.log"));
  EXPECT_TRUE(absl::StrContains(
      orphan_log,
      absl::StrCat("http://127.0.0.1:", config_port, "/config/chain")))
      << orphan_log;

  StopProcess(worker);
  StopProcess(core);
}

TEST(SimV9HttpTest, CoreRefusesABadChainConfigAndAMissingConfigServer) {
  // A config server that serves a 30 s block time (nginx does not check).
  std::string path = WriteChainJson("chain-slow.json", 8545, "PT30S");
  auto config_server = HttpServer::Start(
      "127.0.0.1", 0,
      [path](const HttpRequest& r) { return HandleConfigServer(path, r); });
  ASSERT_TRUE(config_server.ok());
  pid_t core = Spawn(CoreEnv(FreePort(), 8545, (*config_server)->port()),
                     "core", TempPath("core-slow.log"));
  EXPECT_EQ(ExitCode(core), 1);
  std::string log = ReadText(TempPath("core-slow.log"));
  EXPECT_TRUE(absl::StrContains(log, "blockTime")) << log;
  EXPECT_TRUE(absl::StrContains(log, "100ms..20s")) << log;

  int nobody = FreePort();
  std::vector<std::string> env = CoreEnv(FreePort(), 8545, nobody);
  env.push_back("POOLOPS_SIM_CONFIG_WAIT_MS=0");
  core = Spawn(env, "core", TempPath("core-alone.log"));
  EXPECT_EQ(ExitCode(core), 1);
  log = ReadText(TempPath("core-alone.log"));
  EXPECT_TRUE(absl::StrContains(
      log, absl::StrCat("no answer from http://127.0.0.1:", nobody)))
      << log;
}

TEST(SimV9HttpTest, RefusalsExitOneNamingTheVariable) {
  struct Case {
    std::string role;
    std::vector<std::string> env;
    std::vector<std::string> expected;  // in the log
  };
  const std::vector<Case> cases = {
      {"core",
       {"IEXEC_PRIVATE_CHAIN_ADDRESS=", "IEXEC_CORE_CHAIN_ADAPTER_HOST=x"},
       {"IEXEC_PRIVATE_CHAIN_ADDRESS", "IEXEC_BLOCKCHAIN_NODE_ADDRESS",
        "IEXEC_CORE_CHAIN_ADAPTER_HOST", "IEXEC_CORE_CHAIN_ADAPTER_URL"}},
      {"core",
       {"IEXEC_GAS_PRICE_MULTIPLIER=0"},
       {"IEXEC_GAS_PRICE_MULTIPLIER"}},
      {"blockchain-adapter",
       {"IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME=5"},
       {"IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME", "IEXEC_BLOCK_TIME"}},
      {"blockchain-adapter", {"IEXEC_BLOCK_TIME=5"}, {"5 ms", "PT5S"}},
      {"worker",
       {"IEXEC_CORE_URL=http://127.0.0.1:1", "IEXEC_CORE_HOST=core"},
       {"IEXEC_CORE_HOST", "IEXEC_CORE_URL"}},
      {"worker",
       {"IEXEC_CORE_URL=http://127.0.0.1:1", "POOL_ADDRESS=0x0"},
       {"POOL_ADDRESS"}},
      {"config-server",
       {"POOLOPS_SIM_CONFIG_FILE=/nonexistent/chain"},
       {"/nonexistent/chain"}},
      {"grafana", {"POOLOPS_SIM_STACK=v9"}, {"POOLOPS_SIM_STACK"}},
  };
  int i = 0;
  for (const Case& c : cases) {
    std::vector<std::string> env = c.env;
    // The case's own assignments first; a name is set once.
    auto add = [&env](const std::string& assignment) {
      std::string name = assignment.substr(0, assignment.find('='));
      for (const std::string& e : env) {
        if (e.substr(0, e.find('=')) == name) return;
      }
      env.push_back(assignment);
    };
    if (c.role == "core") {
      for (const std::string& v : CoreEnv(FreePort(), 1, 1)) add(v);
    }
    add("POOLOPS_SIM_STACK=v9.3");
    add("POOLOPS_SIM_BIND=127.0.0.1");
    add("POOLOPS_SIM_PORT=" + std::to_string(FreePort()));
    std::string log = TempPath(absl::StrCat("refusal-", i++, ".log"));
    EXPECT_EQ(ExitCode(Spawn(env, c.role, log)), 1) << c.role;
    std::string text = ReadText(log);
    for (const std::string& part : c.expected) {
      EXPECT_TRUE(absl::StrContains(text, part)) << c.role << ": " << text;
    }
  }
}

TEST(SimV9HttpTest, AdapterServesHealthAndNoLongerTheChainConfig) {
  int port = FreePort();
  pid_t adapter =
      Spawn({"POOLOPS_SIM_STACK=v9.3", "POOLOPS_SIM_BIND=127.0.0.1",
             "IEXEC_BLOCKCHAIN_ADAPTER_API_PORT=" + std::to_string(port),
             "IEXEC_CHAIN_ID=65535", "IEXEC_BLOCK_TIME=PT1S",
             "IEXEC_BLOCKCHAIN_NODE_ADDRESS=http://127.0.0.1:8545"},
            "blockchain-adapter");
  EXPECT_TRUE(WaitFor(port, "/actuator/health", [](const nlohmann::json& j) {
    return j["status"] == "UP";
  }));
  auto chain =
      HttpCall("GET", "127.0.0.1", port, "/config/chain", "", absl::Seconds(2));
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->status, 404);
  StopProcess(adapter);
}

// The real chain: anvil from the npm packages (skipped without them).
TEST(SimV9HttpTest, CoreReportsTheLatestBlockOfARealAnvil) {
  if (!std::filesystem::exists(POOLOPS_SIM_ANVIL)) {
    GTEST_SKIP() << "no anvil at " << POOLOPS_SIM_ANVIL
                 << " (npm packages of tests/interop)";
  }
  int anvil_port = FreePort();
  proc::SpawnOptions options;
  options.die_with_parent = true;
  options.log_file = TempPath("anvil.log");
  absl::StatusOr<pid_t> anvil = proc::SpawnDetached(
      {POOLOPS_SIM_ANVIL, "--port", std::to_string(anvil_port), "--host",
       "127.0.0.1", "--silent"},
      options);
  ASSERT_TRUE(anvil.ok()) << anvil.status();
  const std::string node = absl::StrCat("http://127.0.0.1:", anvil_port);
  absl::StatusOr<LatestBlock> genesis = absl::UnavailableError("not yet");
  for (int i = 0; i < 400 && !genesis.ok(); ++i) {
    genesis = FetchLatestBlock(node);
    if (!genesis.ok())
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(genesis.ok()) << genesis.status();

  std::string path = WriteChainJson("chain-anvil.json", anvil_port, "PT1S");
  auto config_server = HttpServer::Start(
      "127.0.0.1", 0,
      [path](const HttpRequest& r) { return HandleConfigServer(path, r); });
  ASSERT_TRUE(config_server.ok());
  int core_port = FreePort();
  pid_t core = Spawn(CoreEnv(core_port, anvil_port, (*config_server)->port()),
                     "core", TempPath("core-anvil.log"));
  EXPECT_TRUE(WaitFor(core_port, "/metrics", [&](const nlohmann::json& m) {
    return m["latestBlockMetric"].is_object() &&
           m["latestBlockMetric"]["blockNumber"] == genesis->number &&
           m["latestBlockMetric"]["blockHash"] == genesis->hash &&
           m["latestBlockMetric"]["blockTimestamp"] == genesis->timestamp;
  })) << ReadText(TempPath("core-anvil.log"));

  // A new block shows at the next poll (every block time, at least 1 s).
  auto mined = HttpCall("POST", "127.0.0.1", anvil_port, "/",
                        R"({"jsonrpc":"2.0","id":1,"method":"evm_mine",)"
                        R"("params":[]})",
                        absl::Seconds(5));
  ASSERT_TRUE(mined.ok()) << mined.status();
  absl::StatusOr<LatestBlock> next = FetchLatestBlock(node);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->number, genesis->number + 1);
  EXPECT_TRUE(WaitFor(
      core_port, "/metrics",
      [&](const nlohmann::json& m) {
        return m["latestBlockMetric"]["blockHash"] == next->hash;
      },
      600))
      << ReadText(TempPath("core-anvil.log"));
  StopProcess(core);
  ::kill(*anvil, SIGTERM);
  ::waitpid(*anvil, nullptr, 0);
}

}  // namespace
}  // namespace poolops::sim
