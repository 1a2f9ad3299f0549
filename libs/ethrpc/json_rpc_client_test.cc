#include "libs/ethrpc/json_rpc_client.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/fake_http_server.h"
#include "libs/ethrpc/fake_json_rpc_node.h"

namespace poolops::chain {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using testing::FakeJsonRpcNode;
using ::testing::HasSubstr;

constexpr char kA[] = "http://127.0.0.1:1111";
constexpr char kB[] = "http://127.0.0.1:2222";

class JsonRpcClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<JsonRpcClient> Make(std::vector<std::string> urls,
                                      JsonRpcClientOptions options = {}) {
    auto c =
        JsonRpcClient::Create(std::move(urls), transport_, options, &clock_);
    EXPECT_TRUE(c.ok()) << c.status();
    return *std::move(c);
  }

  std::shared_ptr<FakeJsonRpcNode> transport_ =
      std::make_shared<FakeJsonRpcNode>();
  FakeClock clock_;
};

TEST_F(JsonRpcClientTest, CreateValidatesEndpoints) {
  EXPECT_EQ(JsonRpcClient::Create({}, transport_).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto bad = JsonRpcClient::Create({kA, "ftp://x"}, transport_);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("ftp://x"));
  EXPECT_TRUE(JsonRpcClient::Create({"HTTPS://node.example"}, transport_).ok());
}

TEST_F(JsonRpcClientTest, CallSendsJsonRpc2AndReturnsResult) {
  transport_->Push(kA, testing::Result("0xffff"));
  auto c = Make({kA});
  auto r = c->Call("eth_chainId");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "0xffff");
  auto sent = transport_->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].request["jsonrpc"], "2.0");
  EXPECT_EQ(sent[0].request["method"], "eth_chainId");
  EXPECT_EQ(sent[0].request["params"], json::array());
  EXPECT_EQ(sent[0].timeout, absl::Seconds(15));
}

TEST_F(JsonRpcClientTest, RejectsScalarParams) {
  auto c = Make({kA});
  EXPECT_EQ(c->Call("x", 5).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_->sent().empty());
}

TEST_F(JsonRpcClientTest, RetriesTransportErrorsWithExponentialBackoff) {
  transport_->SetDefault(
      kA, testing::Fail(absl::UnavailableError("connection refused")));
  JsonRpcClientOptions o;
  o.rounds = 4;
  auto c = Make({kA}, o);
  auto r = c->Call("eth_blockNumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "eth_blockNumber at http://127.0.0.1:1111: connection refused "
            "(4 attempts)");
  EXPECT_THAT(clock_.sleeps(),
              ElementsAre(absl::Milliseconds(200), absl::Milliseconds(400),
                          absl::Milliseconds(800)));
}

TEST_F(JsonRpcClientTest, RecoversAfterATransientFailure) {
  transport_->Push(kA,
                   testing::Fail(absl::DeadlineExceededError("no response")));
  transport_->Push(kA, testing::Result("0x10"));
  auto c = Make({kA});
  auto r = c->Call("eth_blockNumber");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "0x10");
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Milliseconds(200)));
}

TEST_F(JsonRpcClientTest, BackoffIsCapped) {
  transport_->SetDefault(kA, testing::Http(503, "busy"));
  JsonRpcClientOptions o;
  o.rounds = 6;
  o.initial_backoff = absl::Seconds(1);
  o.max_backoff = absl::Seconds(3);
  auto c = Make({kA}, o);
  auto r = c->Call("eth_blockNumber");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("HTTP 503: busy"));
  EXPECT_THAT(clock_.sleeps(),
              ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(3),
                          absl::Seconds(3), absl::Seconds(3)));
}

TEST_F(JsonRpcClientTest, Http429HonoursRetryAfter) {
  transport_->Push(kA, testing::Http(429, "slow down", absl::Seconds(7)));
  transport_->Push(kA, testing::Http(429, "slow down"));
  transport_->Push(kA, testing::Result(true));
  auto c = Make({kA});
  auto r = c->Call("net_listening");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(clock_.sleeps(),
              ElementsAre(absl::Seconds(7), absl::Milliseconds(400)));
}

