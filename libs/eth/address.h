// A 20-byte Ethereum address with EIP-55 checksum formatting.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/bytes.h"

namespace poolops::eth {

class Address {
 public:
  Address() : bytes_{} {}
  explicit Address(const std::array<uint8_t, 20>& bytes) : bytes_(bytes) {}

  // Parses "0x" + 40 hex digits (prefix optional). All-lowercase or
  // all-uppercase input is accepted as is; mixed case must be a valid EIP-55
  // checksum. Errors are InvalidArgumentError naming `what`.
  static absl::StatusOr<Address> Parse(std::string_view text,
                                       std::string_view what = "address");
  static absl::StatusOr<Address> FromBytes(ByteView bytes);

  std::string ToChecksum() const;  // "0x" + EIP-55 mixed case
  std::string ToLowerHex(bool prefix = true) const;
  const std::array<uint8_t, 20>& bytes() const { return bytes_; }
  bool IsZero() const;

  friend bool operator==(const Address& a, const Address& b) {
    return a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const Address& a, const Address& b) { return !(a == b); }
  friend bool operator<(const Address& a, const Address& b) {
    return a.bytes_ < b.bytes_;
  }

 private:
  std::array<uint8_t, 20> bytes_;
};

}  // namespace poolops::eth
