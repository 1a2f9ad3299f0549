// The libcurl client against a tiny HTTP/1.1 server on 127.0.0.1: one
// kept-alive connection per origin, a fresh one when the server dropped it
// or restarted; timeouts, the body bound, headers, status and Retry-After.
#include "libs/common/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/fake_http_server.h"
#include "libs/common/net.h"

namespace poolops::http {
namespace {

using ::testing::HasSubstr;

using poolops::test::HttpOk;
using poolops::test::HttpRequest;
using poolops::test::TestHttpServer;

std::string Echo(const std::string& method, const std::string& body = "") {
  return absl::StrCat(R"({"method":")", method, R"(","body":")", body, "\"}");
}

// Answers every request with {"method":..,"body":..} as JSON.
TestHttpServer::Handler EchoHandler() {
  return [](const HttpRequest& r) { return HttpOk(Echo(r.method, r.body)); };
}

Request Req(std::string method, std::string url, std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.timeout = absl::Seconds(10);
  return r;
}

TEST(CurlClientTest, OneKeptAliveConnectionPerOrigin) {
  TestHttpServer market(EchoHandler()), core(EchoHandler());
  auto web = NewCurlClient();
  const char* methods[] = {"GET", "POST", "PUT", "GET"};
  for (const char* m : methods) {
    absl::StatusOr<Response> r =
        web->Send(Req(m, market.url("/workerpoolorders"), "x"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->content_type, "application/json");
    EXPECT_EQ(r->body, Echo(m, std::string(m) == "GET" ? "" : "x"));
    ASSERT_TRUE(web->Send(Req("GET", core.url("/metrics"))).ok());
  }
  EXPECT_EQ(market.connections(), 1);
  EXPECT_EQ(core.connections(), 1);
}

// A market that stops is Unavailable; once it is back on its port the next
// request reconnects instead of failing on the dead pooled connection.
TEST(CurlClientTest, ReconnectsAfterTheServerRestarts) {
  auto web = NewCurlClient();
  auto server = std::make_unique<TestHttpServer>(EchoHandler());
  const int port = server->port();
  const std::string url = server->url("/challenge");
  ASSERT_TRUE(web->Send(Req("GET", url)).ok());
  server.reset();
  absl::StatusOr<Response> down = web->Send(Req("GET", url));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable)
      << down.status();
  EXPECT_THAT(down.status().message(), ::testing::Not(HasSubstr(url)));
  server = std::make_unique<TestHttpServer>(
      EchoHandler(), TestHttpServer::Options{.port = port});
  ASSERT_TRUE(server->bound());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Response> r = web->Send(Req("POST", url, "again"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, Echo("POST", "again"));
  }
  EXPECT_EQ(server->connections(), 1);
}

// The server closes each kept-alive connection after answering: every
// request still succeeds, each on a fresh connection.
TEST(CurlClientTest, ReconnectsWhenTheServerDropsTheConnection) {
  TestHttpServer server(EchoHandler(), {.close_after_response = true});
  auto web = NewCurlClient();
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<Response> r =
        web->Send(Req(i % 2 ? "PUT" : "GET", server.url()));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server.connections(), 4);
}

// A request that timed out leaves a pooled handle that works for the next.
TEST(CurlClientTest, TimeoutKeepsItsMessageAndTheHandleStaysUsable) {
  TestHttpServer silent([](const HttpRequest&) { return std::string(); });
  TestHttpServer live(EchoHandler());
  auto web = NewCurlClient();
  Request r = Req("GET", silent.url());
  r.timeout = absl::Milliseconds(300);
  absl::StatusOr<Response> late = web->Send(r);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.status().message(), HasSubstr("no response within 300ms"));
  ASSERT_TRUE(web->Send(Req("GET", live.url())).ok());
  ASSERT_TRUE(web->Send(Req("GET", live.url())).ok());
  EXPECT_EQ(live.connections(), 1);
}

TEST(CurlClientTest, ConcurrentRequestsEachGetTheirOwnAnswer) {
  TestHttpServer server(EchoHandler());
  auto web = NewCurlClient();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string body = absl::StrCat(t, "-", i);
        absl::StatusOr<Response> r = web->Send(Req("POST", server.url(), body));
        if (r.ok() && r->body == Echo("POST", body)) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 80);
}

// A port nothing listens on.
std::string DeadUrl() {
  absl::StatusOr<uint16_t> port = net::FreeLoopbackPort();
  return absl::StrCat("http://127.0.0.1:", port.ok() ? *port : 1, "/");
}

