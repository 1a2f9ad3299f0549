#include "devnet/simulators/core_simulator.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace poolops::sim {
namespace {

HttpRequest Get(const std::string& path) { return {"GET", path, "", {}, ""}; }

TEST(CoreSimulatorTest, ServesHealthVersionConfigAndMetrics) {
  FakeClock clock;
  Env env = {{"POOL_ADDRESS", "0x00000000000000000000000000000000000000f1"},
             {"IEXEC_CORE_REQUIRED_WORKER_VERSION", "7.1.0"},
             {"IEXEC_CORE_CHAIN_ADAPTER_HOST", "127.0.0.1"},
             {"IEXEC_ASK_REPLICATE_PERIOD", "30000"},
             {"POOLOPS_SIM_VERSION", "7.1.0"}};
  auto config = CoreConfigFromEnv(env);
  ASSERT_TRUE(config.ok()) << config.status();
  CoreSimulator core(*config, "0x00000000000000000000000000000000000000c0",
                     &clock);
  EXPECT_EQ(core.Handle(Get("/actuator/health")).body, R"({"status":"UP"})");
  EXPECT_EQ(core.Handle(Get("/version")).body, "7.1.0");
  auto workers =
      nlohmann::json::parse(core.Handle(Get("/workers/config")).body);
  EXPECT_EQ(workers["workerPoolAddress"],
            "0x00000000000000000000000000000000000000f1");
  EXPECT_EQ(workers["schedulerPublicAddress"],
            "0x00000000000000000000000000000000000000c0");
  EXPECT_EQ(workers["blockchainAdapterUrl"], "http://127.0.0.1:13010");
  EXPECT_EQ(workers["askForReplicatePeriod"], 30000);
  EXPECT_EQ(workers["requiredWorkerVersion"], "7.1.0");
  EXPECT_EQ(core.Handle(Get("/nope")).status, 404);

  HttpRequest ping{
      "POST",
      "/workers/ping",
      "",
      {},
      R"({"walletAddress":"0x00000000000000000000000000000000000000aa","cpuNb":2})"};
  EXPECT_EQ(core.Handle(ping).status, 200);
  auto metrics = nlohmann::json::parse(core.Handle(Get("/metrics")).body);
  EXPECT_EQ(metrics["aliveWorkers"], 1);
  EXPECT_EQ(metrics["aliveTotalCpu"], 2);
  ping.body = "{}";
  EXPECT_EQ(core.Handle(ping).status, 400);
}

}  // namespace
}  // namespace poolops::sim
