#include "libs/iexec/validation.h"

#include "gtest/gtest.h"

namespace poolops::iexec {
namespace {

using nlohmann::json;

TEST(ValidationTest, IntegersCastAsJavaScriptDoes) {
  json v = " 12 ";
  EXPECT_EQ(**IntegerField(&v, "n", 0, 100, true), 12u);
  v = "0x10";
  EXPECT_EQ(**IntegerField(&v, "n", 0, 100, true), 16u);
  v = "1e2";
  EXPECT_EQ(**IntegerField(&v, "n", 0, 100, true), 100u);
  v = 7;
  EXPECT_EQ(**IntegerField(&v, "n", 0, 100, true), 7u);
  EXPECT_FALSE(IntegerField(nullptr, "n", 0, 100, false)->has_value());
  EXPECT_EQ(IntegerField(nullptr, "n", 0, 100, true).status().message(),
            "n is a required field");
  v = -1;
  EXPECT_EQ(IntegerField(&v, "n", 0, 100, true).status().message(),
            "n must be greater than or equal to 0");
  v = "";
  EXPECT_EQ(IntegerField(&v, "n", 0, 100, true).status().message(),
            "n must be a `number` type, but the final value was: `NaN` (cast "
            "from the value `\"\"`).");
}

TEST(ValidationTest, AddressesBooleansAndAny) {
  json v = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  EXPECT_EQ((*AddressField(&v, "a", true))->ToChecksum(),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  v = "0x70997970c51812dc3a010c7d01b50e0d17dc79C8";  // bad checksum: accepted
  EXPECT_TRUE(AddressField(&v, "a", true).ok());
  v = "any";
  EXPECT_TRUE((*AddressOrAnyField(&v, "workerpool"))->any);
  v = "nope";
  EXPECT_EQ(AddressOrAnyField(&v, "workerpool").status().message(),
            "workerpool is neither \"any\" nor a valid ethereum address");
  v = "TRUE";
  EXPECT_TRUE(**BooleanField(&v, "isAppStrict"));
  v = "0";
  EXPECT_FALSE(**BooleanField(&v, "isAppStrict"));
  v = "yes";
  EXPECT_EQ(BooleanField(&v, "isAppStrict").status().message(),
            "isAppStrict must be a `boolean` type, but the final value was: "
            "`\"yes\"`.");
}

}  // namespace
}  // namespace poolops::iexec
