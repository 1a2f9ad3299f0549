#include "services/monitor/status_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/monitor/fake_monitor_sources.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;

constexpr char kMetrics7[] =
    R"({"aliveWorkers":3,"aliveTotalCpu":6,"aliveAvailableCpu":6,)"
    R"("aliveTotalGpu":0,"aliveAvailableGpu":0,"completedTasks":0})";

PoolEndpoints Endpoints() {
  PoolEndpoints t;
  t.set_pool("p");
  t.set_core("http://core");
  t.set_expected_workers(3);
  t.set_adapter("http://adapter");
  t.set_adapter_path("/config/chain");
  t.set_grafana("http://grafana");
  t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  auto* w = t.add_wallets();
  w->set_name("core");
  w->set_role("scheduler");
  return t;
}

PoolObservations Healthy(absl::Time now) {
  PoolObservations o;
  o.probed_at = now;
  o.core_metrics = ProbeOutcome{"http://core/metrics", Answer(200, kMetrics7)};
  o.core_health = ProbeOutcome{"http://core/actuator/health",
                               Answer(200, R"({"status":"UP"})")};
  o.adapter = ProbeOutcome{
      "http://adapter/config/chain",
      Answer(200, R"({"chainId":65535,"sidechain":true,"blockTime":"PT1S"})")};
  o.grafana = ProbeOutcome{"http://grafana/api/health",
                           Answer(200, R"({"database":"ok","version":"4"})")};
  o.market = ProbeOutcome{
      "http://market/workerpoolorders",
      Answer(
          200,
          R"({"ok":true,"count":1,"orders":[{"remaining":4,"status":"open","order":{"workerpoolprice":10}}]})")};
  o.rpc = "http://node";
  o.head = absl::StatusOr<uint64_t>(120);
  o.chain_id = "65535";
  o.balances.emplace("core", Balances{"0xabc", "0", "5", "1000", "0"});
  return o;
}

const v1::Component* Find(const v1::PoolStatus& s, const std::string& name) {
  for (const auto& c : s.components()) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

absl::Time T0() { return absl::FromUnixSeconds(1700000000); }

TEST(StatusModelTest, HealthyPoolIsOkEverywhere) {
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), Healthy(T0()), &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_OK) << s.DebugString();
  for (const char* name :
       {"core", "core/health", "workers", "blockchain-adapter", "grafana",
        "market", "chain", "wallet/core"}) {
    const v1::Component* c = Find(s, name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ(c->status(), v1::HEALTH_OK) << name << ": " << c->detail();
  }
  EXPECT_EQ(Find(s, "workers")->detail(), "3 of 3 workers alive");
  EXPECT_THAT(Find(s, "chain")->detail(),
              HasSubstr("core's own block is not known"));
  EXPECT_EQ(Find(s, "wallet/core")->values().at("requiredStake"), "12");
  EXPECT_EQ(Find(s, "core")->probes(0).probe_success(), true);
  EXPECT_EQ(s.round(), 1u);
}

TEST(StatusModelTest, CoreUnreachableIsDownAndWorkersUnknown) {
  PoolObservations o = Healthy(T0());
  o.core_metrics->response = Refused();
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
  EXPECT_THAT(
      Find(s, "core")->detail(),
      HasSubstr("no answer from http://core/metrics: connection refused"));
  EXPECT_FALSE(Find(s, "workers")->known());
  EXPECT_EQ(Find(s, "core")->probes(0).probe_failed_due_to(),
            "connection refused");
}

TEST(StatusModelTest, FewerWorkersThanExpectedIsDegradedWithTheCount) {
  PoolObservations o = Healthy(T0());
  o.core_metrics->response = Answer(
      200, R"({"aliveWorkers":2,"aliveTotalCpu":4,"aliveAvailableCpu":4})");
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(Find(s, "workers")->detail(),
              HasSubstr("2 of 3 workers alive (the core counts them"));
  o.core_metrics->response = Answer(
      200, R"({"aliveWorkers":0,"aliveTotalCpu":0,"aliveAvailableCpu":0})");
  s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
  EXPECT_THAT(Find(s, "workers")->detail(),
              HasSubstr("0 of 3 workers alive: no worker pinged the core"));
}