TEST_F(JsonRpcClientTest, Http429ExhaustedIsResourceExhausted) {
  transport_->SetDefault(kA, testing::Http(429, "rate limited"));
  auto c = Make({kA});
  auto r = c->Call("eth_getLogs");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(),
              HasSubstr("eth_getLogs at http://127.0.0.1:1111: HTTP 429"));
  EXPECT_EQ(transport_->sent().size(), 3u);
}

TEST_F(JsonRpcClientTest, RetriesNodeRateLimitErrors) {
  transport_->Push(kA, testing::RpcError(-32005, "limit exceeded"));
  transport_->Push(kA, testing::Result("0x1"));
  auto c = Make({kA});
  EXPECT_TRUE(c->Call("eth_blockNumber").ok());
  EXPECT_EQ(clock_.sleeps().size(), 1u);
}

TEST_F(JsonRpcClientTest, OtherHttpStatusIsNotRetried) {
  transport_->SetDefault(kA, testing::Http(404, "Not Found"));
  auto c = Make({kA});
  auto r = c->Call("eth_chainId");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "eth_chainId at http://127.0.0.1:1111: HTTP 404: Not Found");
  EXPECT_EQ(transport_->sent().size(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(JsonRpcClientTest,
       FailsOverWithoutSleepingAndSticksToTheWorkingEndpoint) {
  transport_->SetDefault(
      kA, testing::Fail(absl::UnavailableError("connection refused")));
  transport_->SetDefault(kB, testing::Result("0xffff"));
  auto c = Make({kA, kB});
  ASSERT_TRUE(c->Call("eth_chainId").ok());
  EXPECT_TRUE(clock_.sleeps().empty());
  ASSERT_TRUE(c->Call("eth_chainId").ok());
  auto sent = transport_->sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].url, kA);
  EXPECT_EQ(sent[1].url, kB);
  EXPECT_EQ(sent[2].url, kB);  // the second call starts where the first ended
}

TEST_F(JsonRpcClientTest, AllEndpointsDownNamesEach) {
  transport_->SetDefault(
      kA, testing::Fail(absl::UnavailableError("connection refused")));
  transport_->SetDefault(
      kB, testing::Fail(absl::DeadlineExceededError("timed out")));
  JsonRpcClientOptions o;
  o.rounds = 2;
  auto c = Make({kA, kB}, o);
  auto r = c->Call("eth_sendRawTransaction", {"0x01"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(),
            "eth_sendRawTransaction at http://127.0.0.1:1111: connection "
            "refused; eth_sendRawTransaction at http://127.0.0.1:2222: timed "
            "out (4 attempts)");
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Milliseconds(200)));
}

TEST_F(JsonRpcClientTest, MalformedResponseSetsTheEndpointAside) {
  transport_->SetDefault(kA, testing::Http(200, "<html>proxy error</html>"));
  transport_->SetDefault(kB, testing::Result("0x2"));
  auto c = Make({kA, kB});
  ASSERT_TRUE(c->Call("eth_blockNumber").ok());

  auto only = JsonRpcClient::Create({kA}, transport_, {}, &clock_);
  auto r = (*only)->Call("eth_blockNumber");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.status().message(),
              HasSubstr("eth_blockNumber at http://127.0.0.1:1111: malformed "
                        "JSON-RPC response: not JSON"));
  EXPECT_TRUE(clock_.sleeps().empty());  // malformed is not retried
}

