// Solidity ABI encoding and decoding (static and dynamic types, arrays,
// tuples), driven by type strings such as "uint256", "address[]",
// "(address,uint256,bytes32)" or "((address,uint256),uint8,bytes)".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"

namespace poolops::eth::abi {

// A parsed ABI type.
struct Type {
  enum class Kind {
    kUint, kInt, kAddress, kBool, kFixedBytes, kBytes, kString,
    kArray,       // T[] (dynamic length)
    kFixedArray,  // T[k]
    kTuple
  };
  Kind kind = Kind::kUint;
  int bits = 256;           // kUint/kInt
  int size = 0;             // kFixedBytes: 1..32, kFixedArray: length
  std::vector<Type> children;  // kArray/kFixedArray: one element type; kTuple: members

  bool IsDynamic() const;
  std::string ToString() const;  // canonical: "uint256", "(address,bytes)[]"
};

// Parses a canonical or shorthand type ("uint" = "uint256", "int" = "int256").
absl::StatusOr<Type> ParseType(std::string_view text);

// A value. Integers are two's complement in a U256 for kInt.
struct Value {
  std::variant<U256, Address, bool, Bytes, std::string, std::vector<Value>> v;

  static Value Uint(const U256& x) { return Value{x}; }
  static Value Addr(const Address& a) { return Value{a}; }
  static Value Bool(bool b) { return Value{b}; }
  static Value Blob(Bytes b) { return Value{std::move(b)}; }   // bytes / bytesN
  static Value Str(std::string s) { return Value{std::move(s)}; }
  static Value List(std::vector<Value> items) { return Value{std::move(items)}; }  // arrays and tuples
};

// Encodes `values` as the tuple `types` (function arguments / return data).
// Mismatched shapes are InvalidArgumentError naming the argument index.
absl::StatusOr<Bytes> Encode(const std::vector<Type>& types,
                             const std::vector<Value>& values);
// Decodes data produced by Encode. Offsets out of range, lengths that do not
// fit, non-zero padding and dirty high bits are InvalidArgumentErrors.
absl::StatusOr<std::vector<Value>> Decode(const std::vector<Type>& types,
                                          ByteView data);

// "transfer(address,uint256)" -> first 4 bytes of its Keccak-256.
std::array<uint8_t, 4> Selector(std::string_view signature);
// Selector ++ Encode(types parsed from the signature, values).
absl::StatusOr<Bytes> EncodeCall(std::string_view signature,
                                 const std::vector<Value>& values);

}  // namespace poolops::eth::abi
