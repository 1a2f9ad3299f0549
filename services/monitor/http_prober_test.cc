// The curl prober and the Monitor against bad targets on real loopback
// sockets: refusing connections, hanging, 5xx, garbage JSON, huge bodies,
// wrong content type. Right status, no crash, memory bounded.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/common/net.h"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/monitor.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;

// VmRSS of this process, in kB.
long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// One httplib server on a free loopback port, serving each bad behaviour on
// its own path.
class BadServer {
 public:
  BadServer() {
    server_.Get(
        "/ok/metrics", [](const httplib::Request&, httplib::Response& r) {
          r.set_content(
              R"({"aliveWorkers":1,"aliveTotalCpu":2,"aliveAvailableCpu":2})",
              "application/json");
        });
    server_.Get("/5xx/metrics",
                [](const httplib::Request&, httplib::Response& r) {
                  r.status = 503;
                  r.set_content(R"({"status":503})", "application/json");
                });
    server_.Get(
        "/garbage/metrics", [](const httplib::Request&, httplib::Response& r) {
          r.set_content("{\"aliveWorkers\": [1, 2,,, }}}", "application/json");
        });
    server_.Get(
        "/html/metrics", [](const httplib::Request&, httplib::Response& r) {
          r.set_content("<html><body>Bad Gateway</body></html>", "text/html");
        });
    // 256 MiB of JSON-looking bytes, produced as they are asked for.
    server_.Get(
        "/huge/metrics", [](const httplib::Request&, httplib::Response& r) {
          r.set_content_provider(
              size_t{256} << 20, "application/json",
              [](size_t offset, size_t length, httplib::DataSink& sink) {
                static const std::string chunk(64 << 10, ' ');
                sink.write(chunk.data(), std::min(length, chunk.size()));
                return true;
              });
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~BadServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A socket that listens but never answers: connections complete in the
// kernel's backlog and then hang.
class HangingListener {
 public:
  HangingListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~HangingListener() { ::close(fd_); }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/metrics";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

HttpProbeRequest Request(std::string url) {
  HttpProbeRequest r;
  r.url = std::move(url);
  r.timeout = absl::Milliseconds(500);
  r.max_body_bytes = 1 << 20;
  return r;
}

TEST(HttpProberTest, EachBadBehaviourHasItsReason) {
  BadServer server;
  HangingListener hanging;
  uint16_t closed_port = *net::FreeLoopbackPort();
  auto prober = NewCurlHttpProber();
  std::vector<HttpProbeRequest> requests = {
      Request(server.Url("/ok/metrics")),
      Request("http://127.0.0.1:" + std::to_string(closed_port) + "/metrics"),
      Request(hanging.Url()),
      Request(server.Url("/5xx/metrics")),
      Request(server.Url("/html/metrics")),
      Request(server.Url("/huge/metrics")),
      Request("not a url"),
  };
  requests[0].debug = true;
  std::vector<HttpProbeResponse> r = prober->Run(requests);
  ASSERT_EQ(r.size(), requests.size());
  EXPECT_TRUE(r[0].answered);
  EXPECT_EQ(r[0].status_code, 200);
  EXPECT_EQ(r[0].content_type, "application/json");
  EXPECT_THAT(r[0].debug_log, HasSubstr("> GET /ok/metrics HTTP/1.1"));
  EXPECT_THAT(r[0].debug_log, HasSubstr("< HTTP/1.1 200 OK"));
  EXPECT_EQ(r[1].failed_due_to, "connection refused");
  EXPECT_EQ(r[2].failed_due_to, "timeout");
  EXPECT_TRUE(r[3].answered);
  EXPECT_EQ(r[3].status_code, 503);
  EXPECT_EQ(r[4].content_type, "text/html");
  EXPECT_EQ(r[5].failed_due_to, "body too large");
  EXPECT_EQ(r[5].body.size(), size_t{1} << 20);
  EXPECT_EQ(r[6].failed_due_to, "bad url");
  EXPECT_TRUE(r[1].debug_log.empty());  // only when asked for
}

TEST(HttpProberTest, TcpConnectProbes) {
  BadServer server;
  uint16_t closed_port = *net::FreeLoopbackPort();
  auto prober = NewCurlHttpProber();
  HttpProbeRequest open = Request(server.Url("").substr(7));  // host:port
  open.tcp_connect_only = true;
  HttpProbeRequest closed = open;
  closed.url = "127.0.0.1:" + std::to_string(closed_port);
  std::vector<HttpProbeResponse> r = prober->Run({open, closed});
  EXPECT_TRUE(r[0].answered) << r[0].error;
  EXPECT_EQ(r[1].failed_due_to, "connection refused");
}

TEST(HttpProberTest, HugeBodiesAreCutAndMemoryStaysBounded) {
  BadServer server;
  auto prober = NewCurlHttpProber();
  long before = RssKb();
  for (int round = 0; round < 4; ++round) {
    HttpProbeRequest huge = Request(server.Url("/huge/metrics"));
    huge.timeout = absl::Seconds(10);  // the machine may be busy
    std::vector<HttpProbeRequest> requests(8, huge);
    for (const HttpProbeResponse& r : prober->Run(requests)) {
      EXPECT_EQ(r.failed_due_to, "body too large");
      EXPECT_LE(r.body.size(), size_t{1} << 20);
    }
  }
  // 32 probes of 256 MiB bodies: at most their caps (8 MiB at a time) and
  // curl's buffers, never the bodies.
  EXPECT_LT(RssKb() - before, 48 * 1024);
}

TEST(HttpProberTest, MonitorGivesEachBadCoreTheRightStatus) {
  BadServer server;
  HangingListener hanging;
  uint16_t closed_port = *net::FreeLoopbackPort();
  auto prober = NewCurlHttpProber();
  FakeChainHeads heads;
  FakeChainResolver chains;
  FakeBalanceSource balances;
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "mon-bad-targets";
  std::filesystem::remove_all(dir);
  EndpointsStore store(dir / "targets.json");
  MonitorOptions options;
  // Long enough that every answering server answers on a busy machine;
  // only the hanging one waits it out.
  options.interval = absl::Seconds(6);
  options.probe_timeout = absl::Seconds(3);
  MonitorDeps deps{&store,    prober.get(),  &heads, &chains,
                   &balances, Clock::Real(), nullptr};
  auto monitor = Monitor::Create(options, deps);
  ASSERT_TRUE(monitor.ok()) << monitor.status();

  struct Case {
    std::string pool, core, reason;
    v1::Health overall;
  };
  std::vector<Case> cases = {
      {"ok", server.Url("/ok"), "metrics) answers: 1 alive worker",
       v1::HEALTH_OK},
      {"refused", "http://127.0.0.1:" + std::to_string(closed_port),
       "connection refused", v1::HEALTH_DOWN},
      {"hanging", hanging.Url().substr(0, hanging.Url().size() - 8), "timeout",
       v1::HEALTH_DOWN},
      {"5xx", server.Url("/5xx"), "answered HTTP 503", v1::HEALTH_DOWN},
      {"garbage", server.Url("/garbage"), "is not an iexec-core /metrics",
       v1::HEALTH_DOWN},
      {"html", server.Url("/html"), "text/html, not JSON", v1::HEALTH_DOWN},
      {"huge", server.Url("/huge"), "answered a body over 1048576 bytes",
       v1::HEALTH_DOWN},
  };
  for (const Case& c : cases) {
    PoolEndpoints t;
    t.set_pool(c.pool);
    t.set_core(c.core);
    t.set_core_health("none");
    t.set_expected_workers(1);
    ASSERT_TRUE((*monitor)->SetPool(t).ok()) << c.pool;
  }
  (*monitor)->RunRound();  // all of them in one round, side by side
  for (const Case& c : cases) {
    auto s = (*monitor)->GetStatus(c.pool);
    ASSERT_TRUE(s.ok()) << c.pool;
    EXPECT_EQ(s->overall(), c.overall) << c.pool << "\n" << s->DebugString();
    EXPECT_THAT(s->components(0).detail(), HasSubstr(c.reason)) << c.pool;
  }
}

// A 9.x pool's config server (nginx serving a file) on a real socket: the
// chain it serves checked against the pool's, its block time against what
// core 9.3 accepts, its absence said.
TEST(HttpProberTest, MonitorChecksConfigServersOverLoopback) {
  httplib::Server server;
  server.Get("/core/metrics",
             [](const httplib::Request&, httplib::Response& r) {
               r.set_content(R"({"aliveWorkers":1,"aliveRegisteredCpu":2})",
                             "application/json");
             });
  auto chain = [&server](const std::string& prefix, int chain_id,
                         const std::string& block_time) {
    std::string body = absl::StrCat(
        R"({"chainId":)", chain_id,
        R"(,"sidechain":false,"chainNodeUrl":"http://127.0.0.1:8545",)"
        R"("iexecHubContractAddress":)"
        R"("0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0","blockTime":")",
        block_time, R"("})");
    server.Get(prefix + "/config/chain",
               [body](const httplib::Request&, httplib::Response& r) {
                 r.set_content(body, "application/json");
               });
  };
  chain("/good", 65535, "PT1S");
  chain("/other", 42161, "PT1S");
  chain("/slow-blocks", 65535, "PT30S");
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  uint16_t closed_port = *net::FreeLoopbackPort();

  auto prober = NewCurlHttpProber();
  FakeChainHeads heads;
  FakeChainResolver chains;
  FakeBalanceSource balances;
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "mon-config-servers";
  std::filesystem::remove_all(dir);
  EndpointsStore store(dir / "targets.json");
  MonitorOptions options;
  // Every server here answers (or refuses at once): a generous timeout so a
  // busy machine (ctest -j) never turns an answer into a timeout.
  options.interval = absl::Seconds(10);
  options.probe_timeout = absl::Seconds(5);
  MonitorDeps deps{&store,    prober.get(),  &heads, &chains,
                   &balances, Clock::Real(), nullptr};
  auto monitor = Monitor::Create(options, deps);
  ASSERT_TRUE(monitor.ok()) << monitor.status();

  struct Case {
    std::string pool, config_server;
    v1::Health health;
    std::string detail;
  };
  std::vector<Case> cases = {
      {"good", base + "/good", v1::HEALTH_OK,
       "serves chain 65535 hub 0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0, "
       "block time 1s"},
      {"other", base + "/other", v1::HEALTH_DOWN,
       "config server says chain 42161 hub "
       "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0 but the pool's chain is "
       "65535"},
      {"slow-blocks", base + "/slow-blocks", v1::HEALTH_DOWN,
       "blockTime 30s: core 9.3 refuses to start outside 100ms..20s"},
      {"missing", base + "/missing", v1::HEALTH_DOWN, "answered HTTP 404"},
      {"refused", "http://127.0.0.1:" + std::to_string(closed_port),
       v1::HEALTH_DOWN, "connection refused"},
  };
  for (const Case& c : cases) {
    PoolEndpoints t;
    t.set_pool(c.pool);
    t.set_core(base + "/core");
    t.set_core_health("none");
    t.set_expected_workers(1);
    t.set_chain_id("65535");
    t.set_config_server(c.config_server);
    ASSERT_TRUE((*monitor)->SetPool(t).ok()) << c.pool;
  }
  (*monitor)->RunRound();
  server.stop();
  thread.join();
  for (const Case& c : cases) {
    auto s = (*monitor)->GetStatus(c.pool);
    ASSERT_TRUE(s.ok()) << c.pool;
    EXPECT_EQ(s->overall(), c.health) << c.pool << "\n" << s->DebugString();
    bool seen = false;
    for (const v1::Component& component : s->components()) {
      if (component.name() != "config-server") continue;
      seen = true;
      EXPECT_EQ(component.status(), c.health) << c.pool;
      EXPECT_THAT(component.detail(), HasSubstr(c.detail)) << c.pool;
    }
    EXPECT_TRUE(seen) << c.pool;
  }
}

TEST(HttpProberTest, HttpsReportsTheCertificateExpiry) {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "mon-tls";
  std::filesystem::create_directories(dir);
  std::string cert = (dir / "cert.pem").string();
  std::string key = (dir / "key.pem").string();
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  server.Get("/api/health", [](const httplib::Request&, httplib::Response& r) {
    r.set_content(R"({"database":"ok"})", "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto prober = NewCurlHttpProber();
  HttpProbeRequest trusted =
      Request("https://127.0.0.1:" + std::to_string(port) + "/api/health");
  trusted.timeout = absl::Seconds(5);
  trusted.ca_file = cert;
  HttpProbeRequest untrusted = trusted;
  untrusted.ca_file.clear();
  std::vector<HttpProbeResponse> r = prober->Run({trusted, untrusted});
  server.stop();
  thread.join();
  ASSERT_TRUE(r[0].answered) << r[0].error;
  EXPECT_EQ(r[0].status_code, 200);
  ASSERT_TRUE(r[0].cert_not_after.has_value());
  absl::Duration left = *r[0].cert_not_after - absl::Now();
  EXPECT_GT(left, absl::Hours(24 * 29));
  EXPECT_LT(left, absl::Hours(24 * 31));
  EXPECT_EQ(r[1].failed_due_to, "tls");  // self-signed, not in the system's
}

}  // namespace
}  // namespace poolops::monitor
