// Fuzzes ABI type parsing and decoding. Input: "<types>\n<data>", where
// <types> is a comma-separated type list; without a newline a fixed set of
// types is used for the whole input. Must never crash; decoded values must
// re-encode, and that encoding must decode and re-encode to itself.
// Accepted: the types parse and the data decodes as them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "libs/eth/abi.h"
#include "tests/fuzz/fuzz_target.h"

namespace eabi = poolops::eth::abi;
using poolops::eth::Bytes;
using poolops::eth::ByteView;

namespace {

constexpr const char* kDefaultTypes[] = {"(uint256,address,bool,bytes32)",
                                         "(bytes,string)",
                                         "(uint256[],string[])",
                                         "(uint256[][],bytes[2])",
                                         "((address,uint256,bytes)[],int8)",
                                         "(int256,uint8[3],(bool,string)[2])"};

void CheckTypeRoundTrip(std::string_view text) {
  absl::StatusOr<eabi::Type> t = eabi::ParseType(text);
  if (!t.ok()) return;
  std::string canonical = t->ToString();
  absl::StatusOr<eabi::Type> again = eabi::ParseType(canonical);
  if (!again.ok() || again->ToString() != canonical) __builtin_trap();
}

bool CheckDecode(const std::vector<eabi::Type>& types, ByteView data) {
  absl::StatusOr<std::vector<eabi::Value>> values = eabi::Decode(types, data);
  if (!values.ok()) return false;
  absl::StatusOr<Bytes> encoded = eabi::Encode(types, *values);
  if (!encoded.ok()) __builtin_trap();
  absl::StatusOr<std::vector<eabi::Value>> again =
      eabi::Decode(types, *encoded);
  if (!again.ok()) __builtin_trap();
  absl::StatusOr<Bytes> encoded_again = eabi::Encode(types, *again);
  if (!encoded_again.ok() || *encoded_again != *encoded) __builtin_trap();
  return true;
}

}  // namespace

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline != std::string_view::npos && newline <= 512) {
    std::string type_text = "(" + std::string(input.substr(0, newline)) + ")";
    CheckTypeRoundTrip(input.substr(0, newline));
    absl::StatusOr<eabi::Type> tuple = eabi::ParseType(type_text);
    return tuple.ok() &&
           CheckDecode(tuple->children,
                       ByteView(data + newline + 1, size - newline - 1));
  }
  if (size == 0) return false;
  // First byte picks a type set; the rest is the data.
  const char* text = kDefaultTypes[data[0] % std::size(kDefaultTypes)];
  absl::StatusOr<eabi::Type> tuple = eabi::ParseType(text);
  if (!tuple.ok()) __builtin_trap();
  return CheckDecode(tuple->children, ByteView(data + 1, size - 1));
}