TEST(StatusModelTest, WorkerHealthNamesTheMissingWorkerAndSinceWhen) {
  PoolEndpoints t = Endpoints();
  for (const char* name : {"worker-1", "worker-2", "worker-3"}) {
    auto* w = t.add_workers();
    w->set_name(name);
    w->set_health_url(absl::StrCat("http://", name, "/actuator/health"));
  }
  PoolMemory memory;
  PoolObservations o = Healthy(T0());
  for (const char* name : {"worker-1", "worker-2", "worker-3"}) {
    o.worker_health[name] =
        ProbeOutcome{absl::StrCat("http://", name, "/actuator/health"),
                     Answer(200, R"({"status":"UP"})")};
  }
  EXPECT_EQ(EvaluatePool(t, o, &memory).overall(), v1::HEALTH_OK);

  // worker-2 stops: its probe fails at once, the core still counts it.
  o.probed_at = T0() + absl::Seconds(10);
  o.worker_health["worker-2"].response = Refused();
  v1::PoolStatus s = EvaluatePool(t, o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(Find(s, "workers")->detail(),
              HasSubstr("but worker-2 not answering (last seen 10 s ago)"));
  EXPECT_EQ(Find(s, "worker/worker-2")->status(), v1::HEALTH_DEGRADED);

  // Three minutes on, the core has dropped it too.
  o.probed_at = T0() + absl::Minutes(3);
  o.core_metrics->response = Answer(
      200, R"({"aliveWorkers":2,"aliveTotalCpu":4,"aliveAvailableCpu":4})");
  s = EvaluatePool(t, o, &memory);
  EXPECT_THAT(Find(s, "workers")->detail(),
              HasSubstr("2 of 3 workers alive: worker-2 not answering (last "
                        "seen 3 min ago): connection refused"));

  // Back.
  o.worker_health["worker-2"].response = Answer(200, R"({"status":"UP"})");
  o.core_metrics->response = Answer(200, kMetrics7);
  EXPECT_EQ(EvaluatePool(t, o, &memory).overall(), v1::HEALTH_OK);
}

TEST(StatusModelTest, BadAnswersGetReasonsNotCrashes) {
  struct Case {
    HttpProbeResponse response;
    std::string reason;
  };
  HttpProbeResponse too_large = Answer(200, std::string(100, '{'));
  too_large.failed_due_to = "body too large";
  HttpProbeResponse timeout;
  timeout.failed_due_to = "timeout";
  std::vector<Case> cases = {
      {Answer(503, "oops"), "answered HTTP 503"},
      {Answer(200, "{garbage", "application/json"), "is not an iexec-core"},
      {Answer(200, "<html></html>", "text/html"),
       "answered text/html, not JSON"},
      {too_large, "answered a body over 100 bytes"},
      {timeout, "no answer from http://core/metrics: timeout"},
  };
  for (const Case& c : cases) {
    PoolObservations o = Healthy(T0());
    o.core_metrics->response = c.response;
    PoolMemory memory;
    v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
    EXPECT_EQ(s.overall(), v1::HEALTH_DOWN) << c.reason;
    EXPECT_THAT(Find(s, "core")->detail(), HasSubstr(c.reason));
    EXPECT_FALSE(Find(s, "core")->probes(0).probe_success());
  }
  // Grafana or the market failing never takes the pool down.
  PoolObservations o = Healthy(T0());
  o.grafana->response = Answer(200, "nope", "text/plain");
  o.market->response = Answer(500, "");
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DEGRADED);
  EXPECT_FALSE(Find(s, "market")->known());
}

TEST(StatusModelTest, WalletUnknownWhenTheGatewayCannotSayNeverZero) {
  PoolObservations o = Healthy(T0());
  o.balances.clear();
  o.balances.emplace("core",
                     absl::UnimplementedError("GetBalances not implemented"));
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  const v1::Component* w = Find(s, "wallet/core");
  EXPECT_EQ(w->status(), v1::HEALTH_DEGRADED);
  EXPECT_FALSE(w->known());
  EXPECT_THAT(w->detail(), HasSubstr("does not serve balances yet"));
  // No balance made up; only the role, which /metrics groups wallets by.
  EXPECT_EQ(w->values().size(), 1u);
  EXPECT_EQ(w->values().count("role"), 1u);

  o.balances.clear();
  o.balances.emplace("core", absl::UnavailableError("not running"));
  s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_THAT(Find(s, "wallet/core")->detail(),
              HasSubstr("chain-gateway unavailable: not running"));
}

