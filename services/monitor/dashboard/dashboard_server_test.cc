// The status page's server over loopback, against a Monitor driven by
// fakes: the page and its files under a strict policy, the /api answers
// (status, stats as `pool stats` names them, revisions), what it refuses
// (other Host names, bodies, non-loopback listening, too many streams),
// live updates as server-sent events, and no secret in what it shows.
#include "services/monitor/dashboard/dashboard_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/monitor_test_fixture.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

class FakeRevisions : public RevisionSource {
 public:
  absl::StatusOr<std::vector<RevisionSummary>> Revisions(
      const std::string& pool) override {
    if (pool != "p1") return absl::NotFoundError("no pool " + pool);
    return std::vector<RevisionSummary>{
        {1, "2026-12-01T10:00:00Z", "applied", ""},
        {2, "2026-12-02T10:00:00Z", "failed",
         "chain https://user:pw@rpc.example/v3/SECRETKEY refused"}};
  }
};

class DashboardServerTest : public MonitorFixture {
 protected:
  void SetUp() override {
    MonitorFixture::SetUp();
    monitor_ = NewMonitor(nullptr);
    ASSERT_NE(monitor_, nullptr);
    PoolEndpoints t;
    t.set_pool("p1");
    t.set_core("http://core:7001");
    t.add_workers()->set_name("w1");
    t.add_workers()->set_name("w2");
    t.set_workerpool("0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
    t.set_chain("devnet");
    chains_.Set("devnet",
                ChainInfo{"http://node", "", "65535",
                          "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", 0});
    ASSERT_TRUE(monitor_->SetPool(t).ok());
  }

  void Serve(DashboardOptions options = {}) {
    auto s = DashboardServer::Start(monitor_.get(), &revisions_, options);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    ASSERT_EQ(server_->url().rfind("http://127.0.0.1:", 0), 0u)
        << server_->url();
    port_ = std::stoi(server_->url().substr(17));
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }

  json GetJson(const std::string& path, int want = 200) {
    httplib::Client c = Client();
    httplib::Result r = c.Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return json::parse(r->body, nullptr, false);
  }

  FakeRevisions revisions_;
  std::unique_ptr<Monitor> monitor_;
  std::unique_ptr<DashboardServer> server_;
  int port_ = 0;
};

TEST_F(DashboardServerTest, ServesThePageAndItsFilesUnderAStrictPolicy) {
  Serve();
  httplib::Client c = Client();
  for (const char* path : {"/", "/pools/p1"}) {
    httplib::Result r = c.Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_THAT(r->body, HasSubstr(R"(<script src="/app.js" defer></script>)"));
    // Nothing from outside: every reference is to this origin.
    EXPECT_THAT(r->body, Not(HasSubstr("http")));
    const std::string csp = r->get_header_value("Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
    EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  }
  httplib::Result js = c.Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_THAT(js->body, HasSubstr("EventSource"));
  EXPECT_THAT(js->body, Not(HasSubstr("innerHTML")));
  httplib::Result css = c.Get("/style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(c.Get("/etc/passwd")->status, 404);
  EXPECT_EQ(c.Get("/pools/../app.js")->status, 404);  // not a pool's page
}

TEST_F(DashboardServerTest, AnswersStatusStatsAndRevisions) {
  PoolStats stats = SomeStats("p1");
  stats.timeline.push_back({1000, 2, 1, "200", "30"});
  history_.SetStats(stats);
  Serve();

  json pools = GetJson("/api/pools");
  ASSERT_EQ(pools["pools"].size(), 1u) << pools;
  EXPECT_EQ(pools["pools"][0]["name"], "p1");
  EXPECT_EQ(pools["pools"][0]["overall"],
            v1::Health_Name(monitor_->GetStatus("p1")->overall()));
  EXPECT_EQ(pools["pools"][0]["workers"], "2 of 2 workers alive");

  json status = GetJson("/api/pools/p1")["status"];
  EXPECT_EQ(status["pool"], "p1");
  bool saw_workers = false;
  for (const json& c : status["components"]) {
    EXPECT_FALSE(c.contains("probes")) << c;  // the evidence stays in the API
    if (c["name"] == "workers") {
      saw_workers = true;
      EXPECT_EQ(c["values"]["aliveWorkers"], "2");
    }
  }
  EXPECT_TRUE(saw_workers) << status;

  json s = GetJson("/api/pools/p1/stats")["stats"];
  EXPECT_EQ(s["deals"], 4);
  EXPECT_EQ(s["tasks"],
            json({{"completed", 3}, {"failed", 1}, {"running", 2}}));
  EXPECT_EQ(s["earned"], json({{"scheduler", "3"}, {"workers", "297"}}));
  EXPECT_EQ(s["seized"], "30");
  EXPECT_EQ(s["gasSpent"], "123456");
  EXPECT_EQ(s["workerpool"], "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  EXPECT_EQ(s["workers"][0]["address"],
            "0x00000000000000000000000000000000000000B1");
  EXPECT_EQ(s["workers"][0]["earned"], "198");
  EXPECT_EQ(s["timeline"][0], json({{"time", 1000},
                                    {"completed", 2},
                                    {"failed", 1},
                                    {"earned", "200"},
                                    {"seized", "30"}}));

  json r = GetJson("/api/pools/p1/revisions")["revisions"];
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1]["outcome"], "failed");
  // The node's key in its URL does not reach the page.
  EXPECT_EQ(r[1]["message"], "chain https://rpc.example/… refused");

  EXPECT_THAT(GetJson("/api/pools/nosuch", 404)["error"].get<std::string>(),
              HasSubstr("no pool nosuch"));
  GetJson("/api/pools/bad%20name", 404);
  PoolEndpoints bare;
  bare.set_pool("p2");
  bare.set_core("http://core:7001");
  ASSERT_TRUE(monitor_->SetPool(bare).ok());
  EXPECT_THAT(GetJson("/api/pools/p2/stats", 409)["error"].get<std::string>(),
              HasSubstr("pool p2 has no workerpool address"));
}

TEST_F(DashboardServerTest, RefusesOtherHostNamesBodiesAndPublicListening) {
  Serve();
  httplib::Client c = Client();
  // DNS rebinding: a page of evil.example whose name now resolves to
  // 127.0.0.1 still sends its own Host.
  httplib::Result r = c.Get("/api/pools", {{"Host", "evil.example"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = c.Get("/api/pools", {{"Host", "localhost:" + std::to_string(port_)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Post("/api/pools", std::string(4096, 'x'), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);

  DashboardOptions open;
  open.listen = "0.0.0.0:0";
  auto refused = DashboardServer::Start(monitor_.get(), nullptr, open);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_THAT(refused.status().message(), HasSubstr("--dashboard-public"));
  open.listen = "127.0.0.1";
  EXPECT_TRUE(absl::IsInvalidArgument(
      DashboardServer::Start(monitor_.get(), nullptr, open).status()));
  // Taken port: a clear error.
  open.listen = "127.0.0.1:" + std::to_string(port_);
  auto taken = DashboardServer::Start(monitor_.get(), nullptr, open);
  EXPECT_TRUE(absl::IsUnavailable(taken.status())) << taken.status();
}

TEST_F(DashboardServerTest, StreamsEachRoundAsServerSentEventsUpToALimit) {
  DashboardOptions options;
  options.max_streams = 1;
  options.keepalive = absl::Milliseconds(100);
  Serve(options);

  absl::Notification first, second;
  std::string seen;
  absl::Mutex mu;
  std::thread reader([&] {
    httplib::Client c = Client();
    c.Get("/api/pools/p1/events", [&](const char* data, size_t n) {
      absl::MutexLock lock(&mu);
      seen.append(data, n);
      size_t events = 0;
      for (size_t at = seen.find("event: status"); at != std::string::npos;
           at = seen.find("event: status", at + 1))
        ++events;
      if (events >= 1 && !first.HasBeenNotified()) first.Notify();
      if (events >= 2) {
        second.Notify();
        return false;  // the page goes away
      }
      return true;
    });
  });
  ASSERT_TRUE(first.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // One stream only: another page is told to come back later.
  httplib::Client c = Client();
  httplib::Result busy = c.Get("/api/pools/p1/events");
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);

  // The core goes down: the next round reaches the page.
  http_.Set("http://core:7001/metrics", Refused());
  http_.Set("http://core:7001/actuator/health", Refused());
  monitor_->RunRound();
  ASSERT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(10)));
  reader.join();
  {
    absl::MutexLock lock(&mu);
    EXPECT_THAT(seen, HasSubstr("data: {"));
    EXPECT_THAT(seen, HasSubstr("\"overall\":\"HEALTH_DOWN\""));
  }
  // The stream is released once the page went away.
  bool released = false;
  for (int i = 0; i < 100 && !released; ++i) {
    httplib::Client again = Client();
    again.set_read_timeout(0, 300000);
    std::string body;
    httplib::Result r =
        again.Get("/api/pools/p1/events", [&](const char* d, size_t n) {
          body.append(d, n);
          return false;
        });
    released = !body.empty();
    if (!released) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(released);
}

TEST(RedactUrlsTest, KeepsSchemeAndHostOnly) {
  EXPECT_EQ(RedactUrls("GET https://u:p@arb.example:8443/v2/KEY?x=1 failed"),
            "GET https://arb.example:8443/… failed");
  EXPECT_EQ(RedactUrls("http://core:7001 refused; wss://n.example/ws/KEY"),
            "http://core:7001 refused; wss://n.example/…");
  EXPECT_EQ(RedactUrls("2 of 3 workers alive"), "2 of 3 workers alive");
}

}  // namespace
}  // namespace poolops::monitor
