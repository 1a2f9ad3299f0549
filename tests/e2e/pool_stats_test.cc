// `poolctl pool stats` end to end: a devnet pool with real traffic (deals
// matched on-chain, tasks completed and one failed by its scheduler and
// workers: devnet/traffic), the suite started by poolctl in the same home,
// the pool given to the monitor by hand; the stats poolctl prints must be
// the run's and the chain's, the monitor's /metrics the same, and bad input
// a clear error.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "devnet/devnet_test_support.h"
#include "devnet/traffic/traffic_test_support.h"
#include "gtest/gtest.h"
#include "libs/common/http_client.h"
#include "tests/browser/headless_chromium.h"
#include "tests/containers/exec.h"

namespace poolops {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::Exec;
using test::Result;

class PoolStatsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (world_) Poolctl({"services", "down"});
  }
  Result Poolctl(std::vector<std::string> args) {
    args.insert(args.begin(), {POOLCTL_PATH, "--json"});
    fs::create_directories(world_->home() / "log");
    return Exec(world_->home() / "log", args,
                {{"POOLOPS_HOME", world_->home().string()}});
  }
  std::unique_ptr<devnet::testing::TrafficWorld> world_;
};

TEST_F(PoolStatsTest, StatsOfADevnetPoolWithTraffic) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  world_ = std::make_unique<devnet::testing::TrafficWorld>();
  ASSERT_TRUE(world_->Start(devnet::Flavour::kNative, /*price=*/100).ok());
  devnet::TrafficPlan plan;
  plan.order = world_->order();
  plan.deals = 3;
  plan.fail = 1;
  ASSERT_TRUE(world_->NewTraffic()->Run(plan).ok());

  Result r = Poolctl({"services", "up"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string workerpool = world_->workerpool().ToChecksum();
  r = Poolctl({"monitor", "add-pool", "p1", "--core", "http://127.0.0.1:9",
               "--chain", "devnet", "--workerpool", workerpool});
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  r = Poolctl({"pool", "stats", "p1"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const json s = r.json;  // r is reused below
  EXPECT_EQ(s["pool"], "p1");
  EXPECT_EQ(s["workerpool"], workerpool);
  EXPECT_EQ(s["deals"], 3);
  EXPECT_EQ(s["tasks"], json({{"completed", 2}, {"failed", 1}, {"running", 0}}));
  // Price 100 nRLC, the workerpool's default policies: 1% to the scheduler,
  // 99% to the worker, 30% of the price seized from the scheduler for the
  // failed task; the native devnet charges no gas.
  EXPECT_EQ(s["earned"], json({{"scheduler", "2"}, {"workers", "198"}}));
  EXPECT_EQ(s["seized"], "30");
  EXPECT_EQ(s["gasSpent"], "0");
  EXPECT_EQ(s["toBlock"], *world_->api().BlockNumber());
  EXPECT_LT(s["fromBlock"].get<uint64_t>(), s["toBlock"].get<uint64_t>());
  ASSERT_EQ(s["workers"].size(), 2u);
  for (const json& w : s["workers"]) {
    const bool first = w["address"] == world_->worker(0).ToChecksum();
    EXPECT_TRUE(first || w["address"] == world_->worker(1).ToChecksum()) << w;
    // Worker 0 ran tasks 1 and 3 (the last one failed), worker 1 task 2.
    EXPECT_EQ(w["tasks"], first ? 2 : 1) << w;
    EXPECT_EQ(w["earned"], "99") << w;
    EXPECT_EQ(w["seized"], "0") << w;
  }
  EXPECT_EQ(s.size(), 10u) << s;  // the CLI.md fields, no more

  // A window that holds the whole run (the devnet's clock ran ahead).
  r = Poolctl({"pool", "stats", "p1", "--since", "1h"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json["deals"], 3);

  // The same numbers on the monitor's /metrics.
  r = Poolctl({"services", "status"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string metrics;
  for (const json& svc : r.json["services"])
    if (svc["name"] == "monitor") metrics = svc["metrics"];
  ASSERT_FALSE(metrics.empty()) << r.out;
  http::Request get;
  get.url = metrics;
  absl::StatusOr<http::Response> page = http::NewCurlClient()->Send(get);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(absl::StrContains(page->body, "iexec_pool_deals_total{pool=\"p1\"} 3"))
      << page->body;
  EXPECT_TRUE(absl::StrContains(
      page->body, "iexec_pool_tasks_total{pool=\"p1\",state=\"failed\"} 1"));

  // The status page (services status names it) shows the same numbers in
  // a real browser.
  std::string dashboard;
  for (const json& svc : r.json["services"])
    if (svc["name"] == "monitor") dashboard = svc.value("dashboard", "");
  ASSERT_EQ(dashboard.rfind("http://127.0.0.1:", 0), 0u) << r.out;
  auto browser = test::HeadlessChromium::Launch(world_->home() / "chromium");
  ASSERT_TRUE(browser.ok()) << browser.status();
  ASSERT_TRUE((*browser)->Open(dashboard + "pools/p1").ok());
  auto shown = (*browser)->WaitFor(
      "(() => { const v = (id) => document.getElementById(id)?.dataset.value;"
      " return v('deals') && JSON.stringify({deals: v('deals'),"
      " completed: v('tasks-completed'), failed: v('tasks-failed'),"
      " running: v('tasks-running'), scheduler: v('earned-scheduler'),"
      " workers: v('earned-workers'), seized: v('seized'), gas: v('gas'),"
      " rows: document.querySelectorAll('#worker-earnings tr[data-address]')"
      ".length}); })()",
      absl::Seconds(60));
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(json::parse(shown->get<std::string>()),
            json({{"deals", s["deals"].dump()},
                  {"completed", s["tasks"]["completed"].dump()},
                  {"failed", s["tasks"]["failed"].dump()},
                  {"running", s["tasks"]["running"].dump()},
                  {"scheduler", s["earned"]["scheduler"]},
                  {"workers", s["earned"]["workers"]},
                  {"seized", s["seized"]},
                  {"gas", s["gasSpent"]},
                  {"rows", s["workers"].size()}}));
  const fs::path shot = fs::path(::testing::TempDir()) / "status-page-devnet.png";
  ASSERT_TRUE((*browser)->Screenshot(shot).ok());
  std::printf("status page of the devnet pool: %s\n", shot.c_str());
  std::fflush(stdout);  // before poolctl is forked again
  browser->reset();

  // Bad input.
  r = Poolctl({"pool", "stats", "p1", "--since", "soon"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json["error"]["message"],
            "--since soon: want a duration such as 24h, 90m, 7d or 2w");
  r = Poolctl({"pool", "stats", "nosuch"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.json["error"]["message"], "no pool nosuch monitored");
  r = Poolctl({"monitor", "add-pool", "p2", "--core", "http://127.0.0.1:9"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Poolctl({"pool", "stats", "p2"});
  EXPECT_EQ(r.code, 4);
  EXPECT_TRUE(absl::StrContains(r.json["error"]["message"].get<std::string>(),
                                "has no workerpool address"))
      << r.out;
}

}  // namespace
}  // namespace poolops