TEST(StatusModelTest, SchedulerStakeMustCoverTheOpenOrders) {
  PoolObservations o = Healthy(T0());
  o.balances.clear();
  o.balances.emplace("core", Balances{"0xabc", "0", "0", "11", "0"});
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "wallet/core")->status(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(Find(s, "wallet/core")->detail(),
              HasSubstr("stake 11 nRLC does not cover the 12 nRLC"));
  PoolEndpoints t = Endpoints();
  t.mutable_wallets(0)->set_min_stake("100000000000000000000");
  o.balances.clear();
  o.balances.emplace("core",
                     Balances{"0xabc", "0", "0", "99999999999999999999", "0"});
  s = EvaluatePool(t, o, &memory);
  EXPECT_THAT(Find(s, "wallet/core")->detail(), HasSubstr("below the"));
  // Amounts are numbers, not text: "0100" is above "99", leading zeros and
  // all; a 30-digit stake is above a 21-digit floor.
  t.mutable_wallets(0)->set_min_stake("99");
  o.balances.clear();
  o.balances.emplace("core", Balances{"0xabc", "0", "0", "0100", "0"});
  s = EvaluatePool(t, o, &memory);
  EXPECT_EQ(Find(s, "wallet/core")->status(), v1::HEALTH_OK);
  t.mutable_wallets(0)->set_min_stake("100000000000000000000");
  o.balances.clear();
  o.balances.emplace("core", Balances{"0xabc", "0", "0",
                                      "100000000000000000000000000000", "0"});
  s = EvaluatePool(t, o, &memory);
  EXPECT_EQ(Find(s, "wallet/core")->status(), v1::HEALTH_OK);
}

TEST(StatusModelTest, AnAmountThatIsNotANumberIsShownNotCompared) {
  PoolObservations o = Healthy(T0());
  PoolEndpoints t = Endpoints();
  t.mutable_wallets(0)->set_min_stake("5");
  o.balances.clear();
  // As text "9x" sorts after "5"; as an amount it is nothing.
  o.balances.emplace("core", Balances{"0xabc", "0", "0", "9x", "0"});
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(t, o, &memory);
  EXPECT_EQ(Find(s, "wallet/core")->status(), v1::HEALTH_DEGRADED);
  // Said once, though the floor and the open orders both read the stake.
  const std::string detail = Find(s, "wallet/core")->detail();
  EXPECT_THAT(detail, HasSubstr("stake"));
  EXPECT_EQ(detail.find("stake"), detail.rfind("stake")) << detail;
}

TEST(StatusModelTest, HeadLagOfA9xCore) {
  PoolObservations o = Healthy(T0());
  o.core_metrics->response = Answer(
      200, R"({"aliveWorkers":3,"aliveRegisteredCpu":6,"aliveComputingCpu":0,)"
           R"("latestBlockMetric":{"blockNumber":90}})");
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "chain")->status(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(Find(s, "chain")->detail(),
              HasSubstr("the core is 30 blocks behind (more than 20"));
  EXPECT_EQ(Find(s, "chain")->values().at("headLag"), "30");
  o.head = absl::StatusOr<uint64_t>(absl::DeadlineExceededError("slow node"));
  s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "chain")->status(), v1::HEALTH_DOWN);
}

TEST(StatusModelTest, AdapterOnTheWrongChainAndUnresolvedChain) {
  PoolObservations o = Healthy(T0());
  o.chain_id = "134";
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_THAT(Find(s, "blockchain-adapter")->detail(),
              HasSubstr("serves chain 65535 but the pool's chain is 134"));
  o.head.reset();
  o.rpc.clear();
  o.chain_unknown = "cannot resolve chain devnet: chain-gateway unavailable";
  s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_FALSE(Find(s, "chain")->known());
  EXPECT_EQ(Find(s, "chain")->status(), v1::HEALTH_DEGRADED);
}

// A 9.x pool: the config server on the core host, the pool's chain from
// chain-gateway (id and hub).
constexpr char kHub[] = "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";

