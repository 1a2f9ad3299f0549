#include "services/monitor/monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/process_runner.h"
#include "nlohmann/json.hpp"
#include "prometheus/text_serializer.h"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/monitor_test_fixture.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MonitorTest : public MonitorFixture {
 protected:
  void SetUp() override {
    MonitorFixture::SetUp();
    registry_ = std::make_shared<prometheus::Registry>();
    metrics_ = std::make_unique<MonitorMetrics>(registry_);
    monitor_ = NewMonitor();
  }

  std::unique_ptr<Monitor> NewMonitor() {
    return MonitorFixture::NewMonitor(metrics_.get());
  }

  PoolEndpoints Pool(const std::string& name) {
    PoolEndpoints t;
    t.set_pool(name);
    t.set_core("http://core:7001");
    t.add_workers()->set_name("w1");
    t.add_workers()->set_name("w2");
    return t;
  }

  void PoolWithHistory();

  std::string Exposition() {
    return prometheus::TextSerializer().Serialize(registry_->Collect());
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<MonitorMetrics> metrics_;
  std::unique_ptr<Monitor> monitor_;
};

TEST_F(MonitorTest, TimeoutMustBeShorterThanInterval) {
  MonitorOptions options;
  options.interval = absl::Seconds(5);
  options.probe_timeout = absl::Seconds(5);
  MonitorDeps deps{store_.get(), &http_,  &heads_, &chains_,
                   &balances_,   &clock_, nullptr};
  auto m = Monitor::Create(options, deps);
  EXPECT_TRUE(absl::IsInvalidArgument(m.status()));
  EXPECT_THAT(m.status().message(), HasSubstr("shorter than the interval"));
}

