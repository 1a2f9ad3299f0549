// The receipt wait of TxSender on a fake clock and a scripted node: it
// gives up at the receipt timeout without waiting for it in real time.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/ethrpc/fake_json_rpc_node.h"
#include "services/chain/tx/key_signer.h"
#include "services/chain/tx/nonce_manager.h"
#include "services/chain/tx/tx_sender.h"

namespace poolops::chain {
namespace {

using testing::FakeJsonRpcNode;
using testing::Result;

constexpr char kNode[] = "http://node.test";
constexpr char kKey[] =
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

class FixedNonce : public NonceSource {
 public:
  absl::StatusOr<uint64_t> PendingNonce(const eth::Address&) override {
    return 0;
  }
};

// A node that accepts the transaction and knows it, but never mines it.
absl::StatusOr<http::Response> NeverMines(const nlohmann::json& request) {
  const std::string method = request.at("method");
  nlohmann::json result;
  if (method == "eth_gasPrice") {
    result = "0x1";
  } else if (method == "eth_estimateGas") {
    result = "0x5208";
  } else if (method == "eth_sendRawTransaction") {
    absl::StatusOr<eth::Bytes> raw =
        eth::FromHex(request.at("params").at(0).get<std::string>());
    if (!raw.ok()) return raw.status();
    result = eth::ToHex(eth::Keccak(eth::ByteView(*raw)));
  } else if (method == "eth_getTransactionByHash") {
    result = nlohmann::json::object({{"hash", "0x00"}});
  } else if (method != "eth_getTransactionReceipt") {
    return absl::UnimplementedError(method);
  }
  return Result(result)(request);
}

TEST(TxSenderWaitTest, GivesUpAtTheReceiptTimeoutOnTheClock) {
  auto transport = std::make_shared<FakeJsonRpcNode>();
  transport->SetDefault(kNode, NeverMines);
  FakeClock clock;
  auto client = JsonRpcClient::Create({kNode}, transport, {}, &clock);
  ASSERT_TRUE(client.ok()) << client.status();
  EthApi eth(client->get(), &clock);
  KeySigner signer;
  ASSERT_TRUE(signer.Add("w", kKey).ok());
  FixedNonce source;
  NonceManager nonces(&source);
  TxChainRules chain;
  chain.chain_id = 65535;
  TxSenderOptions options;
  options.receipt_timeout = absl::Minutes(2);
  options.receipt_poll = absl::Milliseconds(50);
  TxSender sender(chain, &eth, &signer, &nonces, options, &clock);

  const absl::Time start = clock.Now();
  TxIntent intent;
  intent.wallet = "w";
  intent.label = "test";
  absl::StatusOr<TxOutcome> out = sender.Send(intent);
  EXPECT_TRUE(absl::IsDeadlineExceeded(out.status())) << out.status();
  // The wait ran on the clock: it slept past the timeout, looking again
  // soon at first, then at the poll interval.
  EXPECT_GT(clock.Now() - start, options.receipt_timeout);
  ASSERT_GE(clock.sleeps().size(), 3u);
  EXPECT_EQ(clock.sleeps()[0], absl::Milliseconds(2));
  EXPECT_EQ(clock.sleeps().back(), options.receipt_poll);
}

}  // namespace
}  // namespace poolops::chain
