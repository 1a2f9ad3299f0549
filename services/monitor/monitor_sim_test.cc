// The monitor against the devnet's stack simulators for real: a core, an
// adapter, grafana and three workers as poolops-stack-sim processes on
// loopback, a JSON-RPC node and a market answering over HTTP. Workers going
// down and up change the status within one interval.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>

#include "nlohmann/json.hpp"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/integration_test_support.h"
#include "services/monitor/dashboard/dashboard_server.h"
#include "services/monitor/monitor.h"
#include "tests/browser/headless_chromium.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;
using namespace poolops::monitor::testing;

constexpr char kWorkerpool[] = "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db";

// eth_blockNumber and the workerpool orderbook, as a node and the market
// answer them.
class ChainAndMarket {
 public:
  ChainAndMarket() {
    server_.Post(
        "/rpc", [this](const httplib::Request& req, httplib::Response& res) {
          auto j = nlohmann::json::parse(req.body, nullptr, false);
          nlohmann::json reply = {{"jsonrpc", "2.0"},
                                  {"id", j.is_object() ? j["id"] : nullptr}};
          reply["result"] = "0x7b";  // 123
          res.set_content(reply.dump(), "application/json");
        });
    server_.Get("/workerpoolorders", [](const httplib::Request& req,
                                        httplib::Response& res) {
      bool mine = req.get_param_value("workerpool") == kWorkerpool &&
                  req.get_param_value("chainId") == "65535";
      res.set_content(
          mine
              ? R"({"ok":true,"count":1,"orders":[{"orderHash":"0x1","remaining":6,"status":"open","order":{"workerpoolprice":100}}]})"
              : R"({"ok":true,"count":0,"orders":[]})",
          "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~ChainAndMarket() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

const v1::Component* Find(const v1::PoolStatus& s, const std::string& name) {
  for (const auto& c : s.components()) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

class MonitorSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           (std::string("mon-sim-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    core_port_ = FreePort();
    core_ = StartSim("core", {"IEXEC_CORE_PORT=" + std::to_string(core_port_),
                              "POOLOPS_SIM_VERSION=7.1.0"});
    adapter_port_ = FreePort();
    adapter_ = StartSim(
        "blockchain-adapter",
        {"IEXEC_BLOCKCHAIN_ADAPTER_API_PORT=" + std::to_string(adapter_port_),
         "IEXEC_BLOCKCHAIN_ADAPTER_API_CHAIN_ID=65535"});
    grafana_port_ = FreePort();
    grafana_ = StartSim(
        "grafana", {"GF_SERVER_HTTP_PORT=" + std::to_string(grafana_port_)});
    for (int i = 1; i <= 3; ++i) {
      worker_ports_[i] = FreePort();
      workers_[i] = StartWorker(dir_.string(), core_port_, i, worker_ports_[i]);
    }
  }

  void TearDown() override {
    for (pid_t pid : workers_) Stop(pid);
    Stop(core_);
    Stop(adapter_);
    Stop(grafana_);
  }

  std::string Local(int port) const {
    return "http://127.0.0.1:" + std::to_string(port);
  }

  PoolEndpoints Endpoints() const {
    PoolEndpoints t;
    t.set_pool("sim");
    t.set_core(Local(core_port_));
    for (int i = 1; i <= 3; ++i) {
      auto* w = t.add_workers();
      w->set_name("worker-" + std::to_string(i));
      w->set_health_url(Local(worker_ports_[i]) + "/actuator/health");
    }
    t.set_adapter(Local(adapter_port_));
    t.set_grafana(Local(grafana_port_));
    t.set_rpc(chain_.Url("/rpc"));
    t.set_market(chain_.Url());
    t.set_chain_id("65535");
    t.set_workerpool(kWorkerpool);
    auto* wallet = t.add_wallets();
    wallet->set_name("core");
    wallet->set_role("scheduler");
    return t;
  }

  std::filesystem::path dir_;
  ChainAndMarket chain_;
  int core_port_ = 0, adapter_port_ = 0, grafana_port_ = 0;
  pid_t core_ = 0, adapter_ = 0, grafana_ = 0;
  pid_t workers_[4] = {0, 0, 0, 0};
  int worker_ports_[4] = {0, 0, 0, 0};
};

// Next status from `watch` whose overall state is `want`, within `limit`.
std::optional<v1::PoolStatus> WaitStatus(StatusWatch& watch, v1::Health want,
                                         absl::Duration limit) {
  absl::Time end = absl::Now() + limit;
  v1::PoolStatus s;
  while (absl::Now() < end) {
    if (watch.Next(&s, end - absl::Now()) && s.overall() == want) return s;
  }
  return std::nullopt;
}

TEST_F(MonitorSimTest, WorkersGoingDownAndUpChangeTheStatusWithinOneInterval) {
  auto http = NewCurlHttpProber();
  auto heads = NewRpcChainHeadSource();
  FakeChainResolver chains;
  FakeBalanceSource balances;
  balances.Set("core", Balances{"0xabc", "0", "0", "1000", "0"});
  EndpointsStore store(dir_ / "monitor" / "targets.json");
  MonitorOptions options;
  options.interval = absl::Milliseconds(500);
  options.probe_timeout = absl::Milliseconds(300);
  auto monitor =
      Monitor::Create(options, {&store, http.get(), heads.get(), &chains,
                                &balances, Clock::Real(), nullptr});
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  ASSERT_TRUE((*monitor)->SetPool(Endpoints()).ok());
  auto watch = (*monitor)->Watch("sim", /*changes_only=*/true);
  ASSERT_TRUE(watch.ok());
  (*monitor)->Start();

  // Everything comes up: the workers ping, their health endpoints answer.
  std::optional<v1::PoolStatus> ok =
      WaitStatus(**watch, v1::HEALTH_OK, absl::Seconds(15));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(Find(*ok, "workers")->detail(), "3 of 3 workers alive");
  EXPECT_EQ(Find(*ok, "core")->values().at("aliveTotalCpu"), "6");
  EXPECT_THAT(Find(*ok, "blockchain-adapter")->detail(),
              HasSubstr("chain 65535"));
  EXPECT_EQ(Find(*ok, "grafana")->status(), v1::HEALTH_OK);
  EXPECT_EQ(Find(*ok, "chain")->values().at("headBlock"), "123");
  EXPECT_EQ(Find(*ok, "market")->values().at("openVolume"), "6");
  EXPECT_EQ(Find(*ok, "wallet/core")->values().at("requiredStake"), "180");

  // worker-2 stops: the next round sees it (its health endpoint is gone
  // even though the core counts it for another minute).
  absl::Time stopped = absl::Now();
  Stop(workers_[2]);
  workers_[2] = 0;
  std::optional<v1::PoolStatus> degraded =
      WaitStatus(**watch, v1::HEALTH_DEGRADED, absl::Seconds(5));
  ASSERT_TRUE(degraded.has_value());
  absl::Duration took = absl::Now() - stopped;
  std::printf("status changed %s after the worker stopped (interval %s)\n",
              absl::FormatDuration(took).c_str(),
              absl::FormatDuration(options.interval).c_str());
  // How soon is measured (printed), not asserted: a busy machine may take
  // a round longer, and the wait above already bounds it.
  EXPECT_THAT(Find(*degraded, "workers")->detail(),
              HasSubstr("worker-2 not answering"));
  EXPECT_EQ(Find(*degraded, "worker/worker-2")->status(), v1::HEALTH_DEGRADED);

  // It comes back on the same port.
  workers_[2] = StartWorker(dir_.string(), core_port_, 2, worker_ports_[2]);
  std::optional<v1::PoolStatus> back =
      WaitStatus(**watch, v1::HEALTH_OK, absl::Seconds(5));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(Find(*back, "workers")->detail(), "3 of 3 workers alive");

  // The core stops: down.
  Stop(core_);
  core_ = 0;
  std::optional<v1::PoolStatus> down =
      WaitStatus(**watch, v1::HEALTH_DOWN, absl::Seconds(5));
  ASSERT_TRUE(down.has_value());
  EXPECT_THAT(Find(*down, "core")->detail(), HasSubstr("connection refused"));
  (*monitor)->Stop();
}

TEST_F(MonitorSimTest, WithoutWorkerEndpointsTheCoreCountSpeaks) {
  auto http = NewCurlHttpProber();
  auto heads = NewRpcChainHeadSource();
  FakeChainResolver chains;
  FakeBalanceSource balances;
  EndpointsStore store(dir_ / "monitor2" / "targets.json");
  MonitorOptions options;
  options.interval = absl::Seconds(2);
  options.probe_timeout = absl::Milliseconds(500);
  auto monitor =
      Monitor::Create(options, {&store, http.get(), heads.get(), &chains,
                                &balances, Clock::Real(), nullptr});
  ASSERT_TRUE(monitor.ok());
  PoolEndpoints t;
  t.set_pool("count-only");
  t.set_core(Local(core_port_));
  t.set_expected_workers(4);
  ASSERT_TRUE((*monitor)->SetPool(t).ok());
  std::optional<v1::PoolStatus> s;
  ASSERT_TRUE(WaitFor(
      [&] {
        (*monitor)->RunRound();
        s = *(*monitor)->GetStatus("count-only");
        const v1::Component* w = Find(*s, "workers");
        // Absent until the core has answered once (a slow first round).
        if (w == nullptr) return false;
        auto alive = w->values().find("aliveWorkers");
        return alive != w->values().end() && alive->second == "3";
      },
      std::chrono::seconds(15)));
  EXPECT_EQ(s->overall(), v1::HEALTH_DEGRADED);
  EXPECT_THAT(Find(*s, "workers")->detail(),
              HasSubstr("3 of 4 workers alive (the core counts them"));
  // The 7.1 simulator serves actuator health on its main port, as 7.3+.
  EXPECT_EQ(Find(*s, "core/health")->status(), v1::HEALTH_OK);
}

}  // namespace
}  // namespace poolops::monitor

namespace poolops::monitor {
namespace {

using namespace poolops::monitor::testing;

// The status page in a real browser (headless Chromium): the pool's
// components, its workers and its numbers as the monitor has them, and
// the page following a worker that stops, live (server-sent events). A
// screenshot is left in the test's output folder.
TEST_F(MonitorSimTest, StatusPageInABrowserShowsThePoolAndFollowsAWorkerStopping) {
  auto http = NewCurlHttpProber();
  auto heads = NewRpcChainHeadSource();
  FakeChainResolver chains;
  chains.Set("sim", ChainInfo{chain_.Url("/rpc"), chain_.Url(), "65535",
                              "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", 0});
  FakeBalanceSource balances;
  balances.Set("core", Balances{"0xabc", "0", "0", "1000", "0"});
  FakeHistoryReader history;
  PoolStats stats = SomeStats("sim");
  // The last day, an hour a slice.
  const uint64_t day_ago = absl::ToUnixSeconds(absl::Now()) - 24 * 3600;
  for (uint64_t i = 0; i < kTimelinePoints; ++i)
    stats.timeline.push_back({day_ago + 3600 * i, i % 3 == 0 ? 1u : 0u,
                              i == 20 ? 1u : 0u, i % 3 == 0 ? "100" : "0",
                              i == 20 ? "30" : "0"});
  history.SetStats(stats);
  EndpointsStore store(dir_ / "monitor" / "targets.json");
  MonitorOptions options;
  options.interval = absl::Milliseconds(500);
  options.probe_timeout = absl::Milliseconds(300);
  MonitorDeps deps{&store, http.get(), heads.get(), &chains, &balances,
                   Clock::Real(), nullptr};
  deps.history = &history;
  auto monitor = Monitor::Create(options, deps);
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  PoolEndpoints t = Endpoints();
  t.set_chain("sim");
  ASSERT_TRUE((*monitor)->SetPool(t).ok());
  (*monitor)->Start();
  auto page = DashboardServer::Start(monitor->get(), nullptr, {});
  ASSERT_TRUE(page.ok()) << page.status();

  auto browser = poolops::test::HeadlessChromium::Launch(dir_ / "chromium");
  ASSERT_TRUE(browser.ok()) << browser.status();
  auto& b = **browser;
  // The list first: one pool, a link to its page.
  ASSERT_TRUE(b.Open((*page)->url()).ok());
  auto link = b.WaitFor(
      "document.querySelector('#pools tr[data-pool=\"sim\"] a')?.getAttribute('href')",
      absl::Seconds(20));
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(*link, "/pools/sim");

  ASSERT_TRUE(b.Open((*page)->url() + "pools/sim").ok());
  auto ok = b.WaitFor(
      "document.querySelector('#workers-alive')?.textContent === '3' && "
      "document.querySelector('#deals') && "
      "document.querySelector('#live').textContent === 'live'",
      absl::Seconds(30));
  ASSERT_TRUE(ok.ok()) << ok.status();
  auto text = [&](const std::string& selector, const std::string& what =
                                                   "textContent") {
    absl::StatusOr<nlohmann::json> v =
        b.Eval("document.querySelector('" + selector + "')?." + what);
    return v.ok() && v->is_string() ? v->get<std::string>() : std::string("?");
  };
  EXPECT_EQ(text("#overall"), "ok");
  EXPECT_EQ(text("#workers-expected"), "3");
  EXPECT_EQ(text("tr[data-component=\"core\"]", "dataset.status"), "ok");
  EXPECT_EQ(text("#market-volume"), "6");
  EXPECT_EQ(text("#chain-head"), "123");
  // The numbers of `pool stats`, amounts shown in RLC, exact in nRLC.
  EXPECT_EQ(text("#deals"), "4");
  EXPECT_EQ(text("#tasks-completed"), "3");
  EXPECT_EQ(text("#tasks-failed"), "1");
  EXPECT_EQ(text("#tasks-running"), "2");
  EXPECT_EQ(text("#earned-workers", "dataset.value"), "297");
  EXPECT_EQ(text("#earned-workers"), "0.000000297 RLC");
  EXPECT_EQ(text("#seized", "dataset.value"), "30");
  EXPECT_EQ(text("#gas", "dataset.value"), "123456");
  EXPECT_EQ(text("tr[data-address=\"0x00000000000000000000000000000000000000B1\"] td"),
            "0x00000000000000000000000000000000000000B1");
  auto bars = b.Eval("document.querySelectorAll('#chart-tasks rect.completed').length");
  ASSERT_TRUE(bars.ok());
  EXPECT_EQ(*bars, 8);
  EXPECT_EQ(text("#revisions-error"),
            "revisions unavailable: this monitor does not reach the orchestrator");
  const std::filesystem::path shot =
      std::filesystem::path(::testing::TempDir()) / "status-page.png";
  ASSERT_TRUE(b.Screenshot(shot).ok());
  EXPECT_GT(std::filesystem::file_size(shot), 10000u);
  std::printf("status page screenshot: %s\n", shot.c_str());
  std::fflush(stdout);  // before a worker is started again (fork)

  // worker-2 stops: the open page shows it, without a reload.
  auto updates = b.Eval("Number(document.body.dataset.updates)");
  ASSERT_TRUE(updates.ok());
  Stop(workers_[2]);
  workers_[2] = 0;
  auto degraded = b.WaitFor(
      "document.querySelector('tr[data-worker=\"worker-2\"]')?.dataset.status "
      "=== 'degraded' && document.querySelector('#overall').textContent",
      absl::Seconds(20));
  ASSERT_TRUE(degraded.ok()) << degraded.status();
  EXPECT_EQ(*degraded, "degraded");
  EXPECT_THAT(text("#workers-detail"), HasSubstr("worker-2 not answering"));
  auto later = b.Eval("Number(document.body.dataset.updates)");
  ASSERT_TRUE(later.ok());
  EXPECT_GT(later->get<int>(), updates->get<int>());
  ASSERT_TRUE(b.Screenshot(std::filesystem::path(::testing::TempDir()) /
                           "status-page-degraded.png")
                  .ok());
  (*page)->Stop();
  (*monitor)->Stop();
}

}  // namespace
}  // namespace poolops::monitor
