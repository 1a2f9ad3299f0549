// The libcurl WebClient against a tiny HTTP/1.1 server on 127.0.0.1: one
// kept-alive connection per origin, and a fresh one when the server dropped
// it or restarted.
#include "services/chain/gateway/market_http.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/test_http_server.h"

namespace poolops::chain {
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

WebRequest Req(std::string method, std::string url, std::string body = "") {
  WebRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.timeout = absl::Seconds(10);
  return r;
}

TEST(CurlWebClientTest, OneKeptAliveConnectionPerOrigin) {
  TestHttpServer market(EchoHandler()), core(EchoHandler());
  auto web = NewCurlWebClient();
  const char* methods[] = {"GET", "POST", "PUT", "GET"};
  for (const char* m : methods) {
    absl::StatusOr<WebResponse> r =
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
TEST(CurlWebClientTest, ReconnectsAfterTheServerRestarts) {
  auto web = NewCurlWebClient();
  auto server = std::make_unique<TestHttpServer>(EchoHandler());
  const int port = server->port();
  const std::string url = server->url("/challenge");
  ASSERT_TRUE(web->Send(Req("GET", url)).ok());
  server.reset();
  absl::StatusOr<WebResponse> down = web->Send(Req("GET", url));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable)
      << down.status();
  EXPECT_THAT(down.status().message(), ::testing::Not(HasSubstr(url)));
  server = std::make_unique<TestHttpServer>(
      EchoHandler(), TestHttpServer::Options{.port = port});
  ASSERT_TRUE(server->bound());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<WebResponse> r = web->Send(Req("POST", url, "again"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, Echo("POST", "again"));
  }
  EXPECT_EQ(server->connections(), 1);
}

// The server closes each kept-alive connection after answering: every
// request still succeeds, each on a fresh connection.
TEST(CurlWebClientTest, ReconnectsWhenTheServerDropsTheConnection) {
  TestHttpServer server(EchoHandler(), {.close_after_response = true});
  auto web = NewCurlWebClient();
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<WebResponse> r =
        web->Send(Req(i % 2 ? "PUT" : "GET", server.url()));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server.connections(), 4);
}

// A request that timed out leaves a pooled handle that works for the next.
TEST(CurlWebClientTest, TimeoutKeepsItsMessageAndTheHandleStaysUsable) {
  TestHttpServer silent([](const HttpRequest&) { return std::string(); });
  TestHttpServer live(EchoHandler());
  auto web = NewCurlWebClient();
  WebRequest r = Req("GET", silent.url());
  r.timeout = absl::Milliseconds(300);
  absl::StatusOr<WebResponse> late = web->Send(r);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.status().message(), HasSubstr("no response within 300ms"));
  ASSERT_TRUE(web->Send(Req("GET", live.url())).ok());
  ASSERT_TRUE(web->Send(Req("GET", live.url())).ok());
  EXPECT_EQ(live.connections(), 1);
}

TEST(CurlWebClientTest, ConcurrentRequestsEachGetTheirOwnAnswer) {
  TestHttpServer server(EchoHandler());
  auto web = NewCurlWebClient();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string body = absl::StrCat(t, "-", i);
        absl::StatusOr<WebResponse> r =
            web->Send(Req("POST", server.url(), body));
        if (r.ok() && r->body == Echo("POST", body)) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 80);
}

}  // namespace
}  // namespace poolops::chain
