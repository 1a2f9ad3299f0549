// DevnetFunder over a fake anvil (a JSON-RPC node in memory that keeps
// balances, an RLC token and the transactions it was sent): refusals,
// top-ups per flavour, idempotence, reverts.
#include "services/chain/chains/devnet_funder.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/ethrpc/fake_json_rpc_node.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

constexpr char kAnvilUrl[] = "http://anvil.test:8545";
const eth::U256 kOneEther = eth::U256(1'000'000'000) * eth::U256(1'000'000'000);
const eth::U256 kOneRlc(1'000'000'000);  // in nRLC

eth::Address FakeAddr(uint8_t last) {
  eth::Bytes b(20, 0);
  b[0] = 0xaa;
  b[19] = last;
  return *eth::Address::FromBytes(b);
}

std::string SelectorHex(std::string_view signature) {
  eth::Hash32 h = eth::Keccak(signature);
  return eth::ToHex(eth::ByteView(h.data(), 4), false);
}

std::string AbiWord(const eth::U256& v) { return eth::ToHex(v.ToBytesBE()); }
std::string AbiWord(const eth::Address& a) {
  return "0x" + std::string(24, '0') + a.ToLowerHex(false);
}

// What anvil answers, enough for the funder: accounts, balances, the hub's
// token(), the token's balanceOf/transfer, eth_sendTransaction, receipts.
class FakeAnvil {
 public:
  std::string version = "anvil/v1.2.3";
  eth::Address funder = FakeAddr(1), hub = FakeAddr(2), token = FakeAddr(3);
  bool native = false;
  bool revert_transfers = false;
  std::map<eth::Address, eth::U256> wei, rlc;
  std::vector<json> sent;  // eth_sendTransaction's transaction objects
  std::vector<std::string> methods;

  absl::StatusOr<http::Response> Answer(const json& req) {
    const std::string method = req.at("method");
    const json& params = req.at("params");
    methods.push_back(method);
    if (method == "web3_clientVersion") return Ok(req, version);
    if (method == "eth_accounts")
      return Ok(req, json::array({funder.ToLowerHex()}));
    if (method == "eth_chainId") return Ok(req, "0xffff");
    if (method == "eth_blockNumber") return Ok(req, "0x10");
    if (method == "eth_gasPrice") return Ok(req, "0x3b9aca00");
    if (method == "eth_getBalance") {
      return Ok(
          req, wei[*eth::Address::Parse(params[0].get<std::string>())].ToHex());
    }
    if (method == "eth_call") return Call(req, params[0]);
    if (method == "eth_sendTransaction") return Send(req, params[0]);
    if (method == "eth_getTransactionReceipt") {
      auto it = receipts_.find(params[0].get<std::string>());
      return Ok(req, it == receipts_.end() ? json(nullptr) : it->second);
    }
    return testing::RpcError(-32601, "method not found")(req);
  }

 private:
  static absl::StatusOr<http::Response> Ok(const json& req, json result) {
    return testing::Result(std::move(result))(req);
  }

  absl::StatusOr<http::Response> Call(const json& req, const json& call) {
    eth::Address to = *eth::Address::Parse(call.at("to").get<std::string>());
    std::string data = call.at("data");
    std::string selector = data.substr(2, 8);
    if (to == hub && selector == SelectorHex("token()")) {
      return Ok(req, AbiWord(native ? eth::Address() : token));
    }
    if (to == token && selector == SelectorHex("balanceOf(address)")) {
      eth::Address who = *eth::Address::Parse(data.substr(10 + 24, 40));
      return Ok(req, AbiWord(rlc[who]));
    }
    return testing::RpcError(3, "execution reverted")(req);
  }

  absl::StatusOr<http::Response> Send(const json& req, const json& tx) {
    sent.push_back(tx);
    eth::Address from = *eth::Address::Parse(tx.at("from").get<std::string>());
    eth::Address to = *eth::Address::Parse(tx.at("to").get<std::string>());
    bool ok = true;
    if (tx.contains("value")) {
      eth::U256 v = *eth::U256::FromHex(tx["value"].get<std::string>());
      wei[from] = wei[from] - v;
      wei[to] = wei[to] + v;
    }
    if (tx.contains("data")) {
      std::string data = tx["data"];
      if (to != token ||
          data.substr(2, 8) != SelectorHex("transfer(address,uint256)"))
        ok = false;
      if (revert_transfers) ok = false;
      if (ok) {
        eth::Address dest = *eth::Address::Parse(data.substr(10 + 24, 40));
        eth::U256 amount = *eth::U256::FromHex(data.substr(10 + 64, 64));
        rlc[from] = rlc[from] - amount;
        rlc[dest] = rlc[dest] + amount;
      }
    }
    std::string hash = eth::ToHex(eth::Keccak(absl::StrCat("tx", sent.size())));
    receipts_[hash] = {{"transactionHash", hash},
                       {"blockHash", hash},
                       {"blockNumber", eth::U256(sent.size()).ToHex()},
                       {"status", ok ? "0x1" : "0x0"},
                       {"gasUsed", "0x5208"},
                       {"from", from.ToLowerHex()},
                       {"to", to.ToLowerHex()},
                       {"logs", json::array()}};
    return Ok(req, hash);
  }

  std::map<std::string, json> receipts_;
};

class DevnetFunderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_shared<testing::FakeJsonRpcNode>();
    node_->SetDefault(kAnvilUrl,
                      [this](const json& r) { return anvil_.Answer(r); });
    JsonRpcClientOptions options;
    options.rounds = 1;
    rpc_ = *JsonRpcClient::Create({kAnvilUrl}, node_, options);
    eth_ = std::make_unique<EthApi>(rpc_.get());
    config_.name = "devnet";
    config_.origin = "devnet";
    config_.rpcs = {kAnvilUrl};
    config_.hub = anvil_.hub;
    anvil_.wei[anvil_.funder] = kOneEther * eth::U256(10'000);
    anvil_.rlc[anvil_.funder] = kOneRlc * eth::U256(1'000'000);
  }

  // A funder for the chain as configured now.
  absl::StatusOr<FundOutcome> Fund(
      const DevnetFunding& want, std::vector<TxProgress>* progress = nullptr) {
    anvil_.native = config_.native;
    poco_ =
        std::make_unique<PocoClient>(eth_.get(), config_.hub, config_.native);
    DevnetFunder funder(&config_, rpc_.get(), eth_.get(), poco_.get(),
                        absl::Seconds(5), absl::Milliseconds(1));
    return funder.Fund(target_, want, [progress](const TxProgress& p) {
      if (progress) progress->push_back(p);
    });
  }

  FakeAnvil anvil_;
  std::shared_ptr<testing::FakeJsonRpcNode> node_;
  std::unique_ptr<JsonRpcClient> rpc_;
  std::unique_ptr<EthApi> eth_;
  std::unique_ptr<PocoClient> poco_;
  ChainConfig config_;
  eth::Address target_ = FakeAddr(9);
};

