#include "services/wallet/rate_limiter.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace poolops::wallet {
namespace {

TEST(RateLimiterTest, DelaysDoubleAfterThreeFailuresAndCap) {
  FakeClock clock;
  RateLimiter limiter(&clock);
  EXPECT_TRUE(limiter.Check("a").ok());
  limiter.RecordFailure("a");
  limiter.RecordFailure("a");
  EXPECT_TRUE(limiter.Check("a").ok());
  limiter.RecordFailure("a");
  absl::Status s = limiter.Check("a");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "too many failed unlock attempts; retry in 1s");
  EXPECT_TRUE(limiter.Check("b").ok()) << "per key";
  clock.Advance(absl::Milliseconds(999));
  EXPECT_EQ(limiter.Check("a").message(),
            "too many failed unlock attempts; retry in 1s");
  clock.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(limiter.Check("a").ok());
  for (int64_t want : {2, 4, 8, 16, 32, 64, 128, 256, 300, 300}) {
    limiter.RecordFailure("a");
    EXPECT_EQ(
        limiter.Check("a").message(),
        absl::StrCat("too many failed unlock attempts; retry in ", want, "s"));
    clock.Advance(absl::Seconds(want));
    EXPECT_TRUE(limiter.Check("a").ok());
  }
  for (int i = 0; i < 100; ++i) limiter.RecordFailure("a");
  EXPECT_EQ(limiter.Check("a").message(),
            "too many failed unlock attempts; retry in 300s");
  limiter.RecordSuccess("a");
  EXPECT_TRUE(limiter.Check("a").ok());
  EXPECT_EQ(limiter.failures("a"), 0);
}

TEST(RateLimiterTest, AWallClockJumpDoesNotLiftALockout) {
  FakeClock clock;
  RateLimiter limiter(&clock, {.free_failures = 0,
                               .first_delay = absl::Seconds(60),
                               .max_delay = absl::Minutes(5)});
  limiter.RecordFailure("a");
  clock.JumpWall(absl::Hours(1));  // an attacker sets the date forward
  EXPECT_EQ(limiter.Check("a").message(),
            "too many failed unlock attempts; retry in 60s");
  clock.JumpWall(-absl::Hours(2));
  clock.Advance(absl::Seconds(60));
  EXPECT_TRUE(limiter.Check("a").ok());
}

}  // namespace
}  // namespace poolops::wallet
