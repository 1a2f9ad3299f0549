#include "libs/eth/hex.h"

#include "absl/strings/str_cat.h"

namespace poolops::eth {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(ByteView data, bool prefix) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2 + 2);
  if (prefix) out = "0x";
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

absl::StatusOr<Bytes> FromHex(std::string_view text, std::string_view what) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.size() % 2 != 0)
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(what), ": odd number of hex digits (", text.size(), ")"));
  Bytes out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(text[2 * i]);
    int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(what), ": invalid hex character at offset ",
                       2 * i + (hi < 0 ? 0 : 1)));
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

absl::StatusOr<Bytes> FromHexFixed(std::string_view text, size_t size,
                                   std::string_view what) {
  absl::StatusOr<Bytes> out = FromHex(text, what);
  if (!out.ok()) return out.status();
  if (out->size() != size)
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(what), ": expected ", size, " bytes, got ", out->size()));
  return out;
}

}  // namespace poolops::eth