TEST_F(DevnetFunderTest, RefusesAChainThatIsNotTheDevnet) {
  for (const char* origin : {"preset", "custom", ""}) {
    config_.origin = origin;
    absl::Status s = Fund({kOneEther, kOneRlc}).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << origin;
    EXPECT_NE(s.message().find("by hand on real chains"), std::string::npos)
        << s;
  }
  EXPECT_TRUE(anvil_.methods.empty()) << "a real chain must not be asked";
}

TEST_F(DevnetFunderTest, RefusesANodeThatIsNotAnvil) {
  anvil_.version = "Geth/v1.13.15-stable/linux-amd64/go1.22";
  absl::Status s = Fund({kOneEther, kOneRlc}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("not anvil"), std::string::npos) << s;
  EXPECT_NE(s.message().find("by hand"), std::string::npos) << s;
  EXPECT_TRUE(anvil_.sent.empty());
}

TEST_F(DevnetFunderTest, TopsUpEthAndRlcOnATokenChainThenSendsNothing) {
  std::vector<TxProgress> progress;
  absl::StatusOr<FundOutcome> out =
      Fund({kOneEther, kOneRlc * eth::U256(10)}, &progress);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->funder, anvil_.funder);
  EXPECT_EQ(out->eth_sent_wei, kOneEther);
  EXPECT_EQ(out->rlc_sent_nrlc, kOneRlc * eth::U256(10));
  EXPECT_EQ(out->native_wei_after, kOneEther);
  EXPECT_EQ(out->rlc_nrlc_after, kOneRlc * eth::U256(10));
  ASSERT_EQ(out->txs.size(), 2u);
  ASSERT_EQ(anvil_.sent.size(), 2u);
  // ETH by a value transfer, RLC by the hub's token's transfer; a legacy
  // chain's gas price given (anvil would fill EIP-1559 fees).
  EXPECT_EQ(anvil_.sent[0]["to"], target_.ToLowerHex());
  EXPECT_EQ(anvil_.sent[0]["gasPrice"], "0x3b9aca00");
  EXPECT_EQ(anvil_.sent[1]["to"], anvil_.token.ToLowerHex());
  EXPECT_EQ(anvil_.sent[1]["from"], anvil_.funder.ToLowerHex());
  bool mined = false;
  for (const TxProgress& p : progress)
    mined |= p.stage == TxProgress::Stage::kMined;
  EXPECT_TRUE(mined);

  absl::StatusOr<FundOutcome> again =
      Fund({kOneEther, kOneRlc * eth::U256(10)});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->txs.empty());
  EXPECT_TRUE(again->eth_sent_wei.IsZero());
  EXPECT_TRUE(again->rlc_sent_nrlc.IsZero());
  EXPECT_EQ(anvil_.sent.size(), 2u);
}