std::string ChainConfigJson(int64_t chain_id, const std::string& hub,
                            const std::string& block_time) {
  return absl::StrCat(R"({"chainId":)", chain_id,
                      R"(,"sidechain":false,"chainNodeUrl":"http://node",)",
                      R"("iexecHubContractAddress":")", hub,
                      R"(","blockTime":")", block_time, R"("})");
}

PoolEndpoints V9Endpoints() {
  PoolEndpoints t = Endpoints();
  t.set_chain("devnet");
  t.set_adapter_path("/actuator/health");
  t.set_config_server("http://core:8888");
  return t;
}

PoolObservations V9Healthy(absl::Time now) {
  PoolObservations o = Healthy(now);
  o.adapter = ProbeOutcome{"http://adapter/actuator/health",
                           Answer(200, R"({"status":"UP"})")};
  o.config_server =
      ProbeOutcome{"http://core:8888/config/chain",
                   Answer(200, ChainConfigJson(65535, kHub, "PT1S"))};
  o.hub = absl::AsciiStrToLower(kHub);  // either case is the same address
  return o;
}

TEST(StatusModelTest, ConfigServerOnThePoolsChainIsOk) {
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(V9Endpoints(), V9Healthy(T0()), &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_OK) << s.DebugString();
  const v1::Component* c = Find(s, "config-server");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status(), v1::HEALTH_OK);
  EXPECT_EQ(c->detail(),
            absl::StrCat("config server serves chain 65535 hub ", kHub,
                         ", block time 1s: the pool's chain"));
  EXPECT_EQ(c->values().at("chainId"), "65535");
  EXPECT_EQ(c->values().at("hub"), kHub);
  EXPECT_EQ(c->values().at("blockTimeSeconds"), "1");
  EXPECT_TRUE(c->probes(0).probe_success());
  EXPECT_EQ(c->probes(0).spec().target(), "http://core:8888/config/chain");
  // Pools of 7.x/8.x stacks have no config server: no component.
  EXPECT_EQ(
      Find(EvaluatePool(Endpoints(), Healthy(T0()), &memory), "config-server"),
      nullptr);
}

TEST(StatusModelTest, ConfigServerOnAnotherChainIsDownNamingBoth) {
  const std::string kOtherHub = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
  PoolObservations o = V9Healthy(T0());
  o.config_server->response =
      Answer(200, ChainConfigJson(1, kOtherHub, "PT1S"));
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(V9Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
  const v1::Component* c = Find(s, "config-server");
  EXPECT_EQ(c->status(), v1::HEALTH_DOWN);
  EXPECT_THAT(c->detail(),
              HasSubstr(absl::StrCat(
                  "config server says chain 1 hub ", kOtherHub,
                  " but the pool's chain devnet is 65535 hub ", o.hub)));
  // The right chain id is not enough: the hub must be the pool's too.
  o.config_server->response =
      Answer(200, ChainConfigJson(65535, kOtherHub, "PT1S"));
  s = EvaluatePool(V9Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "config-server")->status(), v1::HEALTH_DOWN);
  EXPECT_THAT(Find(s, "config-server")->detail(),
              HasSubstr("says chain 65535 hub 0x3eca1B216A7DF1C7689aEb259fFB83"
                        "ADFB894E7f but"));
  // Without the gateway's hub, the targets' chain id still judges.
  o.hub.clear();
  o.chain_id = "134";
  o.config_server->response = Answer(200, ChainConfigJson(65535, kHub, "PT1S"));
  PoolEndpoints t = V9Endpoints();
  t.clear_chain();
  s = EvaluatePool(t, o, &memory);
  EXPECT_THAT(Find(s, "config-server")->detail(),
              HasSubstr("says chain 65535 hub 0x098bFCb1E50ebcA0BaA92C12eA0c3F"
                        "045A1aD9f0 but the pool's chain is 134:"));
}

