#include "libs/iexec/workerpool_order.h"

#include "gtest/gtest.h"
#include "libs/eth/eip712.h"
#include "libs/iexec/test_orders.h"

namespace poolops::iexec {
namespace {

using nlohmann::json;
using namespace testing;  // NOLINT

// PROTOCOL facts §F.2: struct hash, order hash and signature on the devnet
// (65535, hub 0xe7f1...0512) and Bellecour (134, hub 0x3eca...4E7f) domains.
TEST(WorkerpoolOrderTest, HashesAndSignatureMatchTheVectors) {
  json signed_devnet = Signed(OrderJson());
  absl::StatusOr<WorkerpoolOrder> order =
      ParseSignedWorkerpoolOrder(signed_devnet);
  ASSERT_TRUE(order.ok()) << order.status();
  auto digests = eth::eip712::HashTypedData(
      WorkerpoolOrderTypedData(*order, DevnetDomain()));
  ASSERT_TRUE(digests.ok()) << digests.status();
  EXPECT_EQ(
      eth::ToHex(digests->struct_hash),
      "0x70fe9fb70a6c745bc1e4744c4112c4af4a54a88323e89df8651bf1a127641ee1");
  EXPECT_EQ(
      eth::ToHex(digests->domain_separator),
      "0x43b39b9bae4626586b43f564008fb47d1abf9a99821dac41d1d2bc443b34d8cd");
  EXPECT_EQ(
      eth::ToHex(*WorkerpoolOrderHash(*order, DevnetDomain())),
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0");
  EXPECT_EQ(
      signed_devnet["sign"],
      "0x85d59b08d31b369f6f8c8bbf55266e3ed2b43fd63bbda49e13928f7b12993615"
      "677fcff53b2a3f2191d00231bae59c4c5aeb291714ec9d3bc22c30d4156cfb8c1c");

  OrderDomain bellecour{134,
                        Addr("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f")};
  EXPECT_EQ(
      eth::ToHex(*WorkerpoolOrderHash(*order, bellecour)),
      "0x0efc05f72f5ca5d3fd7937bfc6ec4541a2356eb1ebfd95447149e62aee65427e");
  EXPECT_EQ(
      Signed(OrderJson(), bellecour)["sign"],
      "0x125c7dd4d439ddf4071f0bcde3f6fa1819c7bbb5a0efb60f52098df22000dfee"
      "63ee5aa28dc5194072e9f73e325bf4d16c16b4c73f628957c8b11996e564bada1b");
}

TEST(WorkerpoolOrderTest, NumbersAndCaseAreNormalisedAsTheApiStoresThem) {
  json in = Signed(OrderJson());
  in["workerpool"] = "0x01a7015b8f7c437a945dcdd84e9dd9ad647bc1db";  // lower
  in["volume"] = 5;                                                 // number
  in["tag"] = "0x" + std::string(63, '0') + "3";
  in["salt"] = "0x" + std::string(64, 'A');
  absl::StatusOr<WorkerpoolOrder> order = ParseSignedWorkerpoolOrder(in);
  ASSERT_TRUE(order.ok()) << order.status();
  json out = WorkerpoolOrderToJson(*order);
  EXPECT_EQ(out["workerpool"], kWorkerpool);
  EXPECT_EQ(out["workerpoolprice"], 1000);
  EXPECT_TRUE(out["volume"].is_number());
  EXPECT_EQ(out["salt"], "0x" + std::string(64, 'a'));
  EXPECT_EQ(out["sign"], in["sign"]);
}

TEST(WorkerpoolOrderTest, SchemaErrorsUseTheApiMessages) {
  auto message = [](json order) {
    return std::string(ParseSignedWorkerpoolOrder(order).status().message());
  };
  json base = Signed(OrderJson());
  json o = base;
  o.erase("salt");
  EXPECT_EQ(message(o), "order.salt is a required field");
  o = base;
  o["volume"] = "0";
  EXPECT_EQ(message(o), "order.volume must be greater than or equal to 1");
  o = base;
  o["workerpoolprice"] = "1.5";
  EXPECT_EQ(message(o), "order.workerpoolprice must be an integer");
  o = base;
  o["workerpoolprice"] = "9007199254740992";
  EXPECT_EQ(message(o),
            "order.workerpoolprice must be less than or equal to "
            "9007199254740991");
  o = base;
  o["category"] = "abc";
  EXPECT_EQ(message(o),
            "order.category must be a `number` type, but the final value was: "
            "`NaN` (cast from the value `\"abc\"`).");
  o = base;
  o["workerpool"] = "0x123";
  EXPECT_EQ(message(o), "order.workerpool is not a valid ethereum address");
  o = base;
  o["tag"] = "tee";
  EXPECT_EQ(message(o), "order.tag must be a bytes32 hexstring");
  o = base;
  o["sign"] = "abc";
  EXPECT_EQ(message(o), "order.sign must be a valid signature");
  EXPECT_EQ(message(json()), "order is a required field");
}

TEST(WorkerpoolOrderTest, TagBitSets) {
  std::string none = "0x" + std::string(64, '0');
  std::string tee_scone = "0x" + std::string(63, '0') + "3";
  std::string tee = "0x" + std::string(63, '0') + "1";
  std::string gpu_tee = "0x" + std::string(61, '0') + "101";
  EXPECT_TRUE(TagIncludes(tee_scone, tee));
  EXPECT_FALSE(TagIncludes(tee, tee_scone));
  EXPECT_TRUE(TagIncludes(tee, none));
  EXPECT_TRUE(TagWithin(tee, gpu_tee));
  EXPECT_FALSE(TagWithin(tee_scone, gpu_tee));
}

}  // namespace
}  // namespace poolops::iexec