TEST_F(DevnetFunderTest, SendsOnlyWhatIsMissing) {
  anvil_.wei[target_] = kOneEther * eth::U256(2);
  anvil_.rlc[target_] = kOneRlc * eth::U256(4);
  absl::StatusOr<FundOutcome> out = Fund({kOneEther, kOneRlc * eth::U256(10)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->eth_sent_wei.IsZero());
  EXPECT_EQ(out->rlc_sent_nrlc, kOneRlc * eth::U256(6));
  EXPECT_EQ(out->native_wei_after, kOneEther * eth::U256(2));
  EXPECT_EQ(anvil_.sent.size(), 1u);
}

TEST_F(DevnetFunderTest, OnANativeChainTheCoinIsSentOnce) {
  config_.native = true;
  config_.zero_gas_price = true;
  absl::StatusOr<FundOutcome> out = Fund({kOneEther, kOneRlc * eth::U256(10)});
  ASSERT_TRUE(out.ok()) << out.status();
  // 10 RLC of coin (10^19 wei) covers the 1 "ETH" too.
  EXPECT_EQ(out->eth_sent_wei, kOneEther * eth::U256(10));
  EXPECT_EQ(out->rlc_sent_nrlc, kOneRlc * eth::U256(10));
  EXPECT_EQ(out->rlc_nrlc_after, kOneRlc * eth::U256(10));
  ASSERT_EQ(anvil_.sent.size(), 1u);
  EXPECT_FALSE(anvil_.sent[0].contains("data"));
  EXPECT_EQ(anvil_.sent[0]["gasPrice"], "0x0");
  EXPECT_TRUE(Fund({kOneEther, kOneRlc * eth::U256(10)})->txs.empty());
}

TEST_F(DevnetFunderTest, ARevertIsAnErrorNamingTheStep) {
  anvil_.revert_transfers = true;
  absl::Status s = Fund({eth::U256(), kOneRlc}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("RLC transfer to " + target_.ToChecksum()),
            std::string::npos)
      << s;
  EXPECT_NE(s.message().find("reverted"), std::string::npos) << s;
}

TEST_F(DevnetFunderTest, AFunderShortOfRlcIsRefusedBeforeSending) {
  anvil_.rlc[anvil_.funder] = kOneRlc;
  absl::Status s = Fund({eth::U256(), kOneRlc * eth::U256(5)}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("holds 1 RLC"), std::string::npos) << s;
  EXPECT_TRUE(anvil_.sent.empty());
}

}  // namespace
}  // namespace poolops::chain
