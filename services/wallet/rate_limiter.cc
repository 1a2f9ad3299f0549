#include "services/wallet/rate_limiter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace poolops::wallet {

absl::Status RateLimiter::Check(std::string_view key) const {
  absl::MutexLock lock(&mu_);
  auto it = states_.find(absl::string_view(key.data(), key.size()));
  if (it == states_.end()) return absl::OkStatus();
  absl::Duration left = it->second.blocked_until - clock_->Monotonic();
  if (left <= absl::ZeroDuration()) return absl::OkStatus();
  int64_t seconds = absl::ToInt64Seconds(absl::Ceil(left, absl::Seconds(1)));
  return absl::ResourceExhaustedError(
      absl::StrCat("too many failed unlock attempts; retry in ", seconds, "s"));
}

void RateLimiter::RecordFailure(std::string_view key) {
  absl::MutexLock lock(&mu_);
  State& state = states_[std::string(key)];
  ++state.failures;
  int over = state.failures - options_.free_failures;
  if (over <= 0) return;
  absl::Duration delay = options_.max_delay;
  if (over <= 30) {
    delay =
        std::min(options_.max_delay, options_.first_delay * (1 << (over - 1)));
  }
  state.blocked_until = clock_->Monotonic() + delay;
}

void RateLimiter::RecordSuccess(std::string_view key) {
  absl::MutexLock lock(&mu_);
  states_.erase(absl::string_view(key.data(), key.size()));
}

int RateLimiter::failures(std::string_view key) const {
  absl::MutexLock lock(&mu_);
  auto it = states_.find(absl::string_view(key.data(), key.size()));
  return it == states_.end() ? 0 : it->second.failures;
}

}  // namespace poolops::wallet
