// A pass that runs now and then every `period` on a thread of its own until
// stopped (the unlock keeper, the image pruner).
#pragma once

#include <functional>
#include <thread>
#include <utility>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace poolops::orchestrator {

class PeriodicPass {
 public:
  PeriodicPass() = default;
  PeriodicPass(const PeriodicPass&) = delete;
  PeriodicPass& operator=(const PeriodicPass&) = delete;
  ~PeriodicPass() { Stop(); }

  void Start(absl::Duration period, std::function<void()> pass) {
    thread_ = std::thread([this, period, pass = std::move(pass)] {
      do {
        pass();
      } while (!stop_.WaitForNotificationWithTimeout(period));
    });
  }
  // Waits for a pass under way to end.
  void Stop() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (thread_.joinable()) thread_.join();
  }

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace poolops::orchestrator