// Core 9.3 refuses to start with a block time outside 100ms..20s, or none.
TEST(StatusModelTest, ConfigServerBlockTimeTheCoreRefusesIsDown) {
  struct Case {
    std::string block_time;
    v1::Health health;
    std::string detail;
  };
  std::vector<Case> cases = {
      {"PT0.1S", v1::HEALTH_OK, "block time 100ms"},
      {"PT20S", v1::HEALTH_OK, "block time 20s"},
      {"PT0.05S", v1::HEALTH_DOWN,
       "config server says blockTime 50ms: core 9.3 refuses to start outside "
       "100ms..20s"},
      {"PT1M", v1::HEALTH_DOWN, "says blockTime 1m"},
      {"5s", v1::HEALTH_DOWN,
       "config server gives blockTime \"5s\", not an ISO-8601 duration"},
  };
  for (const Case& c : cases) {
    PoolObservations o = V9Healthy(T0());
    o.config_server->response =
        Answer(200, ChainConfigJson(65535, kHub, c.block_time));
    PoolMemory memory;
    v1::PoolStatus s = EvaluatePool(V9Endpoints(), o, &memory);
    EXPECT_EQ(Find(s, "config-server")->status(), c.health) << c.block_time;
    EXPECT_THAT(Find(s, "config-server")->detail(), HasSubstr(c.detail));
  }
  PoolObservations o = V9Healthy(T0());
  o.config_server->response = Answer(
      200, absl::StrCat(R"({"chainId":65535,"iexecHubContractAddress":")", kHub,
                        R"("})"));
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(V9Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "config-server")->status(), v1::HEALTH_DOWN);
  EXPECT_THAT(Find(s, "config-server")->detail(),
              HasSubstr("gives no chainNodeUrl: core 9.3 refuses to start; "
                        "config server gives no blockTime"));
}

TEST(StatusModelTest, ConfigServerUnreachableOrGarbledIsDown) {
  PoolObservations o = V9Healthy(T0());
  o.config_server->response = Refused();
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(V9Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
  EXPECT_EQ(Find(s, "config-server")->detail(),
            "no answer from http://core:8888/config/chain: connection "
            "refused: the core and workers cannot read their chain");
  EXPECT_FALSE(Find(s, "config-server")->probes(0).probe_success());
  o.config_server->response = Answer(200, R"({"chainId":"x"})");
  s = EvaluatePool(V9Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "config-server")->detail(),
            "http://core:8888/config/chain: config server /config/chain: no "
            "numeric chainId");
  EXPECT_EQ(Find(s, "config-server")->probes(0).probe_failed_due_to(), "json");
  o.config_server->response =
      Answer(404, "<html>Not Found</html>", "text/html");
  s = EvaluatePool(V9Endpoints(), o, &memory);
  EXPECT_THAT(Find(s, "config-server")->detail(),
              HasSubstr("answered HTTP 404"));
}

TEST(StatusModelTest, ConfigServerUncheckedWhenThePoolsChainIsUnknown) {
  PoolObservations o = V9Healthy(T0());
  o.chain_id.clear();
  o.hub.clear();
  o.chain_info_unknown =
      "cannot resolve chain devnet: chain-gateway is not running";
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(V9Endpoints(), o, &memory);
  const v1::Component* c = Find(s, "config-server");
  EXPECT_EQ(c->status(), v1::HEALTH_DEGRADED);
  EXPECT_FALSE(c->known());
  EXPECT_THAT(c->detail(), HasSubstr("not checked against the pool's chain: "
                                     "cannot resolve chain devnet"));
  // A pool that names no chain at all: nothing to hold against it.
  o.chain_info_unknown.clear();
  PoolEndpoints t = V9Endpoints();
  t.clear_chain();
  s = EvaluatePool(t, o, &memory);
  EXPECT_EQ(Find(s, "config-server")->status(), v1::HEALTH_OK);
  EXPECT_THAT(Find(s, "config-server")->detail(),
              HasSubstr("the pool names no chain to check it against"));
}

TEST(StatusModelTest, CertificateCloseToExpiryDegrades) {
  PoolObservations o = Healthy(T0());
  o.grafana->url = "https://grafana/api/health";
  o.grafana->response.cert_not_after = T0() + absl::Hours(24 * 5);
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "grafana")->status(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(Find(s, "grafana")->detail(),
              HasSubstr("TLS certificate of https://grafana/api/health "
                        "expires in 5 days"));
  o.grafana->response.cert_not_after = T0() + absl::Hours(24 * 90);
  s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(Find(s, "grafana")->status(), v1::HEALTH_OK);
  EXPECT_EQ(Find(s, "grafana")->probes(0).probe_ssl_earliest_cert_expiry(),
            absl::ToUnixSeconds(T0() + absl::Hours(24 * 90)));
}

