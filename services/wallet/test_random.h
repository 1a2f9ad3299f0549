// A deterministic Random for tests: a xorshift stream from a seed, so keys,
// salts and ivs repeat from run to run. Thread-safe.
#pragma once

#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "libs/common/random.h"

namespace poolops::test {

class DeterministicRandom : public Random {
 public:
  explicit DeterministicRandom(uint64_t seed = 0x9e3779b97f4a7c15ull)
      : state_(seed ? seed : 1) {}
  absl::Status Fill(absl::Span<uint8_t> out) override {
    absl::MutexLock lock(&mu_);
    for (uint8_t& b : out) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      b = static_cast<uint8_t>(state_ >> 24);
    }
    return absl::OkStatus();
  }

 private:
  absl::Mutex mu_;
  uint64_t state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::test
