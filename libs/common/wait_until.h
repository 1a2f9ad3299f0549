// Polling a condition against a deadline on a Clock, so waits (health gates,
// receipts) run in tests without real sleeps.
#pragma once

#include <functional>

#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace poolops {

// Asks `done` until it says true (returns true) or `timeout` has passed on
// the clock's monotonic reading (returns false): a wall-clock jump neither
// ends nor stretches the wait. `done` is asked at least once, and once more
// when the time is up: a condition that becomes true during the final
// interval is still seen. Between asks the clock sleeps `poll`, or what is
// left when that is less.
bool WaitUntil(Clock& clock, absl::Duration timeout, absl::Duration poll,
               const std::function<bool()>& done);

}  // namespace poolops
