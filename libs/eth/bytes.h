// Byte containers shared by the Ethereum primitives.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace poolops::eth {

using Bytes = std::vector<uint8_t>;
using ByteView = absl::Span<const uint8_t>;
using Hash32 = std::array<uint8_t, 32>;

}  // namespace poolops::eth
