// The core and worker simulators over real loopback HTTP: an in-process core
// on a fake clock, one in-process worker and one worker process (the static
// binary), then the static binary's other roles.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/http_server.h"
#include "devnet/simulators/sim_test_support.h"
#include "devnet/simulators/worker_simulator.h"

namespace poolops::sim {
namespace {

TEST(SimHttpTest, WorkerPingsMakeWorkersAliveAndClockDropsThem) {
  FakeClock clock;
  CoreSimulator core(*CoreConfigFromEnv({}), "", &clock);
  auto server = HttpServer::Start(
      "127.0.0.1", 0, [&](const HttpRequest& r) { return core.Handle(r); });
  ASSERT_TRUE(server.ok()) << server.status();
  int port = (*server)->port();

  // Worker 1 in-process, configured as the real worker is.
  std::string wallet1 =
      WriteWallet("w1.json", "7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  auto config =
      WorkerConfigFromEnv({{"IEXEC_CORE_HOST", "127.0.0.1"},
                           {"IEXEC_CORE_PORT", std::to_string(port)},
                           {"IEXEC_WORKER_WALLET_PATH", wallet1},
                           {"IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT", "2"},
                           {"POOLOPS_SIM_PING_INTERVAL_MS", "20"}},
                          4);
  ASSERT_TRUE(config.ok()) << config.status();
  WorkerSimulator worker(*config, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",
                         HttpCoreCaller(*config));
  absl::Notification stop;
  std::thread worker_thread([&] { EXPECT_TRUE(worker.Run(&stop).ok()); });
  EXPECT_TRUE(WaitFor(port, "/metrics", [](const nlohmann::json& m) {
    return m["aliveWorkers"] == 1 && m["aliveTotalCpu"] == 2 &&
           m["aliveAvailableCpu"] == 2;
  }));

  // Worker 2: the static binary as a process, reading its wallet file.
  std::string wallet2 =
      WriteWallet("w2.json", "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
  pid_t pid = Spawn(
      {"IEXEC_CORE_HOST=localhost", "IEXEC_CORE_PORT=" + std::to_string(port),
       "IEXEC_WORKER_NAME=worker1", "IEXEC_WORKER_WALLET_PATH=" + wallet2,
       "IEXEC_WORKER_WALLET_PASSWORD=unused",
       "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT=3",
       "POOLOPS_SIM_PING_INTERVAL_MS=20"},
      "worker");
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(WaitFor(port, "/metrics", [](const nlohmann::json& m) {
    return m["aliveWorkers"] == 2 && m["aliveTotalCpu"] == 5;
  }));
  EXPECT_TRUE(
      core.registry().IsAlive("0x2b5ad5c4795c026514f8317c7a215e218dccd6cf"));

  StopProcess(pid);
  stop.Notify();
  worker_thread.join();
  clock.Advance(absl::Seconds(59));
  EXPECT_EQ(GetJson(port, "/metrics")["aliveWorkers"], 2);
  clock.Advance(absl::Seconds(1));
  nlohmann::json m = GetJson(port, "/metrics");
  EXPECT_EQ(m["aliveWorkers"], 0);
  EXPECT_EQ(m["aliveTotalCpu"], 0);
  (*server)->Stop();
}

TEST(SimHttpTest, StaticBinaryServesEachRoleOnItsPort) {
  int core_port = FreePort();
  pid_t core = Spawn({"POOLOPS_SIM_BIND=127.0.0.1",
                      "IEXEC_CORE_PORT=" + std::to_string(core_port),
                      "POOLOPS_SIM_VERSION=7.1.0"},
                     "core");
  EXPECT_TRUE(
      WaitFor(core_port, "/actuator/health",
              [](const nlohmann::json& j) { return j["status"] == "UP"; }));
  auto version =
      HttpCall("GET", "127.0.0.1", core_port, "/version", "", absl::Seconds(2));
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->body, "7.1.0");
  auto bad = HttpCall("POST", "127.0.0.1", core_port, "/workers/ping", "{}",
                      absl::Seconds(2));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  StopProcess(core);

  int adapter_port = FreePort();
  pid_t adapter = Spawn(
      {"POOLOPS_SIM_BIND=127.0.0.1",
       "IEXEC_BLOCKCHAIN_ADAPTER_API_PORT=" + std::to_string(adapter_port),
       "IEXEC_BLOCKCHAIN_ADAPTER_API_CHAIN_ID=134",
       "IEXEC_BLOCKCHAIN_ADAPTER_API_IS_SIDECHAIN=true",
       "IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME=5"},
      "blockchain-adapter");
  EXPECT_TRUE(
      WaitFor(adapter_port, "/config/chain", [](const nlohmann::json& j) {
        return j["chainId"] == 134 && j["sidechain"] == true &&
               j["blockTime"] == "PT5S";
      }));
  StopProcess(adapter);

  int grafana_port = FreePort();
  pid_t grafana = Spawn({"POOLOPS_SIM_BIND=127.0.0.1",
                         "GF_SERVER_HTTP_PORT=" + std::to_string(grafana_port)},
                        "grafana");
  EXPECT_TRUE(WaitFor(grafana_port, "/api/health", [](const nlohmann::json& j) {
    return j["database"] == "ok";
  }));
  StopProcess(grafana);

  // mongo only holds its port: a connection is accepted, then closed.
  int mongo_port = FreePort();
  pid_t mongo = Spawn({"POOLOPS_SIM_BIND=127.0.0.1",
                       "POOLOPS_SIM_PORT=" + std::to_string(mongo_port)},
                      "mongo");
  bool connected = false;
  for (int i = 0; i < 200 && !connected; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(mongo_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected =
        ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (!connected) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(connected);
  StopProcess(mongo);
}

TEST(SimHttpTest, WorkerWithoutWalletFailsClearly) {
  pid_t pid =
      Spawn({"IEXEC_WORKER_WALLET_PATH=/nonexistent/wallet.json"}, "worker");
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

}  // namespace
}  // namespace poolops::sim
