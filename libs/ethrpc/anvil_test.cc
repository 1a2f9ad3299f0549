// Integration tests against a real anvil (Bellecour-like settings).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/http_client.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"
#include "libs/ethrpc/anvil_launcher.h"
#include "libs/ethrpc/anvil_process.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::chain {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// anvil's default accounts #0 and #1.
constexpr char kKey0[] =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr char kAccount0[] = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr char kAccount1[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

// Runtime code that always reverts with Error("nope"), hand-assembled:
//   mstore(0x00, 0x08c379a0 << 224)   PUSH32 selector.., PUSH1 0, MSTORE
//   mstore(0x04, 0x20)                offset of the string
//   mstore(0x24, 4)                   its length
//   mstore(0x44, "nope" << 224)       its bytes, right-padded
//   revert(0, 0x64)                   4 + 3 * 32 bytes
// A contract deployed on the chain is the realest revert there is: the node
// runs the EVM and produces the error and its data itself.
std::string RevertRuntimeHex() {
  std::string zeros28(56, '0');
  return "7f08c379a0" + zeros28 + "600052" + "6020600452" + "6004602452" +
         "7f6e6f7065" + zeros28 + "604452" + "60646000fd";
}
// Init code: codecopy(0, 0x0b, 0x57) then return(0, 0x57); runtime follows.
std::string RevertInitHex() {
  return "605780600b6000396000f3" + RevertRuntimeHex();
}

class AnvilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::AnvilInstalled()) {
      POOLOPS_MISSING_TOOL("anvil missing at "
                           << testing::AnvilBinary()
                           << " (scripts/lib.sh installs it)");
    }
    absl::Status started = anvil_.Start();
    ASSERT_TRUE(started.ok()) << started;
    client_ = MakeClient({anvil_.url()});
    api_ = std::make_unique<EthApi>(client_.get());
  }

  std::unique_ptr<JsonRpcClient> MakeClient(std::vector<std::string> urls,
                                            JsonRpcClientOptions o = {}) {
    auto c = JsonRpcClient::Create(std::move(urls), transport_, o);
    EXPECT_TRUE(c.ok()) << c.status();
    return *std::move(c);
  }

  // Signs a legacy EIP-155 transaction from account #0 (next nonce).
  absl::StatusOr<eth::Bytes> Sign(std::optional<eth::Address> to,
                                  eth::U256 value, eth::Bytes data,
                                  uint64_t gas) {
    auto nonce = api_->GetTransactionCount(*eth::Address::Parse(kAccount0));
    if (!nonce.ok()) return nonce.status();
    eth::Transaction tx;
    tx.chain_id = 65535;
    tx.nonce = *nonce;
    tx.to = to;
    tx.value = value;
    tx.data = std::move(data);
    tx.gas = gas;
    tx.gas_price = 0;
    auto key = eth::FromHex(kKey0);
    auto sig = eth::SignDigest(*key, tx.SigningHash());
    if (!sig.ok()) return sig.status();
    return tx.EncodeSigned(*sig);
  }

  absl::StatusOr<eth::Hash32> Send(std::optional<eth::Address> to,
                                   eth::U256 value, eth::Bytes data,
                                   uint64_t gas) {
    auto raw = Sign(to, value, std::move(data), gas);
    if (!raw.ok()) return raw.status();
    return api_->SendRawTransaction(*raw);
  }

  testing::AnvilProcess anvil_;  // killed by its pid in the destructor
  std::shared_ptr<http::Client> transport_ = http::NewCurlClient();
  std::unique_ptr<JsonRpcClient> client_;
  std::unique_ptr<EthApi> api_;
};

TEST_F(AnvilTest, ReadsChainState) {
  EXPECT_EQ(*api_->ChainId(), eth::U256(65535));
  EXPECT_EQ(*api_->BlockNumber(), 0u);
  auto balance = api_->GetBalance(*eth::Address::Parse(kAccount0));
  ASSERT_TRUE(balance.ok()) << balance.status();
  EXPECT_EQ(balance->ToDecimal(), "10000000000000000000000");  // 10000 ETH
  EXPECT_EQ(*api_->GetTransactionCount(*eth::Address::Parse(kAccount0)), 0u);
  EXPECT_TRUE(api_->GasPrice()->IsZero());
}

