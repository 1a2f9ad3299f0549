#include "devnet/simulators/core_simulator.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devnet/simulators/worker_duties.h"

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

namespace poolops::sim {
namespace {

// Workers ask for tasks; without on-chain duties there is never one, and
// with them the core asks its duties (scheduler_duties.h).
TEST(CoreSimulatorTest, ReplicatesComeFromTheDutiesOrNowhere) {
  FakeClock clock;
  CoreConfig config;
  CoreSimulator core(config, "0xabc", &clock);
  const std::string wallet = "0x00000000000000000000000000000000000000a1";
  HttpRequest ask{
      "GET", "/replicates/available", "walletAddress=" + wallet, {}, ""};
  EXPECT_EQ(core.Handle(ask).status, 401);  // not a worker of this core
  HttpRequest ping{"POST",
                   "/workers/ping",
                   "",
                   {},
                   R"({"walletAddress":")" + wallet + R"(","cpuNb":1})"};
  ASSERT_EQ(core.Handle(ping).status, 200);
  EXPECT_EQ(core.Handle(ask).status, 204);
  std::string seen;
  core.SetReplicateSource([&seen](const HttpRequest& r) {
    seen = r.query;
    return HttpResponse{200, "application/json", R"({"task":1})"};
  });
  HttpResponse r = core.Handle(ask);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"task":1})");
  EXPECT_EQ(seen, "walletAddress=" + wallet);
  clock.Advance(absl::Minutes(2));  // no ping since: dead, no more work
  EXPECT_EQ(core.Handle(ask).status, 401);
}

// Only the exact iexec_args fail a task; anything else, malformed or deep
// JSON included, runs.
TEST(WorkerDutiesTest, OnlyTheFailingArgsFailATask) {
  EXPECT_TRUE(ParamsAskToFail(R"({"iexec_args":"poolops-sim:fail"})"));
  EXPECT_FALSE(ParamsAskToFail(R"({"iexec_args":"poolops devnet traffic"})"));
  EXPECT_FALSE(ParamsAskToFail(R"({"iexec_args":"poolops-sim:fail "})"));
  EXPECT_FALSE(ParamsAskToFail(R"({"iexec_args":["poolops-sim:fail"]})"));
  EXPECT_FALSE(ParamsAskToFail("poolops-sim:fail"));
  EXPECT_FALSE(ParamsAskToFail(""));
  EXPECT_FALSE(ParamsAskToFail(std::string(10000, '[')));
}

}  // namespace
}  // namespace poolops::sim
