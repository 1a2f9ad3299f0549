#include "services/chain/orders/order_terms.h"

#include "devnet/market/auth.h"
#include "devnet/market/fake_chain_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/iexec/market_challenge.h"
#include "services/chain/orders/market_client.h"
#include "services/chain/tx/key_signer.h"

namespace poolops::chain {
namespace {

namespace mt = market::testing;
using ::testing::HasSubstr;

std::string Tag(const std::string& low_hex) {
  return "0x" + std::string(64 - low_hex.size(), '0') + low_hex;
}

class FixedRandom : public Random {
 public:
  explicit FixedRandom(uint8_t byte) : byte_(byte) {}
  absl::Status Fill(absl::Span<uint8_t> out) override {
    for (uint8_t& b : out) b = byte_;
    return absl::OkStatus();
  }

 private:
  uint8_t byte_;
};

// sdk utils.js encodeTag / validator.js tagSchema (allowAgnosticTee false).
TEST(EncodeTagTest, SdkVectors) {
  EXPECT_EQ(*EncodeTag(""), Tag("0"));
  EXPECT_EQ(*EncodeTag("tee,scone"), Tag("3"));
  EXPECT_EQ(*EncodeTag("tee,gramine"), Tag("5"));
  EXPECT_EQ(*EncodeTag("tee,tdx"), Tag("9"));
  EXPECT_EQ(*EncodeTag("gpu"), Tag("100"));
  EXPECT_EQ(*EncodeTag("tee,scone,gpu"), Tag("103"));
  EXPECT_EQ(*EncodeTag("scone, tee"), Tag("3"));  // order and spaces
  EXPECT_EQ(*EncodeTag("TEE,Scone"), Tag("3"));
  EXPECT_EQ(*EncodeTag(Tag("3")), Tag("3"));
  EXPECT_EQ(*EncodeTag("0x" + std::string(61, '0') + "1A0"), Tag("1a0"));
}

TEST(EncodeTagTest, SdkValidityRules) {
  EXPECT_THAT(EncodeTag("tee").status().message(),
              HasSubstr("'tee' must be used with a tee framework"));
  EXPECT_THAT(EncodeTag("scone").status().message(),
              HasSubstr("must be used with 'tee'"));
  EXPECT_THAT(EncodeTag("tee,scone,gramine").status().message(),
              HasSubstr("exclusive"));
  EXPECT_THAT(EncodeTag(Tag("1")).status().message(),
              HasSubstr("'tee' must be used"));  // same rules for hex
  EXPECT_THAT(EncodeTag("tee,sgx").status().message(),
              HasSubstr("unknown tag \"sgx\""));
  EXPECT_THAT(EncodeTag("0x03").status().message(), HasSubstr("bytes32"));
  EXPECT_EQ(EncodeTag("tee").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DescribeTagTest, NamesBits) {
  EXPECT_EQ(DescribeTag(Tag("103")), "tee,scone,gpu");
  EXPECT_EQ(DescribeTag(Tag("0")), "");
  EXPECT_EQ(DescribeTag(Tag("10")), "bit4");
}

// iExec v9 (PoCo 6): no SGX, TDX with trust >= 1; PoCo 5 keeps SGX.
TEST(CheckTagOnChainTest, Poco6RefusesSgxAndTdxWithoutTrust) {
  const eth::Address hub =
      *eth::Address::Parse("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  const PocoGeneration v9 = PocoGeneration::kPoco6;
  EXPECT_EQ(Tag("9"), kTdxTag);
  EXPECT_TRUE(CheckTagOnChain(Tag("0"), 0, v9, hub).ok());
  EXPECT_TRUE(CheckTagOnChain(Tag("100"), 0, v9, hub).ok());  // gpu
  EXPECT_TRUE(CheckTagOnChain(Tag("9"), 1, v9, hub).ok());
  EXPECT_TRUE(CheckTagOnChain(Tag("109"), 3, v9, hub).ok());  // tdx + gpu
  for (const char* sgx : {"3", "5", "103"}) {
    absl::Status s = CheckTagOnChain(Tag(sgx), 1, v9, hub);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << sgx;
    EXPECT_THAT(s.message(),
                HasSubstr("SGX (scone, gramine) is gone from iExec v9 / PoCo "
                          "6 chains (hub "
                          "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f is a "
                          "PoCo 6 Diamond); use tee,tdx (0x0000000000000000000"
                          "000000000000000000000000000000000000000000009) for "
                          "TDX or no tag for standard orders"));
  }
  EXPECT_THAT(CheckTagOnChain(Tag("3"), 0, v9, hub).message(),
              HasSubstr("tag tee,scone:"));
  EXPECT_THAT(CheckTagOnChain(Tag("5"), 0, v9, hub).message(),
              HasSubstr("tag tee,gramine:"));
  absl::Status trust0 = CheckTagOnChain(Tag("9"), 0, v9, hub);
  EXPECT_EQ(trust0.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(trust0.message(), HasSubstr("tag tee,tdx with trust 0"));
  EXPECT_THAT(trust0.message(), HasSubstr("trust >= 1"));
}

TEST(CheckTagOnChainTest, Poco5KeepsTodaysRules) {
  const eth::Address hub =
      *eth::Address::Parse("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  for (const char* tag : {"0", "3", "5", "9", "103"})
    EXPECT_TRUE(CheckTagOnChain(Tag(tag), 0, PocoGeneration::kPoco5, hub).ok())
        << tag;
}

TEST(CheckTagOnChainTest, OnlyTeeTagsNeedTheChain) {
  EXPECT_FALSE(TagHasTeeBits(Tag("0")));
  EXPECT_FALSE(TagHasTeeBits(Tag("100")));  // gpu
  EXPECT_FALSE(TagHasTeeBits("not a tag"));
  for (const char* tag : {"1", "3", "5", "9", "109"})
    EXPECT_TRUE(TagHasTeeBits(Tag(tag))) << tag;
}

TEST(BuildWorkerpoolOrderTest, SdkDefaults) {
  FixedRandom r(0x11);
  OrderTermsInput t;
  t.workerpool = "0x01a7015b8f7c437a945dcdd84e9dd9ad647bc1db";
  absl::StatusOr<iexec::WorkerpoolOrder> o = BuildWorkerpoolOrder(t, &r);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->workerpool.ToChecksum(), mt::kWorkerpool);
  EXPECT_EQ(o->workerpoolprice, 0u);
  EXPECT_EQ(o->volume, 1u);
  EXPECT_EQ(o->category, 0u);
  EXPECT_EQ(o->trust, 0u);
  EXPECT_EQ(o->tag, Tag("0"));
  EXPECT_TRUE(o->apprestrict.IsZero());
  EXPECT_TRUE(o->datasetrestrict.IsZero());
  EXPECT_TRUE(o->requesterrestrict.IsZero());
  EXPECT_EQ(o->salt, "0x" + std::string(64, '1'));
  EXPECT_EQ(o->sign, "");
}

TEST(BuildWorkerpoolOrderTest, UnitsAndFields) {
  FixedRandom r(0);
  OrderTermsInput t;
  t.workerpool = mt::kWorkerpool;
  t.price = "2";
  t.price_unit = eth::Unit::kRlc;
  t.volume = "5";
  t.category = "3";
  t.trust = "1";
  t.tag = "tee,scone";
  t.requester_restrict = mt::kOther;
  iexec::WorkerpoolOrder o = *BuildWorkerpoolOrder(t, &r);
  EXPECT_EQ(o.workerpoolprice, 2'000'000'000u);  // --price 2 RLC, as the SDK
  EXPECT_EQ(o.volume, 5u);
  EXPECT_EQ(o.category, 3u);
  EXPECT_EQ(o.trust, 1u);
  EXPECT_EQ(o.tag, Tag("3"));
  EXPECT_EQ(o.requesterrestrict.ToChecksum(), mt::kOther);
  t.price = "1000000000000";
  t.price_unit = eth::Unit::kWei;
  EXPECT_EQ(BuildWorkerpoolOrder(t, &r)->workerpoolprice, 1000u);
}

TEST(BuildWorkerpoolOrderTest, ErrorsNameTheField) {
  FixedRandom r(0);
  auto err = [&](auto edit) {
    OrderTermsInput t;
    t.workerpool = mt::kWorkerpool;
    edit(t);
    absl::StatusOr<iexec::WorkerpoolOrder> o = BuildWorkerpoolOrder(t, &r);
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(o.status().message());
  };
  EXPECT_THAT(err([](auto& t) { t.workerpool = ""; }),
              HasSubstr("workerpool is required"));
  EXPECT_THAT(err([](auto& t) { t.workerpool = "0x12"; }),
              HasSubstr("workerpool"));
  EXPECT_THAT(err([](auto& t) { t.volume = "0"; }), HasSubstr("volume"));
  EXPECT_THAT(err([](auto& t) { t.volume = "-1"; }), HasSubstr("volume"));
  EXPECT_THAT(err([](auto& t) { t.category = "x"; }), HasSubstr("category"));
  EXPECT_THAT(err([](auto& t) { t.trust = "1.5"; }), HasSubstr("trust"));
  EXPECT_THAT(err([](auto& t) { t.price = "abc"; }),
              HasSubstr("workerpoolprice"));
  EXPECT_THAT(err([](auto& t) { t.price = "0.5"; }),
              HasSubstr("workerpoolprice"));  // below 1 nRLC
  EXPECT_THAT(err([](auto& t) {
                t.price = "10000000";
                t.price_unit = eth::Unit::kRlc;
              }),
              HasSubstr("above the market"));
  EXPECT_THAT(err([](auto& t) { t.app_restrict = "nope"; }),
              HasSubstr("apprestrict"));
  EXPECT_THAT(err([](auto& t) { t.tag = "tee"; }), HasSubstr("tag"));
}

TEST(NewSaltTest, FreshFromTheCsprng) {
  std::string a = *NewSalt(Random::Secure());
  std::string b = *NewSalt(Random::Secure());
  EXPECT_EQ(a.size(), 66u);
  EXPECT_NE(a, b);
}

TEST(StakePerTaskTest, ThirtyPercentFloored) {
  EXPECT_EQ(StakePerTask(1000), eth::U256(300));
  EXPECT_EQ(StakePerTask(1), eth::U256(0));
  EXPECT_EQ(StakePerTask(7), eth::U256(2));
}

// PROTOCOL §F.2: the order vectors under both domains, signed as the
// gateway signs (typed data through the Signer).
iexec::WorkerpoolOrder VectorOrder() {
  FixedRandom r(0x11);
  OrderTermsInput t;
  t.workerpool = mt::kWorkerpool;
  t.price = "1000";
  t.volume = "5";
  t.tag = "tee,scone";
  return *BuildWorkerpoolOrder(t, &r);
}

TEST(OrderVectorsTest, BellecourAndDevnet) {
  KeySigner signer;
  ASSERT_TRUE(signer.Add("owner", mt::kOwnerKey).ok());
  struct Case {
    iexec::OrderDomain domain;
    const char* hash;
    const char* sign;
  } cases[] = {
      {{134, mt::Addr("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")},
       "0x0efc05f72f5ca5d3fd7937bfc6ec4541a2356eb1ebfd95447149e62aee65427e",
       "0x125c7dd4d439ddf4071f0bcde3f6fa1819c7bbb5a0efb60f52098df22000dfee63ee5"
       "a"
       "a28dc5194072e9f73e325bf4d16c16b4c73f628957c8b11996e564bada1b"},
      {mt::DevnetDomain(),
       "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0",
       "0x85d59b08d31b369f6f8c8bbf55266e3ed2b43fd63bbda49e13928f7b12993615677fc"
       "f"
       "f53b2a3f2191d00231bae59c4c5aeb291714ec9d3bc22c30d4156cfb8c1c"},
  };
  for (const Case& c : cases) {
    iexec::WorkerpoolOrder o = VectorOrder();
    absl::StatusOr<TypedDataSignature> sig = signer.SignTypedData(
        "owner", iexec::WorkerpoolOrderTypedData(o, c.domain), "test");
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_EQ(eth::ToHex(sig->digest), c.hash);
    EXPECT_EQ(eth::ToHex(sig->signature), c.sign);
    EXPECT_EQ(eth::ToHex(*iexec::WorkerpoolOrderHash(o, c.domain)), c.hash);
  }
}

// PROTOCOL §F.3: the market authorization header.
TEST(MarketAuthVectorTest, Header) {
  KeySigner signer;
  ASSERT_TRUE(signer.Add("owner", mt::kOwnerKey).ok());
  nlohmann::json challenge = {
      {"ok", true},
      {"data", iexec::MarketChallengeTypedData(
                   std::string(iexec::kMarketChallengePrefix) +
                       "abcdefghijklmnopqrstuvwxyz012345",
                   134)}};
  absl::StatusOr<std::string> header =
      MarketClient::AuthorizationFor(challenge, 134, signer, "owner");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(
      *header,
      "0xc5ee7fb42e0da8066e9bb45484d32d97aef9278dd6246c83184a29d6e0526148_"
      "0xebec90a2a38d02391e03315d0593c7891cb7f94754274ac4a728dcbaab07a06c04"
      "a95b17c6bb05a36ad622d92c22c20090edc232c22eedad05b28bdcb922e7311c_"
      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

}  // namespace
}  // namespace poolops::chain