TEST_F(JsonRpcClientTest, WrongIdAndMissingResultAreMalformed) {
  transport_->Push(kA, [](const json& req) -> absl::StatusOr<http::Response> {
    json r = {
        {"jsonrpc", "2.0"}, {"id", req["id"].get<int>() + 1}, {"result", 1}};
    return http::Response{200, "application/json", r.dump(), std::nullopt};
  });
  transport_->Push(kA, [](const json& req) -> absl::StatusOr<http::Response> {
    json r = {{"jsonrpc", "2.0"}, {"id", req["id"]}};
    return http::Response{200, "application/json", r.dump(), std::nullopt};
  });
  auto c = Make({kA});
  auto r1 = c->Call("eth_blockNumber");
  EXPECT_EQ(r1.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r1.status().message(), HasSubstr("does not match"));
  auto r2 = c->Call("eth_blockNumber");
  EXPECT_THAT(r2.status().message(),
              HasSubstr("neither \"result\" nor \"error\""));
}

TEST_F(JsonRpcClientTest, HugeBodyIsRefused) {
  JsonRpcClientOptions o;
  o.max_response_bytes = 1024;
  transport_->Push(kA, testing::Result(std::string(4096, 'f')));
  auto c = Make({kA}, o);
  auto r = c->Call("eth_getCode", {"0x00", "latest"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("exceeds the cap of 1024"));
}

TEST_F(JsonRpcClientTest, TransportSizeCapIsNotRetried) {
  transport_->SetDefault(kA, testing::Fail(absl::ResourceExhaustedError(
                                 "response body larger than 33554432 bytes")));
  auto c = Make({kA});
  auto r = c->Call("eth_getLogs");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(transport_->sent().size(), 1u);
}

TEST_F(JsonRpcClientTest, NodeErrorsAreFinalAndNameMethodAndEndpoint) {
  transport_->Push(
      kA,
      testing::RpcError(
          3, "execution reverted",
          "0x08c379a0"
          "0000000000000000000000000000000000000000000000000000000000000020"
          "0000000000000000000000000000000000000000000000000000000000000004"
          "6e6f706500000000000000000000000000000000000000000000000000000000"));
  transport_->SetDefault(kB, testing::Result("0x"));
  auto c = Make({kA, kB});
  auto r = c->Call("eth_call", json::array({json::object(), "latest"}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      r.status().message(),
      "eth_call at http://127.0.0.1:1111: execution reverted: nope [code 3]");
  EXPECT_TRUE(GetJsonRpcError(r.status()).has_value());
  EXPECT_EQ(transport_->sent().size(), 1u);  // no failover on a node's answer
}

TEST_F(JsonRpcClientTest, ResultCheckFailureFailsOver) {
  transport_->SetDefault(kA, testing::Result(12));
  transport_->SetDefault(kB, testing::Result("0xc"));
  auto c = Make({kA, kB});
  std::string answered_by;
  auto r = c->Call(
      "eth_blockNumber", json::array(),
      [](const json& j) {
        return j.is_string() ? absl::OkStatus()
                             : absl::InvalidArgumentError("not a string");
      },
      &answered_by);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(answered_by, kB);
}

TEST_F(JsonRpcClientTest, TimeBudgetBoundsRetries) {
  transport_->SetDefault(kA, testing::Fail(absl::UnavailableError("down")));
  JsonRpcClientOptions o;
  o.rounds = 100;
  o.max_total = absl::Seconds(2);
  auto c = Make({kA}, o);
  auto r = c->Call("eth_chainId");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  // 0.2 + 0.4 + 0.8 = 1.4 s; the next 1.6 s pause would overrun 2 s.
  EXPECT_EQ(clock_.slept(), absl::Milliseconds(1400));
  auto sent = transport_->sent();
  EXPECT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent.back().timeout, absl::Milliseconds(600));  // what is left
}

json EchoBatch(const json& req,
               const std::function<json(const json& item)>& answer) {
  json out = json::array();
  for (auto it = req.rbegin(); it != req.rend(); ++it) {  // reversed order
    json r = {{"jsonrpc", "2.0"}, {"id", (*it)["id"]}};
    json a = answer(*it);
    if (a.contains("error")) {
      r["error"] = a["error"];
    } else {
      r["result"] = a["result"];
    }
    out.push_back(r);
  }
  return out;
}

TEST_F(JsonRpcClientTest, BatchReturnsPerItemResultsAndErrorsInOrder) {
  transport_->SetDefault(
      kA, [](const json& req) -> absl::StatusOr<http::Response> {
        json body = EchoBatch(req, [](const json& item) -> json {
          if (item["method"] == "eth_bogus")
            return {
                {"error", {{"code", -32601}, {"message", "method not found"}}}};
          return {{"result", item["method"]}};
        });
        return http::Response{200, "application/json", body.dump(),
                              std::nullopt};
      });
  JsonRpcClientOptions o;
  o.max_batch_size = 2;  // 3 requests -> 2 HTTP exchanges
  auto c = Make({kA}, o);
  auto r = c->Batch({{"eth_chainId", json::array()},
                     {"eth_bogus", json::array()},
                     {"eth_blockNumber", json::array()}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(*(*r)[0], "eth_chainId");
  EXPECT_EQ((*r)[1].status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(
      (*r)[1].status().message(),
      "eth_bogus at http://127.0.0.1:1111: method not found [code -32601]");
  EXPECT_EQ(*(*r)[2], "eth_blockNumber");
  EXPECT_EQ(transport_->sent().size(), 2u);
}

TEST_F(JsonRpcClientTest, BatchWithAMissingAnswerIsMalformed) {
  transport_->SetDefault(kA,
                         [](const json& req) -> absl::StatusOr<http::Response> {
                           json body = EchoBatch(req, [](const json&) -> json {
                             return {{"result", 1}};
                           });
                           body.erase(0);
                           return http::Response{200, "application/json",
                                                 body.dump(), std::nullopt};
                         });
  auto c = Make({kA});
  auto r = c->Batch({{"a", json::array()}, {"b", json::array()}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.status().message(),
              HasSubstr("batch[a,b] at http://127.0.0.1:1111"));
}

TEST_F(JsonRpcClientTest, EmptyBatchSendsNothing) {
  auto c = Make({kA});
  auto r = c->Batch({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_TRUE(transport_->sent().empty());
}

// A node (or whatever answers at its URL) sending a million '[' over real
// HTTP gets a clear error naming the method and the endpoint; nothing
// crashes.
TEST(JsonRpcClientOverHttpTest, DeeplyNestedNodeAnswersAreRefusedNotCrashing) {
  for (const std::string& body :
       {std::string(1'000'000, '['),
        std::string(1'000'000, '[') + std::string(1'000'000, ']'),
        R"({"jsonrpc":"2.0","id":1,"result":)" + std::string(500'000, '[') +
            std::string(500'000, ']') + "}"}) {
    poolops::test::TestHttpServer node(
        [&body](const poolops::test::HttpRequest&) {
          return poolops::test::HttpOk(body);
        });
    JsonRpcClientOptions options;
    options.rounds = 1;
    auto client = JsonRpcClient::Create(
        {node.url()}, std::shared_ptr<http::Client>(http::NewCurlClient()),
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

// The node sees a JSON POST.
TEST(JsonRpcClientOverHttpTest, PostsJson) {
  std::string headers;
  poolops::test::TestHttpServer node([&headers](
                                         const poolops::test::HttpRequest& r) {
    headers = r.headers;
    return poolops::test::HttpOk(R"({"jsonrpc":"2.0","id":1,"result":"0x1"})");
  });
  auto client = JsonRpcClient::Create(
      {node.url()}, std::shared_ptr<http::Client>(http::NewCurlClient()));
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<nlohmann::json> r = (*client)->Call("eth_blockNumber");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "0x1");
  EXPECT_THAT(headers, HasSubstr("POST / HTTP/1.1"));
  EXPECT_THAT(headers, HasSubstr("Content-Type: application/json"));
  EXPECT_THAT(headers, HasSubstr("Accept: application/json"));
}

}  // namespace
}  // namespace poolops::chain
