// The 9.x shapes: core /workers/config and /metrics (with the latest block
// read by JSON-RPC), and the adapter's routes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devnet/simulators/adapter_simulator.h"
#include "devnet/simulators/adapter_v9.h"
#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/latest_block.h"
#include "devnet/simulators/platform_metric_v9.h"

namespace poolops::sim {
namespace {

HttpRequest GetReq(const std::string& path) {
  return {"GET", path, "", {}, ""};
}

CoreConfig V9Core() {
  return *CoreConfigFromEnv(
      {{"POOLOPS_SIM_STACK", "v9.3"},
       {"POOL_ADDRESS", "0x00000000000000000000000000000000000000f1"},
       {"IEXEC_BLOCKCHAIN_NODE_ADDRESS", "http://127.0.0.1:8545"},
       {"IEXEC_CONFIG_SERVER_URL", "http://127.0.0.1:8888"},
       {"IEXEC_CORE_REQUIRED_WORKER_VERSION", "v9.2.0"}});
}

HttpRequest Ping(const std::string& body) {
  return {"POST", "/workers/ping", "", {}, body};
}

TEST(CoreV9Test, WorkersConfigHasThe9xFieldsInOrder) {
  FakeClock clock;
  CoreSimulator core(V9Core(), "0x00000000000000000000000000000000000000c0",
                     &clock);
  EXPECT_EQ(
      core.Handle(GetReq("/workers/config")).body,
      R"({"workerPoolAddress":"0x00000000000000000000000000000000000000f1",)"
      R"("schedulerPublicAddress":"0x00000000000000000000000000000000000000c0",)"
      R"("configServerUrl":"http://127.0.0.1:8888",)"
      R"("resultRepositoryURL":"http://localhost:13200",)"
      R"("askForReplicatePeriod":5000,"requiredWorkerVersion":"v9.2.0"})");
  EXPECT_EQ(core.Handle(GetReq("/version")).body, "9.3.0");
  EXPECT_EQ(core.Handle(GetReq("/actuator/health")).body, R"({"status":"UP"})");
}

TEST(CoreV9Test, MetricsHaveThe9xFieldsInOrder) {
  FakeClock clock;
  CoreSimulator core(V9Core(), "", &clock);
  // No block read yet: null, as on a 9.3 core before its first poll.
  EXPECT_EQ(core.Handle(GetReq("/metrics")).body,
            R"({"aliveWorkers":0,"aliveComputingCpu":0,"aliveRegisteredCpu":0,)"
            R"("aliveComputingGpu":0,"aliveRegisteredGpu":0,)"
            R"("currentTaskStatusesCount":{},"latestBlockMetric":null,)"
            R"("dealEventsCount":0,"dealsCount":0,"replayDealsCount":0,)"
            R"("latestBlockNumberWithDeal":0,"aliveAvailableCpu":0,)"
            R"("aliveTotalCpu":0,"aliveAvailableGpu":0,"aliveTotalGpu":0})");
  core.SetLatestBlockSource([] {
    return std::optional<LatestBlock>(LatestBlock{
        7, "0x00000000000000000000000000000000000000000000000000000000000000ab",
        1700000000});
  });
  EXPECT_EQ(core.Handle(Ping(R"({"walletAddress":)"
                             R"("0x00000000000000000000000000000000000000aa",)"
                             R"("cpuNb":3})"))
                .status,
            200);
  EXPECT_EQ(core.Handle(Ping(R"({"walletAddress":)"
                             R"("0x00000000000000000000000000000000000000bb",)"
                             R"("cpuNb":4,"gpuEnabled":true})"))
                .status,
            200);
  EXPECT_EQ(
      core.Handle(GetReq("/metrics")).body,
      R"({"aliveWorkers":2,"aliveComputingCpu":0,"aliveRegisteredCpu":3,)"
      R"("aliveComputingGpu":0,"aliveRegisteredGpu":1,)"
      R"("currentTaskStatusesCount":{},"latestBlockMetric":{"blockNumber":7,)"
      R"("blockHash":"0x00000000000000000000000000000000000000000000000000000000000000ab",)"
      R"("blockTimestamp":1700000000},"dealEventsCount":0,"dealsCount":0,)"
      R"("replayDealsCount":0,"latestBlockNumberWithDeal":0,)"
      R"("aliveAvailableCpu":3,"aliveTotalCpu":3,"aliveAvailableGpu":1,)"
      R"("aliveTotalGpu":1})");
}

TEST(CoreV9Test, V71AndV83KeepThe7xShapes) {
  for (const char* stack : {"v7.1", "v8.3"}) {
    FakeClock clock;
    CoreSimulator core(*CoreConfigFromEnv({{"POOLOPS_SIM_STACK", stack}}), "",
                       &clock);
    auto config =
        nlohmann::json::parse(core.Handle(GetReq("/workers/config")).body);
    EXPECT_TRUE(config.contains("blockchainAdapterUrl")) << stack;
    EXPECT_TRUE(config.contains("smsURL")) << stack;
    EXPECT_FALSE(config.contains("configServerUrl")) << stack;
    EXPECT_EQ(core.Handle(GetReq("/metrics")).body,
              R"({"aliveWorkers":0,"aliveTotalCpu":0,"aliveAvailableCpu":0,)"
              R"("aliveTotalGpu":0,"aliveAvailableGpu":0,"completedTasks":0})")
        << stack;
  }
}

TEST(LatestBlockTest, ParsesTheJsonRpcBlock) {
  auto block = ParseLatestBlockResponse(
      R"({"jsonrpc":"2.0","id":1,"result":{"number":"0x1b4","hash":"0xdc0818",)"
      R"("timestamp":"0x6553f100","transactions":[]}})");
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_EQ(block->number, 436u);
  EXPECT_EQ(block->hash, "0xdc0818");
  EXPECT_EQ(block->timestamp, 1700000000u);
  for (const char* bad :
       {"", "{}", R"({"result":null})",
        R"({"error":{"code":-32000,"message":"x"}})",
        R"({"result":{"number":"0x1","hash":"0x2"}})",
        R"({"result":{"number":null,"hash":"0x2","timestamp":"0x1"}})",
        R"({"result":{"number":"12","hash":"0x2","timestamp":"0x1"}})"}) {
    EXPECT_FALSE(ParseLatestBlockResponse(bad).ok()) << bad;
  }
}

TEST(LatestBlockTest, PollerKeepsTheLastBlockWhenTheNodeFails) {
  std::vector<absl::StatusOr<LatestBlock>> answers = {
      LatestBlock{1, "0x01", 10}, absl::UnavailableError("down"),
      absl::UnavailableError("down"), LatestBlock{2, "0x02", 15}};
  size_t next = 0;
  LatestBlockPoller poller([&] { return answers[next++]; }, absl::Hours(1),
                           "http://node");
  EXPECT_FALSE(poller.Latest().has_value());
  poller.PollOnce();
  EXPECT_EQ(poller.Latest()->number, 1u);
  poller.PollOnce();
  poller.PollOnce();
  EXPECT_EQ(poller.Latest()->number, 1u);
  EXPECT_EQ(poller.Latest()->hash, "0x01");
  poller.PollOnce();
  EXPECT_EQ(poller.Latest()->number, 2u);
}

TEST(AdapterV9Test, ConfigChainIsGoneHealthIsOpen) {
  EXPECT_EQ(HandleAdapterV9(GetReq("/config/chain")).status, 404);
  HttpResponse health = HandleAdapterV9(GetReq("/actuator/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"UP"})");
  EXPECT_EQ(HandleAdapterV9(GetReq("/metrics")).status, 401);
  // v8.3 (as v7.1) still serves it from the adapter's own variables.
  auto v8 =
      ChainConfigFromEnv({{"POOLOPS_SIM_STACK", "v8.3"},
                          {"IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME", "5"}});
  ASSERT_TRUE(v8.ok());
  EXPECT_EQ(HandleAdapter(*v8, GetReq("/config/chain")).status, 200);
}

}  // namespace
}  // namespace poolops::sim
