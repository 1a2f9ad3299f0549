// Throttles password guessing per wallet. After `free_failures` consecutive
// wrong passwords, each further failure blocks attempts for an exponentially
// growing delay (1 s, 2 s, 4 s, ... capped at 5 min by default); a success
// resets the count. Delays run on the Clock's monotonic reading (a wall-clock
// jump neither lifts nor extends them). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace poolops::wallet {

struct RateLimiterOptions {
  int free_failures = 2;  // the 3rd consecutive failure starts the delays
  absl::Duration first_delay = absl::Seconds(1);
  absl::Duration max_delay = absl::Minutes(5);
};

class RateLimiter {
 public:
  explicit RateLimiter(Clock* clock, RateLimiterOptions options = {})
      : clock_(clock), options_(options) {}

  // OK, or ResourceExhausted "too many failed unlock attempts; retry in Ns"
  // while `key` is blocked.
  absl::Status Check(std::string_view key) const;
  void RecordFailure(std::string_view key);
  void RecordSuccess(std::string_view key);
  int failures(std::string_view key) const;

 private:
  struct State {
    int failures = 0;
    absl::Duration blocked_until = -absl::InfiniteDuration();  // monotonic
  };
  Clock* const clock_;
  const RateLimiterOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, State> states_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::wallet
