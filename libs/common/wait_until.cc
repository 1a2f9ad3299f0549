#include "libs/common/wait_until.h"

namespace poolops {

bool WaitUntil(Clock& clock, absl::Time deadline, absl::Duration poll,
               const std::function<bool()>& done) {
  while (true) {
    if (done()) return true;
    if (clock.Now() >= deadline) return false;
    clock.SleepFor(poll);
  }
}

}  // namespace poolops
