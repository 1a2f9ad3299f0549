// Keccak-256 as Ethereum uses it (the original 0x01 padding, not SHA3-256).
// OpenSSL 3.0 only ships SHA3, hence this implementation.
#pragma once

#include <string_view>

#include "libs/eth/bytes.h"

namespace poolops::eth {

// Incremental hasher; not thread-safe, cheap to create.
class Keccak256 {
 public:
  Keccak256();
  void Update(ByteView data);
  void Update(std::string_view data);
  Hash32 Finish();  // The hasher must not be used after Finish.

 private:
  uint64_t state_[25];
  size_t offset_ = 0;  // bytes absorbed into the current block
};

Hash32 Keccak(ByteView data);
Hash32 Keccak(std::string_view data);

}  // namespace poolops::eth
