// The policy `pool up` gives a publishing owner, checked by the real vault
// (through its gRPC adapter) against the real shapes chain-gateway signs: the
// market's WorkerpoolOrder typed data and its login Challenge.
#include "services/orchestrator/owner_policy.h"

#include <grpcpp/server_context.h>

#include "absl/strings/ascii.h"
#include "devnet/market/auth.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/temp_dir_test_support.h"
#include "libs/iexec/market_challenge.h"
#include "libs/iexec/workerpool_order.h"
#include "services/wallet/test_random.h"
#include "services/wallet/wallet_service.h"

namespace poolops::orchestrator {
namespace {

using ::testing::HasSubstr;
namespace wv1 = ::poolops::wallet::v1;

constexpr char kHub[] = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";
constexpr char kPool[] = "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db";
constexpr char kOwnerKey[] =
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

ChainInfo Bellecour() {
  ChainInfo c;
  c.name = "bellecour";
  c.chain_id = "134";
  c.hub = kHub;
  c.sidechain = true;
  return c;
}

TEST(OwnerPolicyTest, MergeAddsWhatIsMissingAndKeepsTheRest) {
  wv1::Policy current;
  current.add_allowed_chain_ids("134");
  current.set_max_value_wei("5");
  current.set_allow_messages(true);
  current.add_allowed_to(absl::AsciiStrToLower(kHub));
  wv1::Policy add = PublishingOwnerPolicy(Bellecour(), kPool);
  wv1::Policy merged = MergePolicy(current, add);
  EXPECT_EQ(merged.allowed_chain_ids_size(), 1);
  EXPECT_EQ(merged.allowed_to_size(), 1) << "same hub in another case";
  EXPECT_EQ(merged.max_value_wei(), "5");
  EXPECT_TRUE(merged.allow_messages());
  EXPECT_EQ(merged.typed_data_rules_size(), 2);
  // Idempotent; a second pool of the same owner adds its order rule only.
  EXPECT_EQ(MergePolicy(merged, add).SerializeAsString(),
            merged.SerializeAsString());
  wv1::Policy two = MergePolicy(
      merged, PublishingOwnerPolicy(
                  Bellecour(), "0x0000000000000000000000000000000000000042"));
  EXPECT_EQ(two.typed_data_rules_size(), 3);
  // On a chain whose RLC is a token, staking goes through the token: no
  // recipient rule.
  ChainInfo token = Bellecour();
  token.sidechain = false;
  EXPECT_EQ(PublishingOwnerPolicy(token, kPool).allowed_to_size(), 0);
}

class OwnerPolicyVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wallet::VaultOptions o;
    o.home = home_.path();
    o.random = &random_;
    o.encrypt.scrypt_n = 1024;
    o.reaper_poll = absl::ZeroDuration();
    auto v = wallet::Vault::Open(o);
    ASSERT_TRUE(v.ok()) << v.status();
    vault_ = std::move(*v);
    ASSERT_TRUE(vault_->ImportPrivateKey("owner", kOwnerKey, "pw").ok());
    ASSERT_TRUE(vault_->Unlock("owner", "pw", absl::Minutes(10)).ok());
    service_ = std::make_unique<wallet::WalletServiceImpl>(vault_.get());
    wv1::SetPolicyRequest req;
    req.set_wallet("owner");
    *req.mutable_policy() = PublishingOwnerPolicy(Bellecour(), kPool);
    grpc::ServerContext ctx;
    wv1::WalletPolicy reply;
    grpc::Status s = service_->SetPolicy(&ctx, &req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  absl::Status Sign(const nlohmann::json& typed) {
    return vault_->SignTypedData("owner", typed.dump(), "test").status();
  }

  iexec::WorkerpoolOrder Order(const char* workerpool) {
    iexec::WorkerpoolOrder o;
    o.workerpool = *eth::Address::Parse(workerpool);
    o.workerpoolprice = 0;
    o.volume = 1000000;
    o.tag = "0x" + std::string(64, '0');
    o.salt = "0x" + std::string(64, '1');
    return o;
  }

  test::TempDir home_;
  test::DeterministicRandom random_;
  std::unique_ptr<wallet::Vault> vault_;
  std::unique_ptr<wallet::WalletServiceImpl> service_;
};

TEST_F(OwnerPolicyVaultTest, TheVaultSignsThePoolsOrdersAndTheChallengeOnly) {
  iexec::OrderDomain hub{134, *eth::Address::Parse(kHub)};
  EXPECT_TRUE(Sign(iexec::WorkerpoolOrderTypedData(Order(kPool), hub)).ok());
  EXPECT_TRUE(Sign(iexec::MarketChallengeTypedData(
                       std::string(iexec::kMarketChallengePrefix) + "abc", 134))
                  .ok());

  // A hostile market's "challenge" that is another pool's cheap order, or
  // this pool's order under another hub or chain: refused.
  absl::Status s = Sign(iexec::WorkerpoolOrderTypedData(
      Order("0x0000000000000000000000000000000000000042"), hub));
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("message.workerpool"));
  iexec::OrderDomain other_hub{
      134, *eth::Address::Parse("0x0000000000000000000000000000000000000007")};
  EXPECT_TRUE(absl::IsPermissionDenied(
      Sign(iexec::WorkerpoolOrderTypedData(Order(kPool), other_hub))));
  iexec::OrderDomain other_chain{1, *eth::Address::Parse(kHub)};
  EXPECT_TRUE(absl::IsPermissionDenied(
      Sign(iexec::WorkerpoolOrderTypedData(Order(kPool), other_chain))));
  EXPECT_TRUE(absl::IsPermissionDenied(
      Sign(iexec::MarketChallengeTypedData("abc", 1))));
  // Messages are refused too.
  EXPECT_TRUE(absl::IsPermissionDenied(
      vault_->SignMessage("owner", {}, "test").status()));
}

}  // namespace
}  // namespace poolops::orchestrator