TEST_F(MonitorTest, SetPoolProbesAtOnceAndSurvivesARestart) {
  auto stored = monitor_->SetPool(Pool("p1"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  auto status = monitor_->GetStatus("");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->pool(), "p1");
  EXPECT_EQ(status->overall(), v1::HEALTH_OK) << status->DebugString();

  // A new monitor over the same file knows the pool; a round probes it.
  monitor_.reset();
  monitor_ = NewMonitor();
  ASSERT_EQ(monitor_->ListPools().size(), 1u);
  monitor_->RunRound();
  EXPECT_EQ(monitor_->GetStatus("p1")->overall(), v1::HEALTH_OK);
}

TEST_F(MonitorTest, InvalidTargetsAreRefusedAndNotStored) {
  PoolEndpoints t = Pool("p1");
  t.set_core("core:7001");
  auto s = monitor_->SetPool(t);
  EXPECT_TRUE(absl::IsInvalidArgument(s.status()));
  EXPECT_TRUE(monitor_->ListPools().empty());
  EXPECT_FALSE(std::filesystem::exists(store_->file()));
}

TEST_F(MonitorTest, GetStatusNamesThePoolsWhenAmbiguous) {
  EXPECT_TRUE(absl::IsNotFound(monitor_->GetStatus("").status()));
  ASSERT_TRUE(monitor_->SetPool(Pool("alpha")).ok());
  ASSERT_TRUE(monitor_->SetPool(Pool("beta")).ok());
  auto s = monitor_->GetStatus("");
  EXPECT_TRUE(absl::IsInvalidArgument(s.status()));
  EXPECT_THAT(s.status().message(), HasSubstr("alpha, beta"));
  EXPECT_TRUE(absl::IsNotFound(monitor_->GetStatus("gamma").status()));
}

TEST_F(MonitorTest, WatchSendsChangesOnlyOrEveryRound) {
  ASSERT_TRUE(monitor_->SetPool(Pool("p1")).ok());
  auto changes = monitor_->Watch("p1", /*changes_only=*/true);
  auto rounds = monitor_->Watch("p1", /*changes_only=*/false);
  ASSERT_TRUE(changes.ok() && rounds.ok());
  v1::PoolStatus s;
  ASSERT_TRUE((*changes)->Next(&s, absl::ZeroDuration()));  // the current one
  EXPECT_EQ(s.overall(), v1::HEALTH_OK);
  ASSERT_TRUE((*rounds)->Next(&s, absl::ZeroDuration()));

  monitor_->RunRound();  // nothing changed
  EXPECT_FALSE((*changes)->Next(&s, absl::ZeroDuration()));
  EXPECT_TRUE((*rounds)->Next(&s, absl::ZeroDuration()));

  http_.Set(
      "http://core:7001/metrics",
      Answer(200,
             R"({"aliveWorkers":1,"aliveTotalCpu":2,"aliveAvailableCpu":2})"));
  monitor_->RunRound();
  ASSERT_TRUE((*changes)->Next(&s, absl::ZeroDuration()));
  EXPECT_EQ(s.overall(), v1::HEALTH_DEGRADED);

  ASSERT_TRUE(monitor_->RemovePool("p1").ok());
  EXPECT_FALSE((*changes)->Next(&s, absl::ZeroDuration()));
  EXPECT_TRUE((*changes)->closed());
  EXPECT_TRUE(absl::IsNotFound(monitor_->RemovePool("p1")));
}

TEST_F(MonitorTest, MetricsCarryThePoolsGaugesAndGoWithThePool) {
  PoolEndpoints t = Pool("p1");
  t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  t.set_market("http://market");
  t.set_chain_id("65535");
  t.set_rpc("http://node");
  heads_.Set("http://node", 77);
  http_.Set(
      "http://market/workerpoolorders?chainId=65535&workerpool="
      "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db&pageIndex=0&pageSize=1000",
      Answer(
          200,
          R"({"ok":true,"count":1,"orders":[{"remaining":5,"order":{"workerpoolprice":0}}]})"));
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  monitor_->RunRound();
  std::string text = Exposition();
  EXPECT_THAT(text, HasSubstr("iexec_core_workers{pool=\"p1\"} 2"));
  EXPECT_THAT(text, HasSubstr("iexec_core_cpus{pool=\"p1\"} 4"));
  EXPECT_THAT(text, HasSubstr("iexec_chain_head_block{pool=\"p1\"} 77"));
  EXPECT_THAT(text, HasSubstr("iexec_market_open_volume{pool=\"p1\"} 5"));
  EXPECT_THAT(text,
              HasSubstr("probe_success{component=\"core\",pool=\"p1\"} 1"));
  EXPECT_THAT(text, HasSubstr("poolops_monitor_pool_status{pool=\"p1\"} 0"));
  EXPECT_THAT(text, HasSubstr("poolops_monitor_rounds_total"));
  ASSERT_TRUE(monitor_->RemovePool("p1").ok());
  EXPECT_THAT(Exposition(), Not(HasSubstr("pool=\"p1\"")));
}

TEST_F(MonitorTest, ChainNamesResolveThroughTheGatewayOrSayWhyNot) {
  PoolEndpoints t = Pool("p1");
  t.set_chain("devnet");
  t.add_wallets()->set_name("core");
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  auto s = monitor_->GetStatus("p1");
  ASSERT_TRUE(s.ok());
  bool saw_chain = false, saw_wallet = false;
  for (const auto& c : s->components()) {
    if (c.name() == "chain") {
      saw_chain = true;
      EXPECT_FALSE(c.known());
      EXPECT_THAT(c.detail(), HasSubstr("cannot resolve chain devnet"));
    }
    if (c.name() == "wallet/core") {
      saw_wallet = true;
      EXPECT_THAT(c.detail(), HasSubstr("does not serve balances yet"));
    }
  }
  EXPECT_TRUE(saw_chain && saw_wallet) << s->DebugString();

  chains_.Set("devnet", ChainInfo{"http://node", "", "65535", ""});
  heads_.Set("http://node", 5);
  balances_.Set("core", Balances{"0xabc", "1", "2", "3", "0"});
  monitor_->RunRound();
  s = monitor_->GetStatus("p1");
  EXPECT_EQ(s->overall(), v1::HEALTH_OK) << s->DebugString();
}

// /metrics is no address book: wallets appear by role (the lowest balance,
// the worst status, how many), never by name or address.
TEST_F(MonitorTest, WalletGaugesAreByRoleWithoutNamesOrAddresses) {
  PoolEndpoints t = Pool("p1");
  t.set_chain("devnet");
  v1::WalletTarget* sched = t.add_wallets();
  sched->set_name("alice-scheduler");
  sched->set_role("scheduler");
  const std::string kWorkerA = "0x00000000000000000000000000000000000000a1";
  const std::string kWorkerB = "0x00000000000000000000000000000000000000b2";
  for (const std::string& w : {kWorkerA, kWorkerB}) {
    v1::WalletTarget* worker = t.add_wallets();
    worker->set_name(w);
    worker->set_role("worker");
  }
  chains_.Set("devnet", ChainInfo{"http://node", "", "65535", ""});
  heads_.Set("http://node", 5);
  balances_.Set("alice-scheduler",
                Balances{"0x00000000000000000000000000000000000000c3", "7", "8",
                         "9", "1"});
  balances_.Set(kWorkerA, Balances{kWorkerA, "50", "0", "0", "0"});
  balances_.Set(kWorkerB, Balances{kWorkerB, "20", "0", "0", "0"});
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  monitor_->RunRound();
  std::string text = Exposition();
  EXPECT_THAT(text, HasSubstr("iexec_wallet_native_wei{pool=\"p1\",role="
                              "\"worker\"} 20"));
  EXPECT_THAT(text, HasSubstr("iexec_wallet_stake_nrlc{pool=\"p1\",role="
                              "\"scheduler\"} 9"));
  EXPECT_THAT(text, HasSubstr("iexec_wallets{pool=\"p1\",role=\"worker\"} 2"));
  EXPECT_THAT(text, HasSubstr("poolops_monitor_component_status{component="
                              "\"wallet/scheduler\",pool=\"p1\"}"));
  EXPECT_THAT(text, Not(HasSubstr("alice")));
  EXPECT_THAT(text, Not(HasSubstr("0x")));
  // poolctl status keeps the details.
  auto s = monitor_->GetStatus("p1");
  ASSERT_TRUE(s.ok());
  bool named = false;
  for (const auto& c : s->components()) {
    named = named || c.name() == "wallet/alice-scheduler";
  }
  EXPECT_TRUE(named) << s->DebugString();
}

// A 9.x pool's config server: checked against the chain chain-gateway
// knows (its hub too, so the gateway is asked even when the targets give
// the RPC and chain id), in the status, the watch and /metrics.
TEST_F(MonitorTest, ConfigServerIsWatchedAgainstThePoolsChain) {
  const std::string kHub = "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";
  auto config = [](int chain_id, const std::string& hub) {
    return Answer(200, absl::StrCat(R"({"chainId":)", chain_id,
                                    R"(,"sidechain":false,)"
                                    R"("chainNodeUrl":"http://node",)"
                                    R"("iexecHubContractAddress":")",
                                    hub, R"(","blockTime":"PT1S"})"));
  };
  PoolEndpoints t = Pool("p1");
  t.set_chain("devnet");
  t.set_rpc("http://node");
  t.set_chain_id("65535");
  t.set_config_server("http://core:8888");
  chains_.Set("devnet", ChainInfo{"http://node", "", "65535", kHub});
  heads_.Set("http://node", 5);
  http_.Set("http://core:8888/config/chain", config(65535, kHub));
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  auto changes = monitor_->Watch("p1", /*changes_only=*/true);
  ASSERT_TRUE(changes.ok());
  v1::PoolStatus s;
  ASSERT_TRUE((*changes)->Next(&s, absl::ZeroDuration()));
  EXPECT_EQ(s.overall(), v1::HEALTH_OK) << s.DebugString();
  auto find = [](const v1::PoolStatus& status) -> v1::Component {
    for (const v1::Component& c : status.components()) {
      if (c.name() == "config-server") return c;
    }
    return v1::Component();
  };
  EXPECT_EQ(find(s).status(), v1::HEALTH_OK) << s.DebugString();
  EXPECT_THAT(Exposition(),
              HasSubstr("poolops_monitor_component_status{component="
                        "\"config-server\",pool=\"p1\"} 0"));

  // The file changed under nginx: another hub. The pool is down, the watch
  // says so, and so does /metrics.
  http_.Set("http://core:8888/config/chain",
            config(65535, "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"));
  monitor_->RunRound();
  ASSERT_TRUE((*changes)->Next(&s, absl::ZeroDuration()));
  EXPECT_EQ(s.overall(), v1::HEALTH_DOWN);
  EXPECT_THAT(find(s).detail(),
              HasSubstr(absl::StrCat(
                  "but the pool's chain devnet is 65535 hub ", kHub)));
  std::string text = Exposition();
  EXPECT_THAT(text, HasSubstr("poolops_monitor_component_status{component="
                              "\"config-server\",pool=\"p1\"} 2"));
  EXPECT_THAT(text, HasSubstr("probe_success{component=\"config-server\","
                              "pool=\"p1\"} 1"));

  // Gone: down, and the probe failed.
  http_.Set("http://core:8888/config/chain", Refused());
  monitor_->RunRound();
  EXPECT_THAT(find(*monitor_->GetStatus("p1")).detail(),
              HasSubstr("cannot read their chain"));
  EXPECT_THAT(Exposition(), HasSubstr("probe_success{component=\"config-"
                                      "server\",pool=\"p1\"} 0"));
}

