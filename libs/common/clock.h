// Time behind an interface so tests can drive expiry, backoff and waits
// without real sleeps.
#pragma once

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace poolops {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time: for display and records. It can jump (NTP, an operator).
  virtual absl::Time Now() const = 0;
  // Time since an arbitrary fixed origin that never goes back nor jumps with
  // the wall clock: for deadlines (unlock expiry, lockouts, timeouts).
  virtual absl::Duration Monotonic() const = 0;
  // Blocks the caller for `d` (retry backoff, polling); a fake clock moves
  // on instead of blocking.
  virtual void SleepFor(absl::Duration d) = 0;
  // The process-wide real clock.
  static Clock* Real();
};

// A clock that only moves when told to, or slept on: SleepFor advances it at
// once and records the sleep. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000))
      : now_(start) {}
  absl::Time Now() const override;
  absl::Duration Monotonic() const override;
  // Time passes: both readings move by `d`.
  void Advance(absl::Duration d);
  // The wall clock is set (a jump either way); the monotonic reading stays.
  void JumpWall(absl::Duration d);
  // Advances by `d` and records it.
  void SleepFor(absl::Duration d) override;
  // Every sleep asked for, in order, and their sum.
  std::vector<absl::Duration> sleeps() const;
  absl::Duration slept() const;

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  absl::Duration monotonic_ ABSL_GUARDED_BY(mu_) = absl::Hours(1);
  std::vector<absl::Duration> sleeps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops
