// Unsigned 256-bit integers with checked arithmetic, as the EVM sees them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/bytes.h"

namespace poolops::eth {

class U256 {
 public:
  constexpr U256() : limbs_{0, 0, 0, 0} {}
  constexpr U256(uint64_t v) : limbs_{v, 0, 0, 0} {}  // NOLINT: implicit on purpose

  // Decimal digits only ("0", "123"); no sign, no exponent, no separators.
  static absl::StatusOr<U256> FromDecimal(std::string_view text,
                                          std::string_view what = "number");
  // "0x"-prefixed hex (prefix optional), at most 64 digits, "0x" alone is 0.
  static absl::StatusOr<U256> FromHex(std::string_view text,
                                      std::string_view what = "number");
  // Accepts "0x..." as hex and anything else as decimal.
  static absl::StatusOr<U256> Parse(std::string_view text,
                                    std::string_view what = "number");
  // Big-endian bytes, at most 32.
  static absl::StatusOr<U256> FromBytesBE(ByteView bytes);

  std::string ToDecimal() const;
  std::string ToHex() const;          // "0x" + minimal hex ("0x0" for zero)
  Hash32 ToBytesBE() const;           // 32 bytes
  Bytes ToMinimalBytesBE() const;     // no leading zeros; empty for zero

  bool IsZero() const;
  int BitLength() const;
  bool FitsUint64() const;
  uint64_t low64() const { return limbs_[0]; }

  // Checked arithmetic: overflow/underflow/division by zero is an error.
  absl::StatusOr<U256> CheckedAdd(const U256& o) const;
  absl::StatusOr<U256> CheckedSub(const U256& o) const;
  absl::StatusOr<U256> CheckedMul(const U256& o) const;
  // Wrapping arithmetic modulo 2^256.
  U256 operator+(const U256& o) const;
  U256 operator-(const U256& o) const;
  U256 operator*(const U256& o) const;
  // Division by zero yields zero (as the EVM); use CheckedDiv to detect it.
  U256 operator/(const U256& o) const;
  U256 operator%(const U256& o) const;
  absl::StatusOr<U256> CheckedDiv(const U256& o) const;
  U256 operator<<(int n) const;
  U256 operator>>(int n) const;

  friend bool operator==(const U256& a, const U256& b) { return a.limbs_ == b.limbs_; }
  friend bool operator!=(const U256& a, const U256& b) { return !(a == b); }
  friend bool operator<(const U256& a, const U256& b);
  friend bool operator>(const U256& a, const U256& b) { return b < a; }
  friend bool operator<=(const U256& a, const U256& b) { return !(b < a); }
  friend bool operator>=(const U256& a, const U256& b) { return !(a < b); }

  static U256 Max();

 private:
  std::array<uint64_t, 4> limbs_;  // little-endian limbs
};

}  // namespace poolops::eth
