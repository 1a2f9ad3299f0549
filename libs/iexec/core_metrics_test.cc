#include "libs/iexec/core_metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace poolops::iexec {
namespace {

TEST(CoreMetricsTest, Reads7xFields) {
  auto m = ParseCoreMetrics(
      R"({"aliveWorkers":1,"aliveTotalCpu":2,"aliveAvailableCpu":1,)"
      R"("aliveTotalGpu":0,"aliveAvailableGpu":0,"completedTasks":7})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->generation, "7.x");
  EXPECT_EQ(m->alive_workers, 1);
  EXPECT_EQ(m->cpu_total, 2);
  EXPECT_EQ(m->cpu_available, 1);
  EXPECT_EQ(m->completed_tasks, 7);
  EXPECT_FALSE(m->latest_block.has_value());
}

TEST(CoreMetricsTest, Reads8xFieldsWithoutCompletedTasks) {
  auto m = ParseCoreMetrics(
      R"({"aliveWorkers":2,"aliveTotalCpu":6,"aliveAvailableCpu":4,)"
      R"("aliveTotalGpu":1,"aliveAvailableGpu":1,"dealsCount":3,)"
      R"("currentTaskStatusesCount":{"RUNNING":1},)"
      R"("latestBlockNumberWithDeal":1234})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->generation, "8.x");
  EXPECT_EQ(m->cpu_available, 4);
  EXPECT_EQ(m->gpu_total, 1);
  EXPECT_FALSE(m->completed_tasks.has_value());
  EXPECT_EQ(m->latest_block_with_deal, 1234u);
}

TEST(CoreMetricsTest, Prefers9xFieldsOverDeprecatedOnes) {
  auto m = ParseCoreMetrics(
      R"({"aliveWorkers":3,"aliveTotalCpu":99,"aliveAvailableCpu":99,)"
      R"("aliveRegisteredCpu":8,"aliveComputingCpu":3,)"
      R"("aliveRegisteredGpu":2,"aliveComputingGpu":2,)"
      R"("latestBlockMetric":{"blockNumber":987654,"blockHash":"0x1"}})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->generation, "9.x");
  EXPECT_EQ(m->cpu_total, 8);
  EXPECT_EQ(m->cpu_available, 5);
  EXPECT_EQ(m->gpu_available, 0);
  EXPECT_EQ(m->latest_block, 987654u);
}

TEST(CoreMetricsTest, RefusesWhatIsNotAPlatformMetric) {
  for (const char* body :
       {"", "garbage", "[]", "{}", R"({"aliveWorkers":"two"})",
        R"({"aliveWorkers":-1,"aliveTotalCpu":1})",
        R"({"aliveWorkers":1.5,"aliveTotalCpu":1})", R"({"aliveWorkers":1})",
        "<html>502</html>"}) {
    EXPECT_FALSE(ParseCoreMetrics(body).ok()) << body;
  }
  std::string deep(10000, '[');
  EXPECT_FALSE(ParseCoreMetrics(deep).ok());
  // Closed: nlohmann would build it and then crash copying it.
  std::string closed =
      std::string(1'000'000, '[') + std::string(1'000'000, ']');
  auto refused = ParseCoreMetrics(closed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "core /metrics: JSON nested deeper than 32 levels");
  EXPECT_FALSE(ParseOrderbook(closed).ok());
  auto s = ParseCoreMetrics(R"({"aliveTotalCpu":1})");
  EXPECT_NE(s.status().message().find("aliveWorkers"), std::string::npos);
}

TEST(CoreMetricsTest, JsonFieldValuesAnswerOldNamesFromNewCores) {
  auto v = JsonFieldValues(
      R"({"aliveWorkers":3,"aliveRegisteredCpu":8,"aliveComputingCpu":3,"x":true})",
      {"aliveWorkers", "aliveTotalCpu", "aliveAvailableCpu", "x", "missing"});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ((*v)["aliveWorkers"], "3");
  EXPECT_EQ((*v)["aliveTotalCpu"], "8");
  EXPECT_EQ((*v)["aliveAvailableCpu"], "5");
  EXPECT_EQ((*v)["x"], "true");
  EXPECT_EQ(v->count("missing"), 0u);
}

TEST(EndpointBodiesTest, AdapterConfigAcceptsBothBlockTimeForms) {
  auto a = ParseAdapterChainConfig(
      R"({"chainId":134,"sidechain":true,"chainNodeUrl":"https://bellecour.iex.ec",)"
      R"("iexecHubContractAddress":"0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f","blockTime":"PT5S"})");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->chain_id, 134);
  EXPECT_TRUE(a->sidechain);
  EXPECT_DOUBLE_EQ(*a->block_time_seconds, 5.0);
  auto b = ParseAdapterChainConfig(R"({"chainId":1,"blockTime":5.000000000})");
  ASSERT_TRUE(b.ok());
  EXPECT_DOUBLE_EQ(*b->block_time_seconds, 5.0);
  EXPECT_FALSE(ParseAdapterChainConfig(R"({"chainId":"x"})").ok());
}

// The 9.x config server serves the same document; Jackson writes a
// java.time.Duration in minutes and hours past 59 s.
TEST(EndpointBodiesTest, ChainConfigBlockTimesAsJacksonWritesThem) {
  auto seconds = [](const char* block_time) -> std::optional<double> {
    auto c = ParseAdapterChainConfig(
        absl::StrCat(R"({"chainId":1,"blockTime":")", block_time, R"("})"));
    if (!c.ok()) return std::nullopt;
    return c->block_time_seconds;
  };
  EXPECT_EQ(seconds("PT1S"), 1.0);
  EXPECT_EQ(seconds("PT0.1S"), 0.1);
  EXPECT_EQ(seconds("PT1M"), 60.0);
  EXPECT_EQ(seconds("PT1M30S"), 90.0);
  EXPECT_EQ(seconds("PT2H"), 7200.0);
  for (const char* bad :
       {"PT", "PTS", "P1D", "PT-1S", "PT1.5M", "PT1S2M", "5 s", "PT1X"}) {
    EXPECT_EQ(seconds(bad), std::nullopt) << bad;
  }
  auto c = ParseAdapterChainConfig(R"({"chainId":1,"blockTime":"soon"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->block_time_text, "soon");
  EXPECT_EQ(ParseAdapterChainConfig("{}", "config server /config/chain")
                .status()
                .message(),
            "config server /config/chain: no numeric chainId");
}

TEST(EndpointBodiesTest, ActuatorAndGrafana) {
  EXPECT_EQ(*ParseActuatorHealth(R"({"status":"OUT_OF_SERVICE"})"),
            "OUT_OF_SERVICE");
  EXPECT_FALSE(ParseActuatorHealth(R"({"status":1})").ok());
  auto g = ParseGrafanaHealth(
      R"({"commit":"poolops-simulator","database":"ok","version":"4.0.0"})");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->database, "ok");
  EXPECT_EQ(g->version, "4.0.0");
}

TEST(EndpointBodiesTest, OrderbookSumsRemainingAndRequiredStake) {
  auto s = ParseOrderbook(
      R"({"ok":true,"count":2,"orders":[)"
      R"({"orderHash":"0x1","remaining":3,"status":"open","order":{"workerpoolprice":100}},)"
      R"({"orderHash":"0x2","remaining":"2","status":"open","order":{"workerpoolprice":"10"}}]})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->count, 2);
  EXPECT_EQ(s->open_volume, 5u);
  EXPECT_EQ(s->required_stake, 30u * 3 + 3u * 2);  // 30 % of the price
  EXPECT_FALSE(s->more_pages);
  EXPECT_FALSE(ParseOrderbook(R"({"ok":false,"error":"chainId"})").ok());
  EXPECT_FALSE(
      ParseOrderbook(R"({"ok":true,"orders":[{"remaining":-2}]})").ok());
  auto big = ParseOrderbook(
      R"({"orders":[{"remaining":18446744073709551615,"order":{"workerpoolprice":18446744073709551615}}],"nextPage":1})");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->required_stake, UINT64_MAX);  // saturates, never wraps
  EXPECT_TRUE(big->more_pages);
}

}  // namespace
}  // namespace poolops::iexec
