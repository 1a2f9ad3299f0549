// Randomness behind an interface: OpenSSL's CSPRNG in production, a
// deterministic source in tests (keystore vectors with fixed salt/iv/uuid).
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace poolops {

class Random {
 public:
  virtual ~Random() = default;
  virtual absl::Status Fill(absl::Span<uint8_t> out) = 0;
  // OpenSSL RAND_bytes; thread-safe.
  static Random* Secure();
};

}  // namespace poolops