TEST(StatusModelTest, CoreWithoutActuatorOnItsPortIsNotHeldAgainstIt) {
  PoolObservations o = Healthy(T0());
  o.core_health->response = Answer(404, R"({"status":404})");
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_OK);
  EXPECT_THAT(Find(s, "core/health")->detail(), HasSubstr("port 13001"));
  o.core_health->response = Answer(503, R"({"status":"OUT_OF_SERVICE"})");
  s = EvaluatePool(Endpoints(), o, &memory);
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
  EXPECT_THAT(Find(s, "core/health")->detail(),
              HasSubstr("core reports OUT_OF_SERVICE"));
}

TEST(StatusModelTest, Helpers) {
  EXPECT_EQ(Ago(absl::Seconds(42)), "42 s");
  EXPECT_EQ(Ago(absl::Minutes(3)), "3 min");
  EXPECT_EQ(HealthName(v1::HEALTH_DEGRADED), "degraded");
}

}  // namespace
}  // namespace poolops::monitor

namespace poolops::monitor {
namespace {

SwarmServiceState Service(std::string name, std::string state, std::string node,
                          std::string error = "") {
  SwarmServiceState s;
  s.service = std::move(name);
  s.state = std::move(state);
  s.node = std::move(node);
  s.error = std::move(error);
  s.desired = 1;
  s.running = s.state == "running" ? 1 : 0;
  return s;
}

v1::SwarmStack Stack(const std::string& project, const std::string& role) {
  v1::SwarmStack s;
  s.set_project(project);
  s.set_role(role);
  return s;
}

TEST(SwarmStatusTest, NodesAndStatesOfEachStack) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  PoolObservations obs = Healthy(now);
  obs.swarm.emplace_back(
      Stack("p-core", "core"),
      std::vector<SwarmServiceState>{Service("core", "running", "node-1"),
                                     Service("mongo", "running", "node-1")});
  obs.swarm.emplace_back(
      Stack("p-workers-w0", "worker"),
      std::vector<SwarmServiceState>{
          Service("w0", "running", "node-1"),
          Service("w1", "pending", "",
                  "no suitable node (scheduling constraints not satisfied "
                  "on 2 nodes)")});
  obs.swarm.emplace_back(Stack("p-w2", "worker"),
                         absl::UnavailableError("docker: connection refused"));
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), obs, &memory);
  const v1::Component* core = Find(s, "swarm/p-core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->status(), v1::HEALTH_OK);
  EXPECT_EQ(core->detail(), "2 services running");
  EXPECT_EQ(core->values().at("core"), "running on node-1");
  const v1::Component* workers = Find(s, "swarm/p-workers-w0");
  ASSERT_NE(workers, nullptr);
  EXPECT_EQ(workers->status(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(workers->detail(),
              HasSubstr("1 of 2 not running: w1 pending: no suitable node"));
  EXPECT_EQ(workers->values().at("w0"), "running on node-1");
  const v1::Component* unknown = Find(s, "swarm/p-w2");
  ASSERT_NE(unknown, nullptr);
  EXPECT_FALSE(unknown->known());
  EXPECT_EQ(unknown->status(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(unknown->detail(), HasSubstr("connection refused"));
  EXPECT_EQ(s.overall(), v1::HEALTH_DEGRADED);
}

TEST(SwarmStatusTest, ACoreServiceThatDoesNotRunIsDown) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  PoolObservations obs = Healthy(now);
  SwarmServiceState core = Service("core", "ready", "node-1");
  core.update_state = "rollback_started";
  obs.swarm.emplace_back(Stack("p-core", "core"),
                         std::vector<SwarmServiceState>{core});
  PoolMemory memory;
  v1::PoolStatus s = EvaluatePool(Endpoints(), obs, &memory);
  const v1::Component* c = Find(s, "swarm/p-core");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status(), v1::HEALTH_DOWN);
  EXPECT_THAT(c->detail(),
              HasSubstr("core ready on node-1 (update rollback_started)"));
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
}

}  // namespace
}  // namespace poolops::monitor
