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
  store.Put("a", Key(7), clock.Now() + absl::Seconds(10));
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
  store.Put("a", Key(1), clock.Now() + absl::Seconds(10));
  store.Put("a", Key(2), clock.Now() + absl::Seconds(20));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.UnlockedUntil("a"), clock.Now() + absl::Seconds(20));
  store.Remove("a");
  store.Remove("missing");
  EXPECT_FALSE(store.UnlockedUntil("a").has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(UnlockStoreTest, TheReaperWakesForARealExpiry) {
  UnlockStore store(Clock::Real(), absl::Seconds(30));
  store.Put("a", Key(1), absl::Now() + absl::Milliseconds(50));
  for (int i = 0; i < 200 && store.size() != 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(store.size(), 0u) << "wiped long before the 30 s poll";
}

}  // namespace
}  // namespace poolops::wallet
