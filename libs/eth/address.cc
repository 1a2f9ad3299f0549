#include "libs/eth/address.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"

namespace poolops::eth {

absl::StatusOr<Address> Address::Parse(std::string_view text,
                                       std::string_view what) {
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' &&
      (digits[1] == 'x' || digits[1] == 'X'))
    digits.remove_prefix(2);
  if (digits.size() != 40)
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(what), ": expected 40 hex digits, got ", digits.size()));
  absl::StatusOr<Bytes> bytes = FromHex(digits, what);
  if (!bytes.ok()) return bytes.status();
  // FromHex takes a second "0x" ("0x0x" + 38 digits): 19 bytes, refused.
  if (bytes->size() != 20)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": expected 40 hex digits"));
  std::array<uint8_t, 20> raw;
  std::memcpy(raw.data(), bytes->data(), 20);
  Address out(raw);
  bool has_lower = false, has_upper = false;
  for (char c : digits) {
    if (c >= 'a' && c <= 'f') has_lower = true;
    if (c >= 'A' && c <= 'F') has_upper = true;
  }
  // Mixed case claims an EIP-55 checksum, so a typo must not slip through.
  if (has_lower && has_upper && out.ToChecksum().substr(2) != digits)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": invalid EIP-55 checksum"));
  return out;
}

absl::StatusOr<Address> Address::FromBytes(ByteView bytes) {
  if (bytes.size() != 20)
    return absl::InvalidArgumentError(
        absl::StrCat("address: expected 20 bytes, got ", bytes.size()));
  std::array<uint8_t, 20> raw;
  std::memcpy(raw.data(), bytes.data(), 20);
  return Address(raw);
}

std::string Address::ToChecksum() const {
  std::string lower = ToLowerHex(false);
  Hash32 h = Keccak(std::string_view(lower));
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    char c = lower[i];
    int nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0xf);
    if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 32);
    out.push_back(c);
  }
  return out;
}

std::string Address::ToLowerHex(bool prefix) const {
  return ToHex(bytes_, prefix);
}

bool Address::IsZero() const {
  for (uint8_t b : bytes_)
    if (b != 0) return false;
  return true;
}

}  // namespace poolops::eth
