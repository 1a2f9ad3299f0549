#include "libs/eth/hex.h"

#include "gtest/gtest.h"

namespace poolops::eth {
namespace {

TEST(HexTest, EncodesLowercaseWithAndWithoutPrefix) {
  Bytes data = {0x00, 0xab, 0xCD, 0xff};
  EXPECT_EQ(ToHex(data), "0x00abcdff");
  EXPECT_EQ(ToHex(data, false), "00abcdff");
  EXPECT_EQ(ToHex({}), "0x");
}

TEST(HexTest, DecodesEitherCaseAndPrefix) {
  EXPECT_EQ(*FromHex("0xABcd"), (Bytes{0xab, 0xcd}));
  EXPECT_EQ(*FromHex("0XABcd"), (Bytes{0xab, 0xcd}));
  EXPECT_EQ(*FromHex("abcd"), (Bytes{0xab, 0xcd}));
  EXPECT_TRUE(FromHex("0x")->empty());
  EXPECT_TRUE(FromHex("")->empty());
}

TEST(HexTest, RejectsOddLengthAndBadCharacters) {
  absl::StatusOr<Bytes> odd = FromHex("0xabc", "salt");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(odd.status().message().find("salt"), std::string::npos);
  absl::StatusOr<Bytes> bad = FromHex("0xabzd", "sign");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("offset 2"), std::string::npos);
  EXPECT_FALSE(FromHex("0x 1").ok());
  EXPECT_FALSE(FromHex("0xg0").ok());
}

TEST(HexTest, FixedSize) {
  EXPECT_TRUE(FromHexFixed("0x0102", 2).ok());
  absl::StatusOr<Bytes> short_key = FromHexFixed("0x0102", 32, "key");
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.status().message().find("expected 32 bytes"),
            std::string::npos);
}

}  // namespace
}  // namespace poolops::eth
