// Fuzzes the RLP decoder: must never crash, and a decoded item must
// re-encode to exactly the input (the decoder accepts canonical forms only).
// Accepted: the input decodes.
#include <cstddef>
#include <cstdint>

#include "libs/eth/rlp.h"
#include "tests/fuzz/fuzz_target.h"

namespace rlp = poolops::eth::rlp;

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  poolops::eth::ByteView input(data, size);
  absl::StatusOr<rlp::Item> item = rlp::Decode(input);
  if (!item.ok()) return false;
  poolops::eth::Bytes encoded = rlp::Encode(*item);
  if (encoded != poolops::eth::Bytes(data, data + size)) __builtin_trap();
  // Integer reads must not crash either, and must round-trip when accepted.
  if (absl::StatusOr<poolops::eth::U256> v = rlp::ToUint(*item, "fuzz"); v.ok())
    if (rlp::EncodeUint(*v) != encoded) __builtin_trap();
  for (const rlp::Item& child : item->items) (void)rlp::ToUint(child, "fuzz");
  // A shallower limit may reject, but never differ when it accepts.
  absl::StatusOr<rlp::Item> shallow = rlp::Decode(input, 2);
  if (shallow.ok() && rlp::Encode(*shallow) != encoded) __builtin_trap();
  return true;
}
