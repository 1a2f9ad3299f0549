// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B).
#pragma once

#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"

namespace poolops::eth::rlp {

// A decoded RLP item: a byte string or a list of items.
struct Item {
  bool is_list = false;
  Bytes bytes;              // when !is_list
  std::vector<Item> items;  // when is_list
};

Bytes EncodeBytes(ByteView data);
Bytes EncodeUint(const U256& value);  // minimal big-endian, 0 -> 0x80
// Wraps already-encoded items into a list.
Bytes EncodeList(const std::vector<Bytes>& encoded_items);
Bytes Encode(const Item& item);

// Appending forms for encoders that build one buffer (no per-item vectors).
void AppendBytes(Bytes& out, ByteView data);
void AppendUint(Bytes& out, const U256& value);
// The header of a list whose items' encodings total `payload_size` bytes.
void AppendListHeader(Bytes& out, size_t payload_size);

// Decodes exactly one item spanning all of `data`. Rejects non-canonical
// encodings (single bytes < 0x80 wrapped, leading zeros in lengths, short
// strings with long form), truncation, trailing bytes and nesting deeper than
// `max_depth`, with InvalidArgumentError naming the offset.
absl::StatusOr<Item> Decode(ByteView data, int max_depth = 16);

// Reads an item as a canonical unsigned integer (no leading zeros, <= 32
// bytes).
absl::StatusOr<U256> ToUint(const Item& item, std::string_view what);

}  // namespace poolops::eth::rlp