TEST_F(MonitorTest, ProbeReadsJsonFieldsOfAnyCoreVersion) {
  http_.Set("http://core9/metrics",
            Answer(200, R"({"aliveWorkers":3,"aliveRegisteredCpu":8})"));
  v1::ProbeSpec spec;
  spec.set_prober(v1::ProbeSpec::PROBER_HTTP);
  spec.set_target("http://core9/metrics");
  spec.add_json_fields("aliveWorkers");
  spec.add_json_fields("aliveTotalCpu");
  v1::ProbeResult r = monitor_->Probe(spec);
  EXPECT_TRUE(r.probe_success()) << r.DebugString();
  EXPECT_EQ(r.values().at("aliveTotalCpu"), "8");

  spec.set_fail_if_body_not_matches_regexp("aliveWorkers\":[1-9]");
  EXPECT_TRUE(monitor_->Probe(spec).probe_success());
  spec.set_fail_if_body_not_matches_regexp("nope");
  EXPECT_EQ(monitor_->Probe(spec).probe_failed_due_to(), "regexp");

  spec.set_target("http://nowhere/metrics");
  r = monitor_->Probe(spec);
  EXPECT_FALSE(r.probe_success());
  EXPECT_EQ(r.probe_failed_due_to(), "connection refused");
}

