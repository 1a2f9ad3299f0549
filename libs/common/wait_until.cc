#include "libs/common/wait_until.h"

#include <algorithm>

namespace poolops {

bool WaitUntil(Clock& clock, absl::Duration timeout, absl::Duration poll,
               const std::function<bool()>& done) {
  const absl::Duration deadline = clock.Monotonic() + timeout;
  while (true) {
    if (done()) return true;
    const absl::Duration left = deadline - clock.Monotonic();
    if (left <= absl::ZeroDuration()) return false;
    clock.SleepFor(std::min(poll, left));
  }
}

}  // namespace poolops
