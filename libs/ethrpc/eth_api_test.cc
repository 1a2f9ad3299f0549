#include "libs/ethrpc/eth_api.h"

#include <atomic>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/ethrpc/fake_json_rpc_node.h"

namespace poolops::chain {
namespace {

using nlohmann::json;
using testing::FakeJsonRpcNode;
using ::testing::HasSubstr;

constexpr char kNodeA[] = "http://127.0.0.1:1111";
constexpr char kNodeB[] = "http://127.0.0.1:2222";
constexpr char kAccount[] = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

eth::Hash32 HashOf(const std::string& hex) {
  eth::Hash32 h{};
  auto b = eth::FromHexFixed(hex, 32);
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

json ReceiptJson(const std::string& hash, uint64_t block) {
  return {{"transactionHash", hash},
          {"blockHash", "0x" + std::string(64, 'b')},
          {"blockNumber", eth::U256(block).ToHex()},
          {"status", "0x1"},
          {"gasUsed", "0x5208"},
          {"effectiveGasPrice", "0x0"},
          {"from", kAccount},
          {"to", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"},
          {"contractAddress", nullptr},
          {"logs",
           {{{"address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
             {"topics", {"0x" + std::string(64, '1')}},
             {"data", "0x0102"},
             {"logIndex", "0x0"}}}}};
}

class EthApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Build({kNodeA}); }
  void Build(std::vector<std::string> urls) {
    auto c = JsonRpcClient::Create(std::move(urls), transport_, {}, &clock_);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = *std::move(c);
    api_ = std::make_unique<EthApi>(client_.get(), &clock_);
  }

  std::shared_ptr<FakeJsonRpcNode> transport_ =
      std::make_shared<FakeJsonRpcNode>();
  FakeClock clock_;
  std::unique_ptr<JsonRpcClient> client_;
  std::unique_ptr<EthApi> api_;
};

TEST_F(EthApiTest, Quantities) {
  transport_->Push(kNodeA, testing::Result("0xffff"));
  transport_->Push(kNodeA, testing::Result("0x2a"));
  transport_->Push(kNodeA, testing::Result("0xde0b6b3a7640000"));
  transport_->Push(kNodeA, testing::Result("0x7"));
  transport_->Push(kNodeA, testing::Result("0x0"));
  EXPECT_EQ(*api_->ChainId(), eth::U256(65535));
  EXPECT_EQ(*api_->BlockNumber(), 42u);
  auto account = *eth::Address::Parse(kAccount);
  EXPECT_EQ(api_->GetBalance(account)->ToDecimal(), "1000000000000000000");
  EXPECT_EQ(*api_->GetTransactionCount(account), 7u);
  EXPECT_TRUE(api_->GasPrice()->IsZero());
  auto sent = transport_->sent();
  EXPECT_EQ(sent[2].request["params"], json({kAccount, "latest"}));
  EXPECT_EQ(sent[3].request["method"], "eth_getTransactionCount");
  EXPECT_EQ(sent[3].request["params"], json({kAccount, "pending"}));
}

TEST_F(EthApiTest, BadQuantitiesAreMalformedResultsAndFailOver) {
  for (json bad : {json("0x"), json("12"), json(12), json("0xzz"),
                   json("0x" + std::string(65, 'f'))}) {
    transport_->Push(kNodeA, testing::Result(bad));
    auto r = api_->ChainId();
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal) << bad;
    EXPECT_THAT(r.status().message(),
                HasSubstr("eth_chainId at http://127.0.0.1:1111: malformed "
                          "result: chain id"));
  }
  Build({kNodeA, kNodeB});
  transport_->Push(kNodeA, testing::Result("0x"));
  transport_->Push(kNodeB, testing::Result("0x1"));
  EXPECT_EQ(*api_->ChainId(), eth::U256(1));
}

TEST_F(EthApiTest, BlockNumberMustFit64Bits) {
  transport_->Push(kNodeA, testing::Result("0x10000000000000000"));
  EXPECT_THAT(api_->BlockNumber().status().message(), HasSubstr("64 bits"));
}

TEST_F(EthApiTest, CallEncodesTheRequest) {
  transport_->Push(kNodeA, testing::Result("0x" + std::string(64, '0')));
  CallRequest req;
  req.to = *eth::Address::Parse(kAccount);
  req.data = {0x70, 0xa0, 0x82, 0x31};
  req.value = eth::U256(5);
  auto r = api_->Call(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->size(), 32u);
  json params = transport_->sent()[0].request["params"];
  EXPECT_EQ(params[0]["to"], kAccount);
  EXPECT_EQ(params[0]["data"], "0x70a08231");
  EXPECT_EQ(params[0]["input"], "0x70a08231");
  EXPECT_EQ(params[0]["value"], "0x5");
  EXPECT_FALSE(params[0].contains("from"));
  EXPECT_EQ(params[1], "latest");
}

TEST_F(EthApiTest, CallBatchSendsOneExchangeAndChecksEachResult) {
  // One batch body: answer each request of the array by its id.
  transport_->Push(
      kNodeA, [](const json& req) -> absl::StatusOr<http::Response> {
        json out = json::array();
        out.push_back(
            {{"jsonrpc", "2.0"}, {"id", req[1]["id"]}, {"result", "0x"}});
        out.push_back({{"jsonrpc", "2.0"},
                       {"id", req[0]["id"]},
                       {"result", "0x" + std::string(64, '0')}});
        out.push_back(
            {{"jsonrpc", "2.0"},
             {"id", req[2]["id"]},
             {"error", {{"code", 3}, {"message", "execution reverted"}}}});
        return http::Response{200, "application/json", out.dump(),
                              std::nullopt};
      });
  std::vector<CallRequest> reqs(3);
  for (CallRequest& r : reqs) r.to = *eth::Address::Parse(kAccount);
  auto r = api_->CallBatch(reqs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0]->size(), 32u);
  EXPECT_EQ((*r)[1].status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*r)[2].ok());
  EXPECT_EQ(transport_->sent().size(), 1u);
}