TEST(CurlClientTest, SendsTheHeadersAndReportsStatusAndRetryAfter) {
  std::string seen;
  TestHttpServer server([&seen](const HttpRequest& r) {
    seen = r.headers;
    return std::string(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
        "Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nslow");
  });
  Request r = Req("POST", server.url("/rpc"), "{}");
  r.headers = {{"Content-Type", "application/json"}, {"X-Poolops", "a b"}};
  absl::StatusOr<Response> answer = NewCurlClient()->Send(r);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 429);
  EXPECT_EQ(answer->body, "slow");
  EXPECT_EQ(answer->content_type, "text/plain");
  EXPECT_EQ(answer->retry_after, absl::Seconds(7));
  EXPECT_THAT(seen, HasSubstr("POST /rpc HTTP/1.1"));
  EXPECT_THAT(seen, HasSubstr("Content-Type: application/json"));
  EXPECT_THAT(seen, HasSubstr("X-Poolops: a b"));
  // No "Expect: 100-continue" round trip.
  EXPECT_THAT(seen, ::testing::Not(HasSubstr("100-continue")));
}

TEST(CurlClientTest, RefusesBodiesOverTheBound) {
  TestHttpServer server(
      [](const HttpRequest&) { return HttpOk(std::string(64 * 1024, 'x')); });
  auto client = NewCurlClient();
  Request r = Req("GET", server.url());
  r.max_response_bytes = 1024;
  absl::StatusOr<Response> big = client->Send(r);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(big.status().message(), HasSubstr("larger than 1024 bytes"));
  r.max_response_bytes = 64 * 1024;  // exactly the body: accepted
  absl::StatusOr<Response> fits = client->Send(r);
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->body.size(), 64u * 1024);
}

TEST(CurlClientTest, TheBoundAlsoHoldsWithoutContentLength) {
  TestHttpServer server([](const HttpRequest&) {
    std::string chunk(8 * 1024, 'x');
    std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) out += absl::StrCat("2000\r\n", chunk, "\r\n");
    return out + "0\r\n\r\n";
  });
  Request r = Req("GET", server.url());
  r.max_response_bytes = 10000;
  EXPECT_EQ(NewCurlClient()->Send(r).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(CurlClientTest, AClosedPortIsUnavailableAtOnce) {
  const absl::Time start = absl::Now();
  absl::StatusOr<Response> r = NewCurlClient()->Send(Req("GET", DeadUrl()));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

// A listener whose backlog is full never completes the handshake: the
// connect timeout ends the request long before the total timeout.
TEST(CurlClientTest, TheConnectTimeoutEndsAConnectThatHangs) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 0), 0);  // never accepted
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  // Fill the accept queue so the next SYN goes unanswered.
  std::vector<int> fillers;
  for (int i = 0; i < 8; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Request r = Req("GET", absl::StrCat("http://127.0.0.1:", port, "/"));
  r.timeout = absl::Seconds(20);
  r.connect_timeout = absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  absl::StatusOr<Response> answer = NewCurlClient()->Send(r);
  const absl::Duration took = absl::Now() - start;
  for (int c : fillers) ::close(c);
  ::close(fd);
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kDeadlineExceeded)
      << answer.status();
  EXPECT_LT(took, absl::Seconds(5));
}

TEST(CurlClientTest, BadUrlIsInvalidArgument) {
  absl::StatusOr<Response> r =
      NewCurlClient()->Send(Req("GET", "ftp://127.0.0.1/"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
      << r.status();
}

// An HTTP_PROXY in the environment must not capture loopback traffic.
TEST(CurlClientTest, LoopbackIgnoresProxyFromTheEnvironment) {
  TestHttpServer server([](const HttpRequest&) { return HttpOk("direct"); });
  const std::string dead_proxy = DeadUrl();
  const char* names[] = {"http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"};
  for (const char* n : names) ::setenv(n, dead_proxy.c_str(), 1);
  ::unsetenv("NO_PROXY");
  ::unsetenv("no_proxy");
  absl::StatusOr<Response> r = NewCurlClient()->Send(Req("GET", server.url()));
  absl::StatusOr<Response> localhost = NewCurlClient()->Send(
      Req("GET", absl::StrCat("http://localhost:", server.port(), "/")));
  for (const char* n : names) ::unsetenv(n);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "direct");
  ASSERT_TRUE(localhost.ok()) << localhost.status();
}

}  // namespace
}  // namespace poolops::http
