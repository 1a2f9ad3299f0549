#include "libs/common/clock.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops {
namespace {

using ::testing::ElementsAre;

TEST(FakeClockTest, SleepAdvancesBothReadingsAndIsRecorded) {
  FakeClock clock;
  const absl::Time wall = clock.Now();
  const absl::Duration mono = clock.Monotonic();
  clock.SleepFor(absl::Seconds(2));
  clock.SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(clock.Now(), wall + absl::Milliseconds(2300));
  EXPECT_EQ(clock.Monotonic(), mono + absl::Milliseconds(2300));
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Seconds(2), absl::Milliseconds(300)));
  EXPECT_EQ(clock.slept(), absl::Milliseconds(2300));
}

TEST(FakeClockTest, AdvanceIsNotASleep) {
  FakeClock clock;
  clock.Advance(absl::Seconds(5));
  clock.JumpWall(absl::Seconds(5));
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(clock.slept(), absl::ZeroDuration());
}

TEST(RealClockTest, SleepForBlocks) {
  Clock* clock = Clock::Real();
  const absl::Duration before = clock->Monotonic();
  clock->SleepFor(absl::Milliseconds(20));
  EXPECT_GE(clock->Monotonic() - before, absl::Milliseconds(20));
}

}  // namespace
}  // namespace poolops
