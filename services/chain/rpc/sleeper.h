// Waiting behind an interface, so retry backoff and receipt polling can be
// driven by tests without real sleeps.
#pragma once

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace poolops::chain {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(absl::Duration d) = 0;
  // The process-wide real sleeper (absl::SleepFor).
  static Sleeper* Real();
};

// Records every requested sleep and, when given a FakeClock, advances it by
// the same amount instead of waiting. Thread-safe.
class FakeSleeper : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock* clock = nullptr) : clock_(clock) {}
  void Sleep(absl::Duration d) override;
  std::vector<absl::Duration> sleeps() const;
  absl::Duration total() const;

 private:
  FakeClock* const clock_;
  mutable absl::Mutex mu_;
  std::vector<absl::Duration> sleeps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain
