// Devnet funding on the real devnets (native, token, arbitrum): a new wallet
// gets ETH and RLC from the devnet's first account, then pays its own gas to
// stake and register a workerpool; a second call sends nothing; the same
// node under a chain that is not the devnet is refused.
#include <string>

#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "services/chain/chains/devnet_gateway_test_support.h"

namespace poolops::chain {
namespace {

using testing::DevnetGateway;

const eth::U256 kDevEther = eth::U256(1'000'000'000) * eth::U256(1'000'000'000);
const eth::U256 kDevRlc(1'000'000'000);  // nRLC

class FundFromDevnetTest : public ::testing::TestWithParam<devnet::Flavour> {
 protected:
  void SetUp() override {
    POOLOPS_REQUIRE_NPM_ASSETS();
    absl::Status s = d_.Start(GetParam());
    ASSERT_TRUE(s.ok()) << s;
  }

  // A wallet nobody funded, signed for by the test's signer.
  eth::Address NewWallet(const std::string& name) {
    eth::Hash32 key = eth::Keccak(std::string_view(name));
    absl::StatusOr<eth::Address> a = d_.signer().Add(name, eth::ToHex(key));
    EXPECT_TRUE(a.ok()) << a.status();
    return *a;
  }

  DevnetGateway d_;
};

TEST_P(FundFromDevnetTest, FundsANewWalletThatThenStakesAndRegisters) {
  eth::Address who = NewWallet("fresh-owner");
  absl::StatusOr<WalletBalances> before = d_.ops().Balances("", "fresh-owner");
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->native_wei.IsZero());
  EXPECT_TRUE(before->rlc_nrlc.IsZero());

  const DevnetFunding want{kDevEther, kDevRlc * eth::U256(10)};
  absl::StatusOr<FundedWallet> funded =
      d_.ops().FundFromDevnet("", "fresh-owner", want, nullptr);
  ASSERT_TRUE(funded.ok()) << funded.status();
  EXPECT_EQ(funded->after.address, who);
  EXPECT_EQ(funded->funding.funder, d_.Address(0));
  EXPECT_EQ(funded->after.rlc_nrlc, kDevRlc * eth::U256(10));
  if (GetParam() == devnet::Flavour::kNative) {
    // The coin is RLC: 10 RLC of it, in one transfer.
    EXPECT_EQ(funded->after.native_wei, kDevEther * eth::U256(10));
    EXPECT_EQ(funded->funding.txs.size(), 1u);
  } else {
    EXPECT_EQ(funded->after.native_wei, kDevEther);
    EXPECT_EQ(funded->funding.eth_sent_wei, kDevEther);
    EXPECT_EQ(funded->funding.rlc_sent_nrlc, kDevRlc * eth::U256(10));
    EXPECT_EQ(funded->funding.txs.size(), 2u);
  }

  // Idempotent: funded already, nothing is sent.
  absl::StatusOr<FundedWallet> again =
      d_.ops().FundFromDevnet("", who.ToChecksum(), want, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->funding.txs.empty());
  EXPECT_TRUE(again->funding.eth_sent_wei.IsZero());
  EXPECT_TRUE(again->funding.rlc_sent_nrlc.IsZero());
  EXPECT_EQ(again->after.rlc_nrlc, funded->after.rlc_nrlc);

  // What the funds are for: the wallet pays its own gas (EIP-1559 on the
  // arbitrum flavour) to register a workerpool and stake 1 RLC.
  absl::StatusOr<DeployOutcome> pool =
      d_.ops().DeployWorkerpool("", "fresh-owner", "funded pool", nullptr);
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::StatusOr<StakeOutcome> staked =
      d_.ops().Deposit("", "fresh-owner", kDevRlc, nullptr);
  ASSERT_TRUE(staked.ok()) << staked.status();
  EXPECT_EQ(staked->stake_nrlc, kDevRlc);
}

TEST_P(FundFromDevnetTest, TheSameNodeUnderAnotherChainIsRefused) {
  absl::StatusOr<ChainConfig> devnet = d_.registry().Get("devnet");
  ASSERT_TRUE(devnet.ok()) << devnet.status();
  ChainConfig mine = *devnet;
  mine.name = "mine";
  mine.origin.clear();
  ASSERT_TRUE(d_.registry().Add(mine, false, false).ok());
  ASSERT_EQ(d_.registry().Get("mine")->origin, "custom");
  eth::Address who = NewWallet("not-funded");
  absl::Status s = d_.ops()
                       .FundFromDevnet("mine", who.ToChecksum(),
                                       {kDevEther, kDevRlc}, nullptr)
                       .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("by hand on real chains"), std::string::npos) << s;
  absl::StatusOr<WalletBalances> after = d_.ops().Balances("", "not-funded");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->native_wei.IsZero());
  EXPECT_TRUE(after->rlc_nrlc.IsZero());
}

INSTANTIATE_TEST_SUITE_P(Flavours, FundFromDevnetTest,
                         ::testing::Values(devnet::Flavour::kNative,
                                           devnet::Flavour::kToken,
                                           devnet::Flavour::kArbitrum),
                         [](const auto& info) {
                           return std::string(devnet::FlavourName(info.param));
                         });

}  // namespace
}  // namespace poolops::chain
