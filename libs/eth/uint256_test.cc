#include "libs/eth/uint256.h"

#include "gtest/gtest.h"
#include "libs/eth/hex.h"

namespace poolops::eth {
namespace {

constexpr char kMaxDecimal[] =
    "11579208923731619542357098500868790785326998466564056403945758400791312963"
    "9935";
constexpr char kTwoTo256[] =
    "11579208923731619542357098500868790785326998466564056403945758400791312963"
    "9936";

U256 Dec(std::string_view s) { return *U256::FromDecimal(s); }

TEST(U256Test, DecimalLimits) {
  EXPECT_EQ(Dec("0"), U256(0));
  EXPECT_EQ(Dec("18446744073709551615"), U256(~uint64_t{0}));
  EXPECT_EQ(Dec(kMaxDecimal), U256::Max());
  EXPECT_EQ(U256::Max().ToDecimal(), kMaxDecimal);
  absl::StatusOr<U256> overflow = U256::FromDecimal(kTwoTo256, "value");
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(overflow.status().message().find("value"), std::string::npos);
  for (const char* bad : {"", "-1", "1e3", "1.0", " 1", "1_000", "0x10", "+1"})
    EXPECT_FALSE(U256::FromDecimal(bad).ok()) << bad;
}

TEST(U256Test, HexLimits) {
  EXPECT_EQ(*U256::FromHex("0x"), U256(0));
  EXPECT_EQ(*U256::FromHex("0xff"), U256(255));
  EXPECT_EQ(*U256::FromHex("FF"), U256(255));
  std::string max = "0x" + std::string(64, 'f');
  EXPECT_EQ(*U256::FromHex(max), U256::Max());
  EXPECT_EQ(*U256::FromHex("0x000" + std::string(64, 'f')), U256::Max());
  EXPECT_FALSE(U256::FromHex("0x1" + std::string(64, '0')).ok());  // 2^256
  EXPECT_FALSE(U256::FromHex("0xfg").ok());
  EXPECT_FALSE(U256::FromHex("").ok());
  EXPECT_EQ(U256(0).ToHex(), "0x0");
  EXPECT_EQ(U256(4096).ToHex(), "0x1000");
  EXPECT_EQ(U256::Max().ToHex(), max);
}

TEST(U256Test, ParseDispatchesOnPrefix) {
  EXPECT_EQ(*U256::Parse("0x10"), U256(16));
  EXPECT_EQ(*U256::Parse("10"), U256(10));
  EXPECT_FALSE(U256::Parse("ten").ok());
}

TEST(U256Test, Bytes) {
  U256 v = *U256::FromHex("0x0102030405060708090a0b0c0d0e0f10111213");
  EXPECT_EQ(ToHex(v.ToMinimalBytesBE()),
            "0x0102030405060708090a0b0c0d0e0f10111213");
  EXPECT_EQ(*U256::FromBytesBE(v.ToBytesBE()), v);
  EXPECT_TRUE(U256(0).ToMinimalBytesBE().empty());
  EXPECT_EQ(*U256::FromBytesBE({}), U256(0));
  EXPECT_FALSE(U256::FromBytesBE(Bytes(33, 1)).ok());
  EXPECT_EQ(U256(1).ToBytesBE()[31], 1);
}

TEST(U256Test, MulDivModKnownValues) {
  U256 a = Dec("123456789012345678901234567890");
  U256 b = Dec("987654321098765432109876543210");
  EXPECT_EQ((a * b).ToDecimal(),
            "121932631137021795226185032733622923332237463801111263526900");
  U256 big =
      Dec("121932631137021795226185032733622923332237463801111263526900");
  EXPECT_EQ(big / a, b);
  EXPECT_EQ(big % a, U256(0));
  EXPECT_EQ((big + 12345) % b, U256(12345));
  EXPECT_EQ(Dec(kMaxDecimal) / Dec("340282366920938463463374607431768211456"),
            Dec("340282366920938463463374607431768211455"));  // (2^256-1)/2^128
  EXPECT_EQ(Dec(kMaxDecimal) % U256(10), U256(5));
  EXPECT_EQ(Dec(kMaxDecimal) / U256(10),
            Dec("11579208923731619542357098500868790785326998466564056403945758"
                "400791312963993"));
  EXPECT_EQ(U256(7) / U256(0), U256(0));
  EXPECT_EQ(U256(7) % U256(0), U256(0));
  EXPECT_FALSE(U256(7).CheckedDiv(0).ok());
  EXPECT_EQ(*U256(7).CheckedDiv(2), U256(3));
}

TEST(U256Test, CheckedOverflow) {
  EXPECT_FALSE(U256::Max().CheckedAdd(1).ok());
  EXPECT_EQ(U256::Max() + 1, U256(0));
  EXPECT_FALSE(U256(0).CheckedSub(1).ok());
  EXPECT_EQ(U256(0) - 1, U256::Max());
  U256 two128 = U256(1) << 128;
  EXPECT_FALSE(two128.CheckedMul(two128).ok());
  EXPECT_EQ(two128 * two128, U256(0));
  EXPECT_TRUE((two128 - 1).CheckedMul(two128).ok());
  EXPECT_EQ(*U256(6).CheckedMul(7), U256(42));
  EXPECT_EQ(*U256(40).CheckedAdd(2), U256(42));
  EXPECT_EQ(*U256(44).CheckedSub(2), U256(42));
}

TEST(U256Test, ShiftsAndComparisons) {
  U256 one = 1;
  EXPECT_EQ((one << 255) >> 255, one);
  EXPECT_EQ(one << 256, U256(0));
  EXPECT_EQ((one << 64).BitLength(), 65);
  EXPECT_EQ(U256(0).BitLength(), 0);
  EXPECT_EQ(U256::Max().BitLength(), 256);
  EXPECT_EQ(U256::Max() >> 192, U256(~uint64_t{0}));
  EXPECT_LT(U256(1), one << 200);
  EXPECT_GT(U256::Max(), one << 255);
  EXPECT_TRUE(U256(5).FitsUint64());
  EXPECT_FALSE((one << 64).FitsUint64());
  EXPECT_EQ((one << 70).low64(), 0u);
}

}  // namespace
}  // namespace poolops::eth

namespace poolops::eth {
namespace {

// ToDecimal works in 19-digit chunks: zeros inside and at chunk edges.
TEST(U256DecimalTest, ChunkBoundaries) {
  for (const char* text :
       {"1", "9", "10", "9999999999999999999", "10000000000000000000",
        "10000000000000000005", "100000000000000000000000000000000000000",
        "100000000000000000000000000000000000001",
        "1000000000000000000", "18446744073709551615",
        "18446744073709551616"}) {
    absl::StatusOr<U256> v = U256::FromDecimal(text);
    ASSERT_TRUE(v.ok()) << text;
    EXPECT_EQ(v->ToDecimal(), text);
  }
}

}  // namespace
}  // namespace poolops::eth