TEST_F(AnvilTest, SignedTransferIsMinedAndConfirmed) {
  auto to = *eth::Address::Parse(kAccount1);
  auto before = *api_->GetBalance(to);
  auto raw = Sign(to, eth::U256(12345), {}, 21000);
  ASSERT_TRUE(raw.ok()) << raw.status();
  auto hash = api_->SendRawTransaction(*raw);
  ASSERT_TRUE(hash.ok()) << hash.status();
  auto receipt =
      api_->WaitForReceipt(*hash, 1, absl::Seconds(10), absl::Milliseconds(20));
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_TRUE(receipt->success);
  EXPECT_EQ(receipt->gas_used, 21000u);
  EXPECT_EQ(receipt->block_number, 1u);
  EXPECT_EQ(receipt->from, *eth::Address::Parse(kAccount0));
  EXPECT_EQ(receipt->to, to);
  EXPECT_EQ(receipt->transaction_hash, *hash);
  EXPECT_EQ(*api_->GetBalance(to), before + eth::U256(12345));
  EXPECT_EQ(*api_->GetTransactionCount(*eth::Address::Parse(kAccount0)), 1u);
  // Two confirmations need one more block on top.
  ASSERT_TRUE(client_->Call("evm_mine").ok());
  auto confirmed =
      api_->WaitForReceipt(*hash, 2, absl::Seconds(10), absl::Milliseconds(20));
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  // Replaying the mined transaction: the node's error, method and endpoint.
  auto replay = api_->SendRawTransaction(*raw);
  EXPECT_EQ(replay.status().code(), absl::StatusCode::kFailedPrecondition)
      << replay.status();
  EXPECT_THAT(replay.status().message(),
              HasSubstr("eth_sendRawTransaction at " + anvil_.url() + ": "));
  auto node_error = GetJsonRpcError(replay.status());
  ASSERT_TRUE(node_error.has_value());
  EXPECT_EQ(node_error->message, "nonce too low");
}

TEST_F(AnvilTest, CallToAnAddressWithoutCode) {
  eth::Address nobody =
      *eth::Address::Parse("0x000000000000000000000000000000000000dEaD");
  CallRequest req;
  req.to = nobody;
  req.data = {0x70, 0xa0, 0x82, 0x31};
  auto r = api_->Call(req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("eth_call at " + anvil_.url() + ": call to " +
                        nobody.ToChecksum() + " returned no data"));
  auto raw = api_->CallRaw(req);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_TRUE(raw->empty());
  EXPECT_TRUE(api_->GetCode(nobody)->empty());
}

