#include "libs/common/wait_until.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops {
namespace {

using ::testing::ElementsAre;

TEST(WaitUntilTest, TrueAtOnceDoesNotSleep) {
  FakeClock clock;
  int asks = 0;
  EXPECT_TRUE(WaitUntil(clock, clock.Now() + absl::Seconds(10),
                        absl::Seconds(1), [&] { return ++asks > 0; }));
  EXPECT_EQ(asks, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(WaitUntilTest, SleepsThePollIntervalUntilTheConditionHolds) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  int asks = 0;
  EXPECT_TRUE(WaitUntil(clock, start + absl::Seconds(10),
                        absl::Milliseconds(500), [&] { return ++asks == 3; }));
  EXPECT_EQ(asks, 3);
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Milliseconds(500), absl::Milliseconds(500)));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(1));
}

TEST(WaitUntilTest, GivesUpAtTheDeadlineAfterALastAsk) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  int asks = 0;
  EXPECT_FALSE(
      WaitUntil(clock, start + absl::Seconds(3), absl::Seconds(1), [&] {
        ++asks;
        return false;
      }));
  // Asked at 0, 1, 2 and 3 s; at 3 s the deadline has come.
  EXPECT_EQ(asks, 4);
  EXPECT_EQ(clock.slept(), absl::Seconds(3));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(3));
}

TEST(WaitUntilTest, SeesAConditionThatHoldsOnTheLastAsk) {
  FakeClock clock;
  const absl::Time deadline = clock.Now() + absl::Seconds(2);
  EXPECT_TRUE(WaitUntil(clock, deadline, absl::Seconds(5),
                        [&] { return clock.Now() >= deadline; }));
  EXPECT_EQ(clock.sleeps().size(), 1u);
}

TEST(WaitUntilTest, APastDeadlineStillAsksOnce) {
  FakeClock clock;
  int asks = 0;
  EXPECT_FALSE(
      WaitUntil(clock, clock.Now() - absl::Seconds(1), absl::Seconds(1), [&] {
        ++asks;
        return false;
      }));
  EXPECT_EQ(asks, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(WaitUntilTest, RealClockReallySleepsBetweenAsks) {
  const absl::Time start = absl::Now();
  int asks = 0;
  EXPECT_TRUE(WaitUntil(*Clock::Real(), start + absl::Seconds(5),
                        absl::Milliseconds(5), [&] {
                          ++asks;
                          return absl::Now() >= start + absl::Milliseconds(20);
                        }));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
  EXPECT_LE(asks, 6);  // slept between asks, no busy loop
}

}  // namespace
}  // namespace poolops
