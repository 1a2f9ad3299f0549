// Hex encoding and decoding. Output is lowercase.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/bytes.h"

namespace poolops::eth {

// Returns "0x"-prefixed (or bare when `prefix` is false) lowercase hex.
std::string ToHex(ByteView data, bool prefix = true);

// Parses hex with or without a "0x"/"0X" prefix. An odd number of digits or a
// non-hex character is an InvalidArgumentError naming `what` and the offset.
absl::StatusOr<Bytes> FromHex(std::string_view text, std::string_view what = "hex");

// Like FromHex but requires exactly `size` bytes.
absl::StatusOr<Bytes> FromHexFixed(std::string_view text, size_t size,
                                   std::string_view what = "hex");

}  // namespace poolops::eth