TEST_F(AnvilTest, RevertReasonOfARealContract) {
  auto hash = Send(std::nullopt, 0, *eth::FromHex(RevertInitHex()), 200000);
  ASSERT_TRUE(hash.ok()) << hash.status();
  auto deployed =
      api_->WaitForReceipt(*hash, 1, absl::Seconds(10), absl::Milliseconds(20));
  ASSERT_TRUE(deployed.ok()) << deployed.status();
  ASSERT_TRUE(deployed->success);
  ASSERT_TRUE(deployed->contract_address.has_value());
  const eth::Address contract = *deployed->contract_address;
  EXPECT_EQ(eth::ToHex(*api_->GetCode(contract)), "0x" + RevertRuntimeHex());

  CallRequest req;
  req.from = *eth::Address::Parse(kAccount0);
  req.to = contract;
  auto r = api_->Call(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "eth_call at " + anvil_.url() +
                                      ": execution reverted: nope [code 3]");
  auto error = GetJsonRpcError(r.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(DecodeRevertReason(RevertData(*error)), "nope");

  auto gas = api_->EstimateGas(req);
  EXPECT_EQ(gas.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(gas.status().message(), HasSubstr("eth_estimateGas at "));
  EXPECT_THAT(gas.status().message(), HasSubstr("nope"));

  // Mined anyway with a fixed gas limit: the receipt says it failed.
  auto tx = Send(contract, 0, {}, 100000);
  ASSERT_TRUE(tx.ok()) << tx.status();
  auto failed =
      api_->WaitForReceipt(*tx, 1, absl::Seconds(10), absl::Milliseconds(20));
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_FALSE(failed->success);
}

TEST_F(AnvilTest, BatchWithAnUnknownMethod) {
  auto r = client_->Batch({{"eth_chainId", json::array()},
                           {"eth_noSuchMethod", json::array()},
                           {"eth_blockNumber", json::array()}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(*(*r)[0], "0xffff");
  EXPECT_FALSE((*r)[1].ok());
  EXPECT_THAT((*r)[1].status().message(),
              HasSubstr("eth_noSuchMethod at " + anvil_.url()));
  EXPECT_EQ(*(*r)[2], "0x0");
}

TEST_F(AnvilTest, FailsOverFromADeadEndpoint) {
  std::string dead = absl::StrCat("http://127.0.0.1:", testing::FreePort());
  auto client = MakeClient({dead, anvil_.url()});
  EthApi api(client.get());
  auto id = api.ChainId();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, eth::U256(65535));
}

TEST_F(AnvilTest, KilledNodeIsUnavailableNamingTheEndpoint) {
  ASSERT_TRUE(api_->BlockNumber().ok());
  anvil_.Kill();
  JsonRpcClientOptions o;
  o.rounds = 2;
  o.initial_backoff = absl::Milliseconds(10);
  auto client = MakeClient({anvil_.url()}, o);
  EthApi api(client.get());
  auto r = api.BlockNumber();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("eth_blockNumber at " + anvil_.url() + ": "));
  // The long-lived client (kept-alive connection) sees the same.
  auto again = api_->BlockNumber();
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable)
      << again.status();
}

TEST_F(AnvilTest, CallFunctionNamesTheFunctionWhenNothingAnswers) {
  // No code at account #1: no return data, named with the function.
  absl::StatusOr<eth::abi::Value> out = api_->CallFunction(
      *eth::Address::Parse(kAccount1), "owner()", {}, "address");
  EXPECT_TRUE(absl::IsFailedPrecondition(out.status())) << out.status();
  EXPECT_THAT(out.status().message(), HasSubstr("owner(): "));
  // A return type that is not one is refused before any call.
  out = api_->CallFunction(*eth::Address::Parse(kAccount1), "owner()", {},
                           "notatype");
  EXPECT_FALSE(out.ok());
}

// The launcher itself (the devnet's chain and every test chain start here).
TEST(AnvilLauncherTest, AnswersWithTheChainIdAskedForAndStopsCleanly) {
  if (!testing::AnvilInstalled()) {
    POOLOPS_MISSING_TOOL("anvil missing at " << testing::AnvilBinary());
  }
  AnvilLaunch launch;
  launch.binary = testing::AnvilBinary();
  launch.chain_id = 4242;
  launch.spawn.die_with_parent = true;
  absl::StatusOr<LaunchedAnvil> anvil = LaunchAnvil(launch);
  ASSERT_TRUE(anvil.ok()) << anvil.status();
  auto client = JsonRpcClient::Create({anvil->rpc_url}, http::NewCurlClient());
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(*EthApi(client->get()).ChainId(), eth::U256(4242));

  // The same port asked for again: taken, said so, nothing started.
  launch.port = anvil->port;
  absl::Status taken = LaunchAnvil(launch).status();
  EXPECT_TRUE(absl::IsAlreadyExists(taken)) << taken;
  EXPECT_THAT(taken.message(), HasSubstr("already in use"));

  EXPECT_TRUE(proc::StopProcess(anvil->pid, absl::Seconds(10)).ok());
  EXPECT_FALSE(proc::ProcessAlive(anvil->pid));
}

TEST(AnvilLauncherTest, MissingBinaryIsFailedPrecondition) {
  AnvilLaunch launch;
  launch.binary = "/nonexistent/anvil";
  absl::Status s = LaunchAnvil(launch).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/anvil"));
}

TEST(AnvilLauncherTest, AnExitDuringStartUpNamesTheLog) {
  const std::filesystem::path log =
      std::filesystem::temp_directory_path() /
      ("anvil-launcher-" + std::to_string(::getpid()) + ".log");
  AnvilLaunch launch;
  launch.binary = "/bin/false";  // exits at once, as a broken anvil would
  launch.spawn.log_file = log;
  absl::Status s = LaunchAnvil(launch).status();
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr(log.string()));
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace poolops::chain
