#include "devnet/simulators/spring_values.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace poolops::sim {
namespace {

TEST(IsoDurationTest, ParsesJavaDurationSpellings) {
  EXPECT_EQ(*ParseIsoDuration("PT5S"), absl::Seconds(5));
  EXPECT_EQ(*ParseIsoDuration("PT0.25S"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseIsoDuration("pt1s"), absl::Seconds(1));
  EXPECT_EQ(*ParseIsoDuration("PT1M30S"), absl::Seconds(90));
  EXPECT_EQ(*ParseIsoDuration("PT0,5S"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseIsoDuration("P1DT1H"), absl::Hours(25));
  EXPECT_EQ(*ParseIsoDuration("PT-0.5S"), -absl::Milliseconds(500));
  EXPECT_EQ(*ParseIsoDuration("-PT5S"), -absl::Seconds(5));
  for (const char* bad :
       {"", "5", "P", "PT", "P1DT", "PT5", "5S", "PT1.5M", "PT1S1M", "PT1H1H",
        "P1H", "PT0.1234567891S", "PTS", "PT5S ", "PT5X"}) {
    EXPECT_FALSE(ParseIsoDuration(bad).ok()) << bad;
  }
}

TEST(SpringDurationTest, BareNumbersAreMilliseconds) {
  auto bare = ParseSpringDuration("5");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->value, absl::Milliseconds(5));
  EXPECT_TRUE(bare->bare_number);
  EXPECT_EQ(ParseSpringDuration("5s")->value, absl::Seconds(5));
  EXPECT_EQ(ParseSpringDuration("250MS")->value, absl::Milliseconds(250));
  EXPECT_EQ(ParseSpringDuration("PT5S")->value, absl::Seconds(5));
  EXPECT_FALSE(ParseSpringDuration("PT5S")->bare_number);
  EXPECT_FALSE(ParseSpringDuration("5 seconds").ok());
  EXPECT_FALSE(ParseSpringDuration("5x").ok());
}

TEST(BlockTimeTest, From100MillisecondsTo20Seconds) {
  EXPECT_TRUE(CheckBlockTime("t", absl::Milliseconds(100)).ok());
  EXPECT_TRUE(CheckBlockTime("t", absl::Seconds(20)).ok());
  EXPECT_FALSE(CheckBlockTime("t", absl::Milliseconds(99)).ok());
  EXPECT_FALSE(
      CheckBlockTime("t", absl::Seconds(20) + absl::Nanoseconds(1)).ok());
  EXPECT_FALSE(CheckBlockTime("t", absl::ZeroDuration()).ok());
}

TEST(BlockTimeTest, BareIntegerIsRefusedWithItsIsoSpelling) {
  auto five = EnvBlockTime({{"IEXEC_BLOCK_TIME", "5"}}, "IEXEC_BLOCK_TIME",
                           absl::Seconds(5));
  ASSERT_FALSE(five.ok());
  std::string message(five.status().message());
  EXPECT_TRUE(absl::StrContains(message, "IEXEC_BLOCK_TIME=5")) << message;
  EXPECT_TRUE(absl::StrContains(message, "5 ms")) << message;
  EXPECT_TRUE(absl::StrContains(message, "PT5S")) << message;
  // A bare number Spring reads as a valid time (5000 ms) is what Spring does.
  EXPECT_EQ(*EnvBlockTime({{"B", "5000"}}, "B", absl::Seconds(1)),
            absl::Seconds(5));
  EXPECT_EQ(*EnvBlockTime({}, "B", absl::Seconds(1)), absl::Seconds(1));
  EXPECT_FALSE(EnvBlockTime({{"B", "PT0.05S"}}, "B", absl::Seconds(1)).ok());
  EXPECT_FALSE(EnvBlockTime({{"B", "PT21S"}}, "B", absl::Seconds(1)).ok());
  EXPECT_FALSE(EnvBlockTime({{"B", "soon"}}, "B", absl::Seconds(1)).ok());
}

TEST(SpringValuesTest, DecimalsAndIntegers) {
  EXPECT_EQ(*EnvPositiveDecimal({}, "M", 1.3), 1.3);
  EXPECT_EQ(*EnvPositiveDecimal({{"M", "4.0"}}, "M", 1.0), 4.0);
  for (const char* bad : {"0", "0.0", "-1", "x", "nan", "inf"}) {
    auto m = EnvPositiveDecimal({{"M", bad}}, "M", 1.0);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_TRUE(absl::StrContains(m.status().message(), "M='")) << bad;
  }
  EXPECT_EQ(*EnvNonNegativeInt64({{"N", "22000000000"}}, "N", 0), 22000000000);
  EXPECT_FALSE(EnvNonNegativeInt64({{"N", "-1"}}, "N", 0).ok());
  EXPECT_FALSE(EnvNonNegativeInt64({{"N", "1.5"}}, "N", 0).ok());
}

TEST(SpringValuesTest, Addresses) {
  const std::string a = "0x365E7BABAa85eC61Dffe5b520763062e6C29dA27";
  EXPECT_TRUE(IsEthAddress(a));
  EXPECT_FALSE(IsEthAddress("0x0"));
  EXPECT_FALSE(IsEthAddress(a.substr(0, 41)));
  EXPECT_TRUE(IsZeroAddress("0x" + std::string(40, '0')));
  EXPECT_FALSE(IsZeroAddress(a));
  EXPECT_EQ(*EnvNonZeroAddress({{"P", a}}, "P", ""), a);
  EXPECT_FALSE(EnvNonZeroAddress({}, "P", "").ok());
  EXPECT_FALSE(EnvNonZeroAddress({{"P", ""}}, "P", "").ok());
  EXPECT_FALSE(EnvNonZeroAddress({{"P", "0x0"}}, "P", "").ok());
  auto zero = EnvNonZeroAddress({{"P", "0x" + std::string(40, '0')}}, "P", "");
  ASSERT_FALSE(zero.ok());
  EXPECT_TRUE(absl::StrContains(zero.status().message(), "zero address"));
}

TEST(SpringValuesTest, Urls) {
  EXPECT_TRUE(CheckUrl("U", "http://core:13000", UrlSchemes::kHttpOnly).ok());
  EXPECT_TRUE(
      CheckUrl("U", "https://bellecour.iex.ec", UrlSchemes::kHttpOrHttps).ok());
  EXPECT_FALSE(
      CheckUrl("U", "https://bellecour.iex.ec", UrlSchemes::kHttpOnly).ok());
  EXPECT_FALSE(CheckUrl("U", "core:13000", UrlSchemes::kHttpOrHttps).ok());
  EXPECT_FALSE(CheckUrl("U", "http://:13000", UrlSchemes::kHttpOrHttps).ok());
  EXPECT_FALSE(CheckUrl("U", "http://h:0", UrlSchemes::kHttpOrHttps).ok());
  EXPECT_EQ(*EnvUrl({}, "U", "http://localhost:13010", UrlSchemes::kHttpOnly),
            "http://localhost:13010");
  auto missing = EnvUrl({}, "U", "", UrlSchemes::kHttpOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "U is required"));
}

}  // namespace
}  // namespace poolops::sim
