#include "devnet/market/auth.h"

#include "devnet/market/fake_chain_view.h"
#include "gtest/gtest.h"

namespace poolops::market {
namespace {

using nlohmann::json;
using namespace testing;  // NOLINT

// PROTOCOL facts §F.3: the challenge hash and the SDK's header.
TEST(AuthTest, ChallengeHashAndHeaderMatchTheVectors) {
  json typed = iexec::MarketChallengeTypedData(
      "Sign this message to log into iExec Gateway: "
      "abcdefghijklmnopqrstuvwxyz012345",
      134);
  EXPECT_EQ(typed["domain"]["chainId"], "134");
  EXPECT_FALSE(typed["domain"].contains("verifyingContract"));
  EXPECT_EQ(
      AuthHeader(typed),
      "0xc5ee7fb42e0da8066e9bb45484d32d97aef9278dd6246c83184a29d6e0526148_"
      "0xebec90a2a38d02391e03315d0593c7891cb7f94754274ac4a728dcbaab07a06c04a9"
      "5b17c6bb05a36ad622d92c22c20090edc232c22eedad05b28bdcb922e7311c_"
      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

TEST(AuthTest, ParsesHashSignAddress) {
  absl::StatusOr<AuthorizationHeader> h = ParseAuthorizationHeader(
      "0xaa_0xbb_0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->hash, "0xaa");
  EXPECT_EQ(h->sign, "0xbb");
  EXPECT_EQ(h->address, Addr(kOwner));
  EXPECT_EQ(ParseAuthorizationHeader("").status().message(),
            "missing Authorization, please first sign a challenge");
  EXPECT_EQ(ParseAuthorizationHeader("garbage").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseAuthorizationHeader("0xaa_0xbb_0x12").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseAuthorizationHeader(std::string("0xaa_0xbb_") + kZero)
                .status()
                .message(),
            "Null address");
}

class ChallengeStoreTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  CountingRandom random_;
  ChallengeStore store_{kChainId, &clock_, &random_};
};

TEST_F(ChallengeStoreTest, OneChallengePerAddressUsedOnce) {
  json first = *store_.Challenge(Addr(kOwner));
  EXPECT_EQ(first["primaryType"], "Challenge");
  EXPECT_EQ(first["domain"]["chainId"], "65535");
  std::string text = first["message"]["challenge"];
  ASSERT_EQ(text.rfind(iexec::kMarketChallengePrefix, 0), 0u);
  EXPECT_EQ(text.size(),
            std::string(iexec::kMarketChallengePrefix).size() + 32);
  EXPECT_EQ(*store_.Challenge(Addr(kOwner)), first);  // served again
  EXPECT_NE((*store_.Challenge(Addr(kOther)))["message"], first["message"]);

  std::string header = AuthHeader(first);
  absl::StatusOr<eth::Address> who = store_.Authorize(header);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(*who, Addr(kOwner));
  // Used: refused, and the next challenge is a new one.
  EXPECT_EQ(store_.Authorize(header).status().message(),
            "Challenge not valid. Need to request a new challenge.");
  EXPECT_NE((*store_.Challenge(Addr(kOwner)))["message"], first["message"]);
}

TEST_F(ChallengeStoreTest, BoundToTheAddressThatAskedForIt) {
  json challenge = *store_.Challenge(Addr(kOwner));
  // Another key signs the owner's challenge and claims the owner's address.
  std::string forged = AuthHeader(challenge, Key(kOtherKey));
  forged = forged.substr(0, forged.rfind('_') + 1) + kOwner;
  EXPECT_EQ(store_.Authorize(forged).status().message(),
            "Failed to verify signer, addresses mismatch.");
  // The owner's header presented for another address.
  std::string moved = AuthHeader(challenge);
  moved = moved.substr(0, moved.rfind('_') + 1) + kOther;
  EXPECT_EQ(store_.Authorize(moved).status().message(),
            "Challenge not valid. Need to request a new challenge.");
  // A bad signature.
  std::string h = AuthHeader(challenge);
  std::string bad = h.substr(0, 66) + "_0x1234_" + kOwner;
  EXPECT_EQ(store_.Authorize(bad).status().message(),
            "Authorization check failed");
  EXPECT_TRUE(store_.Authorize(h).ok());  // still pending after failures
}

TEST_F(ChallengeStoreTest, ChallengesExpireAfterFiveMinutes) {
  json challenge = *store_.Challenge(Addr(kOwner));
  clock_.Advance(kChallengeLifetime);
  EXPECT_EQ(store_.Authorize(AuthHeader(challenge)).status().message(),
            "Challenge not valid. Need to request a new challenge.");
  json fresh = *store_.Challenge(Addr(kOwner));
  EXPECT_NE(fresh["message"], challenge["message"]);
  EXPECT_TRUE(store_.Authorize(AuthHeader(fresh)).ok());
}

}  // namespace
}  // namespace poolops::market
