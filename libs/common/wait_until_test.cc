#include "libs/common/wait_until.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops {
namespace {

using ::testing::ElementsAre;

TEST(WaitUntilTest, TrueAtOnceDoesNotSleep) {
  FakeClock clock;
  int asks = 0;
  EXPECT_TRUE(WaitUntil(clock, absl::Seconds(10), absl::Seconds(1),
                        [&] { return ++asks > 0; }));
  EXPECT_EQ(asks, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(WaitUntilTest, SleepsThePollIntervalUntilTheConditionHolds) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  int asks = 0;
  EXPECT_TRUE(WaitUntil(clock, absl::Seconds(10), absl::Milliseconds(500),
                        [&] { return ++asks == 3; }));
  EXPECT_EQ(asks, 3);
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Milliseconds(500), absl::Milliseconds(500)));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(1));
}

TEST(WaitUntilTest, GivesUpAtTheDeadlineAfterALastAsk) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  int asks = 0;
  EXPECT_FALSE(WaitUntil(clock, absl::Seconds(3), absl::Seconds(1), [&] {
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
  EXPECT_TRUE(WaitUntil(clock, absl::Seconds(2), absl::Seconds(5),
                        [&] { return clock.Now() >= deadline; }));
  // Slept only what was left, not the whole poll interval.
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Seconds(2)));
}

// The wait runs on the monotonic reading: the wall clock jumping an hour
// ahead (or back) during the wait does not end (or stretch) it.
TEST(WaitUntilTest, AWallClockJumpNeitherEndsNorStretchesTheWait) {
  for (absl::Duration jump : {absl::Hours(1), -absl::Hours(1)}) {
    FakeClock clock;
    int asks = 0;
    EXPECT_FALSE(WaitUntil(clock, absl::Seconds(3), absl::Seconds(1), [&] {
      if (++asks == 1) clock.JumpWall(jump);
      return false;
    }));
    EXPECT_EQ(asks, 4);
    EXPECT_EQ(clock.slept(), absl::Seconds(3));
  }
}

TEST(WaitUntilTest, APastDeadlineStillAsksOnce) {
  FakeClock clock;
  int asks = 0;
  EXPECT_FALSE(WaitUntil(clock, -absl::Seconds(1), absl::Seconds(1), [&] {
    ++asks;
    return false;
  }));
  EXPECT_EQ(asks, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(WaitUntilTest, RealClockReallySleepsBetweenAsks) {
  const absl::Time start = absl::Now();
  int asks = 0;
  EXPECT_TRUE(
      WaitUntil(*Clock::Real(), absl::Seconds(5), absl::Milliseconds(5), [&] {
        ++asks;
        return absl::Now() >= start + absl::Milliseconds(20);
      }));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
  EXPECT_LE(asks, 6);  // slept between asks, no busy loop
}

}  // namespace
}  // namespace poolops
