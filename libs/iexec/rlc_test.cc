#include "libs/iexec/rlc.h"

#include "gtest/gtest.h"

namespace poolops::iexec {
namespace {

NRlc N(uint64_t v) { return NRlc(eth::U256(v)); }

TEST(NRlcTest, ParsesRlcAndNrlcStrictly) {
  EXPECT_EQ(*NRlc::Parse("1.5 RLC"), N(1'500'000'000));
  EXPECT_EQ(*NRlc::Parse("1500000000 nRLC"), N(1'500'000'000));
  EXPECT_EQ(*NRlc::Parse("1500000000"), N(1'500'000'000));
  EXPECT_EQ(*NRlc::Parse("2", eth::Unit::kRlc), N(2'000'000'000));
  EXPECT_EQ(*NRlc::Parse("0.000000001 rlc"), N(1));
  EXPECT_EQ(*NRlc::Parse("0"), N(0));
  for (const char* bad :
       {"", " 1", "1 ", "-1", "+1", "1e9", "1.", ".5", "1..5", "1.2.3",
        "0.0000000001 RLC", "1.5 nRLC", "1 ETH", "1 wei", "1  RLC", "0x10",
        "one RLC", "1 RLC extra"}) {
    absl::StatusOr<NRlc> v = NRlc::Parse(bad);
    EXPECT_FALSE(v.ok()) << "\"" << bad << "\" gave " << v->NrlcDecimal();
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  EXPECT_FALSE(NRlc::Parse("1", eth::Unit::kWei).ok());
}

TEST(NRlcTest, Formats) {
  EXPECT_EQ(N(1'500'000'000).RlcDecimal(), "1.5");
  EXPECT_EQ(N(1'500'000'000).NrlcDecimal(), "1500000000");
  EXPECT_EQ(N(1).ToString(), "1 nRLC (0.000000001 RLC)");
  EXPECT_EQ(N(0).ToString(), "0 nRLC (0 RLC)");
  // Round trip through the text.
  NRlc big(eth::U256::Max());
  EXPECT_EQ(*NRlc::Parse(big.NrlcDecimal()), big);
  EXPECT_EQ(*NRlc::Parse(big.RlcDecimal() + " RLC"), big);
}

TEST(NRlcTest, ComparesAndComputesWithoutWrapping) {
  // Not as strings: "9" > "10" lexically.
  EXPECT_LT(N(9), N(10));
  EXPECT_GT(*NRlc::Parse("1 RLC"), *NRlc::Parse("999999999"));
  EXPECT_EQ(*N(10).Minus(N(3)), N(7));
  EXPECT_EQ(*N(10).Minus(N(10)), N(0));
  absl::StatusOr<NRlc> under = N(3).Minus(N(10));
  ASSERT_FALSE(under.ok());
  EXPECT_EQ(under.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*N(3).Plus(N(4)), N(7));
  absl::StatusOr<NRlc> over = NRlc(eth::U256::Max()).Plus(N(1));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace poolops::iexec
