// Decrypted keys of unlocked wallets, each in SecureBytes (mlock'ed, wiped on
// release) with an expiry. Expiry runs on the Clock's monotonic reading, so a
// wall-clock jump (either way) neither extends nor cuts an unlock; the wall
// time shown to users is computed once, at unlock. A key past its expiry is
// never used (checked on every access), and a reaper thread wipes it soon
// after: it sleeps until the next expiry, waking at least every `reaper_poll`
// so a fake clock moved by a test is noticed too. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "libs/common/clock.h"
#include "libs/common/secure_bytes.h"

namespace poolops::wallet {

class UnlockStore {
 public:
  // `reaper_poll` zero: no reaper thread (keys still expire on access; call
  // Sweep to wipe).
  explicit UnlockStore(Clock* clock,
                       absl::Duration reaper_poll = absl::Seconds(1));
  ~UnlockStore();  // stops the reaper, wipes every key
  UnlockStore(const UnlockStore&) = delete;
  UnlockStore& operator=(const UnlockStore&) = delete;

  // Stores (or replaces) the key of `id` for `ttl` of monotonic time;
  // returns the wall time it expires at (for display).
  absl::Time Put(std::string_view id, SecureBytes key, absl::Duration ttl);
  // Wipes the key of `id` now; no-op when absent.
  void Remove(std::string_view id);
  // The wall expiry given at unlock when `id` is unlocked now, nullopt when
  // locked.
  std::optional<absl::Time> UnlockedUntil(std::string_view id) const;
  // Runs `use` with the key while holding a reader lock (the key is never
  // copied out). FailedPrecondition "locked" when absent or expired.
  absl::Status WithKey(
      std::string_view id,
      const std::function<void(absl::Span<const uint8_t>)>& use) const;
  // Wipes every expired key; returns how many.
  int Sweep();
  // Keys held, expired or not (for tests of the reaper).
  size_t size() const;

 private:
  struct Entry {
    SecureBytes key;
    absl::Duration deadline;  // on the monotonic reading
    absl::Time wall_expiry;   // shown to users
  };
  void ReaperLoop();
  bool ShouldWake() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const absl::Duration reaper_poll_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> keys_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool changed_ ABSL_GUARDED_BY(mu_) = false;  // wakes the reaper
  std::thread reaper_;
};

}  // namespace poolops::wallet
