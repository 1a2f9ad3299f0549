#include "libs/common/clock.h"

#include <chrono>

namespace poolops {
namespace {
class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  absl::Duration Monotonic() const override {
    return absl::FromChrono(
        std::chrono::steady_clock::now().time_since_epoch());
  }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
};
}  // namespace

Clock* Clock::Real() {
  static RealClock* clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

absl::Duration FakeClock::Monotonic() const {
  absl::MutexLock lock(&mu_);
  return monotonic_;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
  monotonic_ += d;
}

void FakeClock::JumpWall(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

void FakeClock::SleepFor(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  sleeps_.push_back(d);
  now_ += d;
  monotonic_ += d;
}

std::vector<absl::Duration> FakeClock::sleeps() const {
  absl::MutexLock lock(&mu_);
  return sleeps_;
}

absl::Duration FakeClock::slept() const {
  absl::MutexLock lock(&mu_);
  absl::Duration sum;
  for (absl::Duration d : sleeps_) sum += d;
  return sum;
}

}  // namespace poolops
