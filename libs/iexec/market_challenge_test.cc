#include "libs/iexec/market_challenge.h"

#include "gtest/gtest.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"

namespace poolops::iexec {
namespace {

// ethers 6: TypedDataEncoder.hash({name: "iExec Gateway", version: "1",
// chainId: 134}, {Challenge: [{name: "challenge", type: "string"}]},
// {challenge: "Sign this message to log into iExec Gateway: abc123"}).
constexpr char kEthersDigest[] =
    "0x34c445cef60e5e95e991e17f8ee19e11547894d13bfa3e8c018cd3ea85d572e8";

TEST(MarketChallengeTest, DigestIsWhatEthersComputes) {
  nlohmann::json typed = MarketChallengeTypedData(
      std::string(kMarketChallengePrefix) + "abc123", 134);
  absl::StatusOr<eth::eip712::Digests> d = eth::eip712::HashTypedData(typed);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(eth::ToHex(d->digest), kEthersDigest);

  // Without its EIP712Domain type (as ethers takes it), the same digest.
  typed["types"].erase("EIP712Domain");
  d = eth::eip712::HashTypedData(typed);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(eth::ToHex(d->digest), kEthersDigest);
}

TEST(MarketChallengeTest, ShapeIsTheApis) {
  nlohmann::json typed = MarketChallengeTypedData("x", 42);
  EXPECT_EQ(typed["primaryType"], "Challenge");
  EXPECT_EQ(typed["domain"], (nlohmann::json{{"name", "iExec Gateway"},
                                             {"version", "1"},
                                             {"chainId", "42"}}));
  EXPECT_EQ(typed["message"], (nlohmann::json{{"challenge", "x"}}));
  EXPECT_EQ(typed["types"]["Challenge"].size(), 1u);
  EXPECT_EQ(typed["types"]["EIP712Domain"].size(), 3u);
}

}  // namespace
}  // namespace poolops::iexec
