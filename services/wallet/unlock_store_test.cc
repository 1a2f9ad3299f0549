#include "services/wallet/unlock_store.h"

#include <cstring>

#include "gtest/gtest.h"

namespace poolops::wallet {
namespace {

SecureBytes Key(uint8_t fill) {
  SecureBytes k(32);
  std::memset(k.data(), fill, k.size());
  return k;
}

TEST(UnlockStoreTest, KeysAreUsableUntilTheirExpiryOnly) {
  FakeClock clock;
  UnlockStore store(&clock, absl::ZeroDuration());
  store.Put("a", Key(7), absl::Seconds(10));
  EXPECT_EQ(store.UnlockedUntil("a"), clock.Now() + absl::Seconds(10));
  uint8_t seen = 0;
  ASSERT_TRUE(store
                  .WithKey("a",
                           [&](absl::Span<const uint8_t> k) {
                             ASSERT_EQ(k.size(), 32u);
                             seen = k[0];
                           })
                  .ok());
  EXPECT_EQ(seen, 7);
  EXPECT_EQ(store.WithKey("b", [](auto) {}).code(),
            absl::StatusCode::kFailedPrecondition);
  clock.Advance(absl::Seconds(10));
  EXPECT_FALSE(store.UnlockedUntil("a").has_value());
  EXPECT_EQ(store.WithKey("a", [](auto) { FAIL(); }).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.size(), 1u) << "not swept yet";
  EXPECT_EQ(store.Sweep(), 1);
  EXPECT_EQ(store.size(), 0u);
}

TEST(UnlockStoreTest, PutReplacesAndRemoveLocks) {
  FakeClock clock;
  UnlockStore store(&clock, absl::ZeroDuration());
  store.Put("a", Key(1), absl::Seconds(10));
  store.Put("a", Key(2), absl::Seconds(20));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.UnlockedUntil("a"), clock.Now() + absl::Seconds(20));
  store.Remove("a");
  store.Remove("missing");
  EXPECT_FALSE(store.UnlockedUntil("a").has_value());
  EXPECT_EQ(store.size(), 0u);
}

// A wall-clock jump must neither extend nor cut an unlock: expiry follows
// the monotonic reading; the wall expiry shown stays the one given at unlock.
TEST(UnlockStoreTest, WallClockJumpsDoNotMoveTheExpiry) {
  FakeClock clock;
  UnlockStore store(&clock, absl::ZeroDuration());
  absl::Time shown = store.Put("a", Key(1), absl::Seconds(60));
  EXPECT_EQ(shown, clock.Now() + absl::Seconds(60));
  clock.JumpWall(-absl::Hours(5));  // wall set back: must not extend
  clock.Advance(absl::Seconds(59));
  EXPECT_EQ(store.UnlockedUntil("a"), shown);
  EXPECT_TRUE(store.WithKey("a", [](auto) {}).ok());
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(store.UnlockedUntil("a").has_value())
      << "expired after 60 s of monotonic time despite the wall jump";
  EXPECT_EQ(store.WithKey("a", [](auto) { FAIL(); }).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Sweep(), 1);

  store.Put("b", Key(2), absl::Seconds(60));
  clock.JumpWall(absl::Hours(5));  // wall jumps forward: must not cut it
  EXPECT_TRUE(store.UnlockedUntil("b").has_value());
  EXPECT_TRUE(store.WithKey("b", [](auto) {}).ok());
  EXPECT_EQ(store.Sweep(), 0);
}

TEST(UnlockStoreTest, TheReaperWakesForARealExpiry) {
  UnlockStore store(Clock::Real(), absl::Seconds(30));
  store.Put("a", Key(1), absl::Milliseconds(50));
  for (int i = 0; i < 200 && store.size() != 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(store.size(), 0u) << "wiped long before the 30 s poll";
}

}  // namespace
}  // namespace poolops::wallet
