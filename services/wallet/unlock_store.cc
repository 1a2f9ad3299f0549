#include "services/wallet/unlock_store.h"

#include <algorithm>
#include <utility>

namespace poolops::wallet {

UnlockStore::UnlockStore(Clock* clock, absl::Duration reaper_poll)
    : clock_(clock), reaper_poll_(reaper_poll) {
  if (reaper_poll_ > absl::ZeroDuration()) {
    reaper_ = std::thread([this] { ReaperLoop(); });
  }
}

UnlockStore::~UnlockStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (reaper_.joinable()) reaper_.join();
  absl::MutexLock lock(&mu_);
  keys_.clear();  // SecureBytes wipes on destruction
}

absl::Time UnlockStore::Put(std::string_view id, SecureBytes key,
                            absl::Duration ttl) {
  absl::MutexLock lock(&mu_);
  Entry& entry = keys_[std::string(id)];
  entry.key = std::move(key);  // the old key (if any) is wiped
  entry.deadline = clock_->Monotonic() + ttl;
  entry.wall_expiry = clock_->Now() + ttl;
  changed_ = true;
  return entry.wall_expiry;
}

void UnlockStore::Remove(std::string_view id) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(absl::string_view(id.data(), id.size()));
  if (it != keys_.end()) {
    it->second.key.Wipe();
    keys_.erase(it);
  }
}

std::optional<absl::Time> UnlockStore::UnlockedUntil(
    std::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = keys_.find(absl::string_view(id.data(), id.size()));
  if (it == keys_.end() || clock_->Monotonic() >= it->second.deadline) {
    return std::nullopt;
  }
  return it->second.wall_expiry;
}

absl::Status UnlockStore::WithKey(
    std::string_view id,
    const std::function<void(absl::Span<const uint8_t>)>& use) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = keys_.find(absl::string_view(id.data(), id.size()));
  if (it == keys_.end() || clock_->Monotonic() >= it->second.deadline) {
    return absl::FailedPreconditionError("locked");
  }
  use(it->second.key.view());
  return absl::OkStatus();
}

int UnlockStore::Sweep() {
  absl::MutexLock lock(&mu_);
  absl::Duration now = clock_->Monotonic();
  int wiped = 0;
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (now >= it->second.deadline) {
      it->second.key.Wipe();
      keys_.erase(it++);
      ++wiped;
    } else {
      ++it;
    }
  }
  return wiped;
}

size_t UnlockStore::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return keys_.size();
}

bool UnlockStore::ShouldWake() const { return stopping_ || changed_; }

void UnlockStore::ReaperLoop() {
  while (true) {
    Sweep();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    absl::Duration wait = reaper_poll_;
    absl::Duration now = clock_->Monotonic();
    for (const auto& [id, entry] : keys_) {
      wait = std::min(wait, entry.deadline - now);
    }
    wait = std::max(wait, absl::Milliseconds(1));
    changed_ = false;
    mu_.AwaitWithTimeout(absl::Condition(this, &UnlockStore::ShouldWake), wait);
    if (stopping_) return;
  }
}

}  // namespace poolops::wallet
