// libcurl transport against a tiny HTTP/1.1 server on 127.0.0.1:0.
#include "services/chain/rpc/http_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/test_http_server.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::chain {
namespace {

using ::testing::HasSubstr;

using poolops::test::HttpOk;
using poolops::test::HttpRequest;
using poolops::test::TestHttpServer;

// A port nothing listens on.
int DeadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(CurlHttpTransportTest, PostsJsonAndKeepsTheConnectionAlive) {
  TestHttpServer server(
      [](const HttpRequest& r) { return HttpOk("echo:" + r.body); });
  auto transport = NewCurlHttpTransport();
  for (int i = 0; i < 3; ++i) {
    auto r = transport->Post(server.url(), "{\"n\":1}", absl::Seconds(5));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "echo:{\"n\":1}");
    EXPECT_FALSE(r->retry_after.has_value());
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_THAT(server.last_headers(),
              HasSubstr("Content-Type: application/json"));
}

TEST(CurlHttpTransportTest, ReportsStatusAndRetryAfter) {
  TestHttpServer server([](const HttpRequest&) {
    return std::string(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
        "Content-Length: 4\r\n\r\nslow");
  });
  auto r = NewCurlHttpTransport()->Post(server.url(), "{}", absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->body, "slow");
  EXPECT_EQ(r->retry_after, absl::Seconds(7));
}

TEST(CurlHttpTransportTest, RefusesBodiesOverTheCap) {
  TestHttpServer server(
      [](const HttpRequest&) { return HttpOk(std::string(64 * 1024, 'x')); });
  CurlTransportOptions o;
  o.max_response_bytes = 1024;
  auto r = NewCurlHttpTransport(o)->Post(server.url(), "{}", absl::Seconds(5));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("larger than 1024 bytes"));
}

TEST(CurlHttpTransportTest, CapAlsoHoldsWithoutContentLength) {
  TestHttpServer server([](const HttpRequest&) {
    std::string chunk(8 * 1024, 'x');
    std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) out += absl::StrCat("2000\r\n", chunk, "\r\n");
    return out + "0\r\n\r\n";
  });
  CurlTransportOptions o;
  o.max_response_bytes = 10000;
  auto r = NewCurlHttpTransport(o)->Post(server.url(), "{}", absl::Seconds(5));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(CurlHttpTransportTest, ConnectionRefusedIsUnavailable) {
  auto r = NewCurlHttpTransport()->Post(
      absl::StrCat("http://127.0.0.1:", DeadPort(), "/"), "{}",
      absl::Seconds(5));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

TEST(CurlHttpTransportTest, SilentServerIsDeadlineExceeded) {
  TestHttpServer server([](const HttpRequest&) { return std::string(); });
  absl::Time start = absl::Now();
  auto r =
      NewCurlHttpTransport()->Post(server.url(), "{}", absl::Milliseconds(300));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded)
      << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(CurlHttpTransportTest, BadUrlIsInvalidArgument) {
  auto r =
      NewCurlHttpTransport()->Post("ftp://127.0.0.1/", "{}", absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
      << r.status();
}

// An HTTP_PROXY in the environment must not capture loopback traffic.
TEST(CurlHttpTransportTest, LoopbackIgnoresProxyFromTheEnvironment) {
  TestHttpServer server([](const HttpRequest&) { return HttpOk("direct"); });
  std::string dead_proxy = absl::StrCat("http://127.0.0.1:", DeadPort());
  const char* names[] = {"http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"};
  for (const char* n : names) ::setenv(n, dead_proxy.c_str(), 1);
  ::unsetenv("NO_PROXY");
  ::unsetenv("no_proxy");
  auto r = NewCurlHttpTransport()->Post(server.url(), "{}", absl::Seconds(5));
  auto localhost = NewCurlHttpTransport()->Post(
      absl::StrCat("http://localhost:", server.url().substr(17)), "{}",
      absl::Seconds(5));
  for (const char* n : names) ::unsetenv(n);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "direct");
  ASSERT_TRUE(localhost.ok()) << localhost.status();
}

TEST(CurlHttpTransportTest, ConcurrentPostsUseSeparateHandles) {
  TestHttpServer server([](const HttpRequest& r) { return HttpOk(r.body); });
  auto transport = NewCurlHttpTransport();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string body = absl::StrCat("{\"t\":", t, ",\"i\":", i, "}");
        auto r = transport->Post(server.url(), body, absl::Seconds(5));
        if (r.ok() && r->body == body) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 160);
  EXPECT_LE(server.connections(), 8);
}

// A node (or whatever answers at its URL) sending a million '[' gets a
// clear error naming the method and the endpoint; nothing crashes.
TEST(CurlHttpTransportTest, DeeplyNestedNodeAnswersAreRefusedNotCrashing) {
  for (const std::string& body :
       {std::string(1'000'000, '['),
        std::string(1'000'000, '[') + std::string(1'000'000, ']'),
        R"({"jsonrpc":"2.0","id":1,"result":)" + std::string(500'000, '[') +
            std::string(500'000, ']') + "}"}) {
    TestHttpServer node([&body](const HttpRequest&) { return HttpOk(body); });
    JsonRpcClientOptions options;
    options.rounds = 1;
    auto client = JsonRpcClient::Create(
        {node.url()}, std::shared_ptr<HttpTransport>(NewCurlHttpTransport()),
        options);
    ASSERT_TRUE(client.ok()) << client.status();
    absl::StatusOr<nlohmann::json> r = (*client)->Call("eth_blockNumber");
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr("eth_blockNumber at "));
    EXPECT_THAT(r.status().message(),
                HasSubstr("malformed JSON-RPC response: JSON nested deeper "
                          "than 128 levels"));
  }
}

}  // namespace
}  // namespace poolops::chain
