#include "libs/eth/units.h"

#include "gtest/gtest.h"

namespace poolops::eth {
namespace {

U256 Parse(std::string_view text, Unit unit, Unit base) {
  absl::StatusOr<U256> v = ParseAmount(text, unit, base);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.value_or(U256());
}

TEST(UnitsTest, ParseUnitNames) {
  EXPECT_EQ(*ParseUnit("RLC"), Unit::kRlc);
  EXPECT_EQ(*ParseUnit("rlc"), Unit::kRlc);
  EXPECT_EQ(*ParseUnit("nRLC"), Unit::kNRlc);
  EXPECT_EQ(*ParseUnit("NRLC"), Unit::kNRlc);
  EXPECT_EQ(*ParseUnit("wei"), Unit::kWei);
  EXPECT_EQ(*ParseUnit("ether"), Unit::kEther);
  EXPECT_EQ(*ParseUnit("ETH"), Unit::kEther);
  EXPECT_FALSE(ParseUnit("gwei").ok());
  EXPECT_EQ(UnitName(Unit::kNRlc), "nRLC");
  EXPECT_EQ(UnitDecimals(Unit::kRlc), 18);
  EXPECT_EQ(UnitDecimals(Unit::kNRlc), 9);
}

TEST(UnitsTest, RlcToNRlc) {
  EXPECT_EQ(Parse("1.5", Unit::kRlc, Unit::kNRlc), U256(1500000000));
  EXPECT_EQ(Parse("0.000000001", Unit::kRlc, Unit::kNRlc), U256(1));
  EXPECT_EQ(Parse("2", Unit::kRlc, Unit::kNRlc), U256(2000000000));
  EXPECT_EQ(Parse("100", Unit::kNRlc, Unit::kNRlc), U256(100));
  EXPECT_EQ(Parse("1.000", Unit::kNRlc, Unit::kNRlc), U256(1));
  EXPECT_EQ(Parse("0", Unit::kRlc, Unit::kNRlc), U256(0));
  EXPECT_EQ(Parse("0.0", Unit::kRlc, Unit::kNRlc), U256(0));
  EXPECT_EQ(Parse("007", Unit::kNRlc, Unit::kNRlc), U256(7));
}

TEST(UnitsTest, FinerThanBaseIsRejected) {
  absl::StatusOr<U256> v = ParseAmount("0.0000000001", Unit::kRlc, Unit::kNRlc);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("nRLC"), std::string::npos);
  EXPECT_FALSE(ParseAmount("1.5", Unit::kNRlc, Unit::kNRlc).ok());
  EXPECT_FALSE(ParseAmount("1", Unit::kWei, Unit::kNRlc).ok());
  EXPECT_EQ(Parse("1000000000", Unit::kWei, Unit::kNRlc), U256(1));
}

TEST(UnitsTest, ToWei) {
  EXPECT_EQ(Parse("1", Unit::kRlc, Unit::kWei),
            *U256::FromDecimal("1000000000000000000"));
  EXPECT_EQ(Parse("1.5", Unit::kEther, Unit::kWei),
            *U256::FromDecimal("1500000000000000000"));
  EXPECT_EQ(Parse("1", Unit::kNRlc, Unit::kWei), U256(1000000000));
  EXPECT_EQ(Parse("0.000000000000000001", Unit::kRlc, Unit::kWei), U256(1));
  EXPECT_FALSE(
      ParseAmount("0.0000000000000000001", Unit::kRlc, Unit::kWei).ok());
}

TEST(UnitsTest, RejectsGarbage) {
  for (const char* bad : {"", "-1", "-0.5", "1e9", "1E9", "abc", "1.2.3", ".5",
                          "1.", " 1", "1 ", "0x10", "+1", "1,5", "∞"})
    EXPECT_FALSE(ParseAmount(bad, Unit::kRlc, Unit::kNRlc).ok()) << bad;
  absl::StatusOr<U256> neg = ParseAmount("-1", Unit::kRlc, Unit::kNRlc);
  EXPECT_NE(neg.status().message().find("negative"), std::string::npos);
  // Larger than 2^256 once scaled.
  EXPECT_FALSE(ParseAmount(std::string(70, '9'), Unit::kRlc, Unit::kWei).ok());
}

TEST(UnitsTest, FormatTrimsTrailingZeros) {
  EXPECT_EQ(FormatAmount(1500000000, Unit::kNRlc, Unit::kRlc), "1.5");
  EXPECT_EQ(FormatAmount(1, Unit::kNRlc, Unit::kRlc), "0.000000001");
  EXPECT_EQ(FormatAmount(0, Unit::kNRlc, Unit::kRlc), "0");
  EXPECT_EQ(FormatAmount(1000000000000, Unit::kNRlc, Unit::kRlc), "1000");
  EXPECT_EQ(FormatAmount(2000000000, Unit::kNRlc, Unit::kNRlc), "2000000000");
  EXPECT_EQ(FormatAmount(*U256::FromDecimal("1230000000000000000"), Unit::kWei,
                         Unit::kEther),
            "1.23");
  EXPECT_EQ(FormatAmount(3, Unit::kNRlc, Unit::kWei), "3000000000");
  EXPECT_EQ(FormatAmount(0, Unit::kNRlc, Unit::kWei), "0");
  EXPECT_EQ(FormatAmount(U256::Max(), Unit::kWei, Unit::kEther),
            "115792089237316195423570985008687907853269984665640564039457."
            "584007913129639935");
}

TEST(UnitsTest, FormatParseRoundTrip) {
  for (uint64_t v :
       {0ull, 1ull, 10ull, 999999999ull, 1000000000ull, 123456789012ull}) {
    std::string text = FormatAmount(v, Unit::kNRlc, Unit::kRlc);
    EXPECT_EQ(Parse(text, Unit::kRlc, Unit::kNRlc), U256(v)) << text;
  }
}

}  // namespace
}  // namespace poolops::eth
