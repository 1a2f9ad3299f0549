// Which PoCo a hub runs, against scripted node answers: what a PoCo 6
// Diamond and the PoCo 5.5 hubs (reverts as anvil gives them, or no data)
// give for facetAddresses(); a node that cannot answer is an error, never
// cached.
#include "services/chain/chains/poco_generation.h"

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/ethrpc/fake_json_rpc_node.h"
#include "services/chain/chains/poco_client.h"

namespace poolops::chain {
namespace {

using testing::FakeJsonRpcNode;
using testing::Result;
using testing::RpcError;

constexpr char kUrl[] = "http://node.test:8545";
// Arbitrum's hub (PoCo 6 Diamond) and two of its facets.
constexpr char kHub[] = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
constexpr char kFacetA[] = "0xf509a2221FCB63645d5b24c3740E35f219f30db9";
constexpr char kFacetB[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

std::string AddressList(std::vector<std::string> addresses) {
  std::vector<eth::abi::Value> items;
  for (const std::string& a : addresses)
    items.push_back(eth::abi::Value::Addr(*eth::Address::Parse(a)));
  return eth::ToHex(*eth::abi::Encode({*eth::abi::ParseType("address[]")},
                                      {eth::abi::Value::List(items)}));
}

class PocoGenerationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JsonRpcClientOptions o;
    o.rounds = 1;  // a transport failure is final at once
    rpc = *JsonRpcClient::Create({kUrl}, node, o);
    api = std::make_unique<EthApi>(rpc.get());
  }
  absl::StatusOr<PocoGeneration> Detect() {
    return DetectPocoGeneration(*api, *eth::Address::Parse(kHub));
  }

  std::shared_ptr<FakeJsonRpcNode> node = std::make_shared<FakeJsonRpcNode>();
  std::unique_ptr<JsonRpcClient> rpc;
  std::unique_ptr<EthApi> api;
};

TEST_F(PocoGenerationTest, ADiamondListingItsFacetsIsPoco6) {
  node->Push(kUrl, Result(AddressList({kFacetA, kFacetB})));
  absl::StatusOr<PocoGeneration> g = Detect();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(*g, PocoGeneration::kPoco6);
  // The loupe's facetAddresses(), asked of the hub.
  std::vector<FakeJsonRpcNode::Sent> sent = node->sent();
  ASSERT_EQ(sent.size(), 1u);
  const nlohmann::json& call = sent[0].request["params"][0];
  EXPECT_EQ(call["data"], "0x52ef6b2c");
  EXPECT_EQ(absl::AsciiStrToLower(call["to"].get<std::string>()),
            absl::AsciiStrToLower(kHub));
}

TEST_F(PocoGenerationTest, Poco5AnswersWithARevertOrNothing) {
  // The PoCo 5.5 hubs' escrow fallback, as anvil answers it.
  node->Push(
      kUrl, RpcError(3, "execution reverted: fallback-disabled", "0x08c379a0"));
  EXPECT_EQ(*Detect(), PocoGeneration::kPoco5);
  node->Push(kUrl, RpcError(-32000, "execution reverted"));
  EXPECT_EQ(*Detect(), PocoGeneration::kPoco5);
  // A fallback that takes the call and returns nothing.
  node->Push(kUrl, Result("0x"));
  EXPECT_EQ(*Detect(), PocoGeneration::kPoco5);
  // Bytes that are no address list, or an empty list: not a loupe.
  node->Push(kUrl, Result("0x" + std::string(64, '1')));
  EXPECT_EQ(*Detect(), PocoGeneration::kPoco5);
  node->Push(kUrl, Result(AddressList({})));
  EXPECT_EQ(*Detect(), PocoGeneration::kPoco5);
}

TEST_F(PocoGenerationTest, ANodeThatCannotAnswerIsAnError) {
  node->Push(kUrl, testing::Fail(absl::UnavailableError("connection refused")));
  absl::StatusOr<PocoGeneration> g = Detect();
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("which PoCo hub"), std::string::npos)
      << g.status();
  node->Push(kUrl, RpcError(-32601, "method not found"));
  EXPECT_FALSE(Detect().ok());
}

TEST_F(PocoGenerationTest, PocoClientAsksOncePerSessionButRetriesFailures) {
  PocoClient poco(api.get(), *eth::Address::Parse(kHub), /*native=*/false);
  node->Push(kUrl, testing::Fail(absl::UnavailableError("down")));
  EXPECT_FALSE(poco.Generation().ok());
  node->Push(kUrl, Result(AddressList({kFacetA})));
  EXPECT_EQ(*poco.Generation(), PocoGeneration::kPoco6);
  EXPECT_EQ(*poco.Generation(), PocoGeneration::kPoco6);
  EXPECT_EQ(node->sent().size(), 2u);
}

}  // namespace
}  // namespace poolops::chain
