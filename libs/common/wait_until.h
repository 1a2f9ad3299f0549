// Polling a condition against a deadline on a Clock, so waits (health gates,
// receipts) run in tests without real sleeps.
#pragma once

#include <functional>

#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace poolops {

// Asks `done` until it says true (returns true) or the clock's wall time has
// reached `deadline` (returns false). `done` is asked at least once, and once
// more after the last sleep: a condition that becomes true during the final
// interval is still seen. Between asks the clock sleeps `poll`.
bool WaitUntil(Clock& clock, absl::Time deadline, absl::Duration poll,
               const std::function<bool()>& done);

}  // namespace poolops