TEST_F(EthApiTest, EmptyReturnDataIsAnErrorForCallButNotCallRaw) {
  transport_->SetDefault(kNodeA, testing::Result("0x"));
  CallRequest req;
  req.to = *eth::Address::Parse(kAccount);
  auto r = api_->Call(req, BlockTag::Number(16));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr("eth_call at http://127.0.0.1:1111: call to "
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 returned no data"));
  EXPECT_EQ(transport_->sent()[0].request["params"][1], "0x10");
  auto raw = api_->CallRaw(req);
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(raw->empty());
}

TEST_F(EthApiTest, SendRawTransactionChecksTheHash) {
  eth::Bytes raw = {0xf8, 0x01, 0x02};
  std::string good = eth::ToHex(eth::Keccak(raw));
  transport_->Push(kNodeA, testing::Result(good));
  auto h = api_->SendRawTransaction(raw);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(eth::ToHex(*h), good);
  EXPECT_EQ(transport_->sent()[0].request["params"], json({"0xf80102"}));
  transport_->Push(kNodeA, testing::Result("0x" + std::string(64, 'a')));
  EXPECT_EQ(api_->SendRawTransaction(raw).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(EthApiTest, ReceiptParsing) {
  std::string hash = "0x" + std::string(64, 'c');
  transport_->Push(kNodeA, testing::Result(nullptr));
  transport_->Push(kNodeA, testing::Result(ReceiptJson(hash, 9)));
  auto pending = api_->GetTransactionReceipt(HashOf(hash));
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_FALSE(pending->has_value());
  auto r = api_->GetTransactionReceipt(HashOf(hash));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->has_value());
  const Receipt& receipt = **r;
  EXPECT_TRUE(receipt.success);
  EXPECT_EQ(receipt.block_number, 9u);
  EXPECT_EQ(receipt.gas_used, 21000u);
  EXPECT_FALSE(receipt.contract_address.has_value());
  ASSERT_EQ(receipt.logs.size(), 1u);
  EXPECT_EQ(receipt.logs[0].data, eth::Bytes({1, 2}));
  EXPECT_EQ(receipt.logs[0].topics.size(), 1u);
}

TEST_F(EthApiTest, ReceiptDefects) {
  std::string hash = "0x" + std::string(64, 'c');
  json no_status = ReceiptJson(hash, 9);
  no_status.erase("status");
  EXPECT_THAT(ParseReceipt(no_status).status().message(),
              HasSubstr("receipt.status: missing"));
  json bad_topic = ReceiptJson(hash, 9);
  bad_topic["logs"][0]["topics"][0] = "0x12";
  EXPECT_THAT(ParseReceipt(bad_topic).status().message(),
              HasSubstr("receipt.logs[0].topics[0]"));
  // A receipt for another transaction is a malformed answer.
  transport_->Push(
      kNodeA, testing::Result(ReceiptJson("0x" + std::string(64, 'd'), 9)));
  EXPECT_EQ(api_->GetTransactionReceipt(HashOf(hash)).status().code(),
            absl::StatusCode::kInternal);
}

// A chain whose head moves one block per poll; the transaction is mined in
// block 10 on the third poll.
class MovingChain {
 public:
  explicit MovingChain(std::string hash) : hash_(std::move(hash)) {}
  testing::Responder Responder() {
    return [this](const json& req) -> absl::StatusOr<http::Response> {
      json result;
      if (req["method"] == "eth_getTransactionReceipt") {
        int n = ++receipt_polls_;
        result = n < 3 ? json(nullptr) : ReceiptJson(hash_, 10);
        ++head_;
      } else {
        result = eth::U256(head_).ToHex();
      }
      json r = {{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", result}};
      return http::Response{200, "application/json", r.dump(), std::nullopt};
    };
  }

 private:
  std::string hash_;
  std::atomic<int> receipt_polls_{0};
  std::atomic<uint64_t> head_{8};
};

TEST_F(EthApiTest, WaitForReceiptWaitsForConfirmations) {
  std::string hash = "0x" + std::string(64, 'c');
  MovingChain chain(hash);
  transport_->SetDefault(kNodeA, chain.Responder());
  auto r = api_->WaitForReceipt(HashOf(hash), 3, absl::Seconds(30),
                                absl::Seconds(1));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->block_number, 10u);
  // polls: none, none, mined (head 11: 2 confs), head 12: 3 confs.
  EXPECT_EQ(clock_.slept(), absl::Seconds(3));
}

TEST_F(EthApiTest, WaitForReceiptTimesOut) {
  transport_->SetDefault(kNodeA, testing::Result(nullptr));
  std::string hash = "0x" + std::string(64, 'c');
  auto r =
      api_->WaitForReceipt(HashOf(hash), 1, absl::Seconds(5), absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(),
              HasSubstr("receipt of " + hash + ": still not mined after 5s"));
}

TEST_F(EthApiTest, WaitForReceiptRidesOutANodeRestart) {
  std::string hash = "0x" + std::string(64, 'c');
  JsonRpcClientOptions o;
  o.rounds = 1;
  auto c = JsonRpcClient::Create({kNodeA}, transport_, o, &clock_);
  EthApi api(c->get(), &clock_);
  transport_->Push(kNodeA,
                   testing::Fail(absl::UnavailableError("connection refused")));
  transport_->Push(kNodeA, testing::Result(ReceiptJson(hash, 3)));
  auto r =
      api.WaitForReceipt(HashOf(hash), 0, absl::Seconds(5), absl::Seconds(1));
  ASSERT_TRUE(r.ok()) << r.status();
  // Other errors end the wait at once.
  transport_->Push(kNodeA, testing::RpcError(-32602, "invalid hash"));
  EXPECT_EQ(
      api.WaitForReceipt(HashOf(hash), 0, absl::Seconds(5)).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace poolops::chain
