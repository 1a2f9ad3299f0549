#include "services/chain/rpc/sleeper.h"

#include "absl/time/clock.h"

namespace poolops::chain {
namespace {
class RealSleeper : public Sleeper {
 public:
  void Sleep(absl::Duration d) override { absl::SleepFor(d); }
};
}  // namespace

Sleeper* Sleeper::Real() {
  static RealSleeper* sleeper = new RealSleeper();
  return sleeper;
}

void FakeSleeper::Sleep(absl::Duration d) {
  {
    absl::MutexLock lock(&mu_);
    sleeps_.push_back(d);
  }
  if (clock_ != nullptr) clock_->Advance(d);
}

std::vector<absl::Duration> FakeSleeper::sleeps() const {
  absl::MutexLock lock(&mu_);
  return sleeps_;
}

absl::Duration FakeSleeper::total() const {
  absl::MutexLock lock(&mu_);
  absl::Duration sum;
  for (absl::Duration d : sleeps_) sum += d;
  return sum;
}

}  // namespace poolops::chain