// Pool p1 with a workerpool on chain "devnet", probed once, its history
// (SomeStats) read once.
void MonitorTest::PoolWithHistory() {
  PoolEndpoints t = Pool("p1");
  t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  t.set_chain("devnet");
  chains_.Set("devnet",
              ChainInfo{"http://node", "", "65535",
                        "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", 0});
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  monitor_->RunRound();
  history_.SetStats(SomeStats("p1"));
  monitor_->SyncHistories();
}

TEST_F(MonitorTest, PoolStatsReadTheHistoryOfThePoolsChainAndWindow) {
  PoolEndpoints t = Pool("p1");
  t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  t.set_chain("devnet");
  chains_.Set("devnet",
              ChainInfo{"http://node", "http://market", "65535",
                        "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", 3});
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  history_.SetStats(SomeStats("p1"));
  absl::StatusOr<PoolStats> all =
      monitor_->GetPoolStats("", absl::ZeroDuration());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->deals, 4u);
  absl::StatusOr<PoolStats> day = monitor_->GetPoolStats("p1", absl::Hours(24));
  ASSERT_TRUE(day.ok()) << day.status();
  ASSERT_EQ(history_.sources().size(), 2u);
  const HistorySource source = history_.sources()[0];
  EXPECT_EQ(source.pool, "p1");
  EXPECT_EQ(source.chain_id, "65535");
  EXPECT_EQ(source.workerpool.ToChecksum(),
            "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  EXPECT_EQ(source.hub.ToChecksum(),
            "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  EXPECT_EQ(source.confirmations, 3u);
  EXPECT_EQ(history_.rpcs()[0], "http://node");
  EXPECT_EQ(history_.min_times(),
            (std::vector<uint64_t>{0, 0, 0, 1'700'000'000 - 24 * 3600}));
}

TEST_F(MonitorTest, PoolStatsNameWhatIsMissing) {
  PoolEndpoints t = Pool("p1");
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  EXPECT_EQ(
      monitor_->GetPoolStats("p1", absl::ZeroDuration()).status().message(),
      "pool p1 has no workerpool address in its targets (pool up sets "
      "it; monitor add-pool --workerpool)");
  t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  t.set_chain("nowhere");
  ASSERT_TRUE(monitor_->SetPool(t).ok());
  EXPECT_EQ(
      monitor_->GetPoolStats("p1", absl::ZeroDuration()).status().message(),
      "pool p1: cannot resolve chain nowhere: chain-gateway is not running");
  EXPECT_TRUE(absl::IsNotFound(
      monitor_->GetPoolStats("p2", absl::ZeroDuration()).status()));
  EXPECT_TRUE(history_.sources().empty());
}

// The exposition, pool gauges and history counters included, is what
// Prometheus' own checker accepts (promtool check metrics: no gauge named
// *_total, counters named *_total, help on every metric).
TEST_F(MonitorTest, ExpositionPassesPromtool) {
  if (::access("/usr/bin/promtool", X_OK) != 0)
    POOLOPS_MISSING_TOOL(
        "promtool not installed (scripts/lib.sh installs prometheus)");
  PoolWithHistory();
  if (HasFatalFailure()) return;
  const std::string text = Exposition();
  EXPECT_THAT(text, HasSubstr("iexec_pool_deals_total{pool=\"p1\"} 4"));
  EXPECT_THAT(
      text,
      HasSubstr("iexec_pool_tasks_total{pool=\"p1\",state=\"completed\"} 3"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "iexec_pool_earned_nrlc_total{pool=\"p1\",role=\"workers\"} 297"));
  EXPECT_THAT(text, HasSubstr("iexec_pool_tasks_running{pool=\"p1\"} 2"));
  EXPECT_THAT(
      text, HasSubstr("iexec_pool_worker_earned_nrlc_total{pool=\"p1\",worker="
                      "\"0x00000000000000000000000000000000000000b1\"} 198"));
  absl::StatusOr<proc::RunResult> check = proc::ProcessRunner::Real()->Run(
      {"/usr/bin/promtool", "check", "metrics"}, {.input = text});
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->exit_code, 0) << check->output << check->error;
  // Counters follow the totals and never go down.
  PoolStats fewer = SomeStats("p1");
  fewer.deals = 2;
  history_.SetStats(fewer);
  monitor_->SyncHistories();
  EXPECT_THAT(Exposition(), HasSubstr("iexec_pool_deals_total{pool=\"p1\"} 4"));
  ASSERT_TRUE(monitor_->RemovePool("p1").ok());
  EXPECT_THAT(Exposition(), Not(HasSubstr("pool=\"p1\"")));
}

// The Grafana dashboard shipped for operators who run Grafana already
// (grafana/poolops-pool.json) names only metrics this monitor exports, and
// has the shape Grafana imports (a Prometheus datasource input, panels with
// positions and queries, the pool variable).
TEST_F(MonitorTest, GrafanaDashboardNamesOnlyExportedMetrics) {
  PoolWithHistory();
  if (HasFatalFailure()) return;
  // Every family the monitor registers, with series now or not; the ones
  // with series are in the exposition.
  const std::vector<std::string> names = MonitorMetrics::Names();
  const std::set<std::string> exported(names.begin(), names.end());
  for (const prometheus::MetricFamily& f : registry_->Collect())
    EXPECT_TRUE(exported.count(f.name) || f.name == "poolops_service_info")
        << f.name << " is exported but not in MonitorMetrics::Names()";
  ASSERT_TRUE(exported.count("iexec_pool_deals_total"));

  std::ifstream in(POOLOPS_GRAFANA_DASHBOARD);
  ASSERT_TRUE(in.good()) << POOLOPS_GRAFANA_DASHBOARD;
  nlohmann::json d = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d["__inputs"][0]["pluginId"], "prometheus");
  std::vector<std::string> exprs = {
      d["templating"]["list"][0]["definition"].get<std::string>()};
  ASSERT_GE(d["panels"].size(), 10u);
  for (const nlohmann::json& p : d["panels"]) {
    EXPECT_TRUE(p.contains("gridPos") && p.contains("title")) << p.dump();
    EXPECT_EQ(p["datasource"]["uid"], "${DS_PROMETHEUS}");
    ASSERT_FALSE(p["targets"].empty()) << p["title"];
    for (const nlohmann::json& target : p["targets"])
      exprs.push_back(target["expr"].get<std::string>());
  }
  const std::regex metric("(iexec|poolops|probe)_[a-z_]+");
  size_t named = 0;
  for (const std::string& expr : exprs) {
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), metric);
         it != std::sregex_iterator(); ++it) {
      ++named;
      EXPECT_TRUE(exported.count(it->str())) << it->str() << " in " << expr;
    }
  }
  EXPECT_GE(named, 20u);
}

}  // namespace
}  // namespace poolops::monitor
