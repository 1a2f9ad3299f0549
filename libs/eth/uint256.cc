#include "libs/eth/uint256.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace poolops::eth {
namespace {

using u128 = unsigned __int128;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Divides `limbs` in place by a small divisor and returns the remainder.
uint64_t DivModSmall(std::array<uint64_t, 4>& limbs, uint64_t divisor) {
  u128 rem = 0;
  for (int i = 3; i >= 0; --i) {
    u128 cur = (rem << 64) | limbs[i];
    limbs[i] = static_cast<uint64_t>(cur / divisor);
    rem = cur % divisor;
  }
  return static_cast<uint64_t>(rem);
}

}  // namespace

absl::StatusOr<U256> U256::FromDecimal(std::string_view text,
                                       std::string_view what) {
  if (text.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": empty number"));
  // Up to 19 digits at a time in a uint64_t, then one multiply-add of the
  // 256-bit value: parsing is on the signing path of every transaction.
  U256 out;
  size_t i = 0;
  while (i < text.size()) {
    uint64_t chunk = 0, scale = 1;
    for (int n = 0; n < 19 && i < text.size(); ++n, ++i) {
      char c = text[i];
      if (c < '0' || c > '9')
        return absl::InvalidArgumentError(absl::StrCat(
            std::string(what), ": invalid decimal character at offset ", i));
      chunk = chunk * 10 + static_cast<uint64_t>(c - '0');
      scale *= 10;
    }
    // out = out * scale + chunk, with overflow detection in the top limb.
    u128 carry = chunk;
    for (int limb = 0; limb < 4; ++limb) {
      u128 cur = static_cast<u128>(out.limbs_[limb]) * scale + carry;
      out.limbs_[limb] = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
    if (carry != 0)
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(what), ": does not fit in 256 bits"));
  }
  return out;
}

absl::StatusOr<U256> U256::FromHex(std::string_view text,
                                   std::string_view what) {
  if (text.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": empty number"));
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  // Leading zeros do not count towards the 64-digit limit.
  size_t first = text.find_first_not_of('0');
  std::string_view significant =
      first == std::string_view::npos ? std::string_view() : text.substr(first);
  U256 out;
  for (size_t i = 0; i < text.size(); ++i)
    if (HexDigit(text[i]) < 0)
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(what), ": invalid hex character at offset ", i));
  if (significant.size() > 64)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": does not fit in 256 bits"));
  for (char c : significant) {
    out = out << 4;
    out.limbs_[0] |= static_cast<uint64_t>(HexDigit(c));
  }
  return out;
}

absl::StatusOr<U256> U256::Parse(std::string_view text, std::string_view what) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    return FromHex(text, what);
  return FromDecimal(text, what);
}

absl::StatusOr<U256> U256::FromBytesBE(ByteView bytes) {
  if (bytes.size() > 32)
    return absl::InvalidArgumentError(
        absl::StrCat("number: ", bytes.size(), " bytes exceed 32"));
  U256 out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    size_t pos = bytes.size() - 1 - i;  // byte index from the least significant
    out.limbs_[pos / 8] |= static_cast<uint64_t>(bytes[i]) << (8 * (pos % 8));
  }
  return out;
}

std::string U256::ToDecimal() const {
  if (IsZero()) return "0";
  // 19 digits per division: a 128-bit division per limb is the costly part.
  constexpr uint64_t kChunk = 10000000000000000000ull;  // 10^19
  std::array<uint64_t, 4> x = limbs_;
  std::string out;
  while (x[0] != 0 || x[1] != 0 || x[2] != 0 || x[3] != 0) {
    uint64_t chunk = DivModSmall(x, kChunk);
    bool last = x[0] == 0 && x[1] == 0 && x[2] == 0 && x[3] == 0;
    for (int i = 0; i < 19 && (!last || chunk != 0); ++i) {
      out.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string U256::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (IsZero()) return "0x0";
  std::string out = "0x";
  bool started = false;
  for (int i = 63; i >= 0; --i) {
    int nibble = static_cast<int>((limbs_[i / 16] >> (4 * (i % 16))) & 0xf);
    if (nibble != 0) started = true;
    if (started) out.push_back(kDigits[nibble]);
  }
  return out;
}

Hash32 U256::ToBytesBE() const {
  Hash32 out;
  for (size_t i = 0; i < 32; ++i) {
    size_t pos = 31 - i;
    out[i] = static_cast<uint8_t>(limbs_[pos / 8] >> (8 * (pos % 8)));
  }
  return out;
}

Bytes U256::ToMinimalBytesBE() const {
  int bytes = (BitLength() + 7) / 8;
  Bytes out(bytes);
  for (int i = 0; i < bytes; ++i)
    out[bytes - 1 - i] = static_cast<uint8_t>(limbs_[i / 8] >> (8 * (i % 8)));
  return out;
}

bool U256::IsZero() const {
  return limbs_[0] == 0 && limbs_[1] == 0 && limbs_[2] == 0 && limbs_[3] == 0;
}

int U256::BitLength() const {
  for (int i = 3; i >= 0; --i)
    if (limbs_[i] != 0) return i * 64 + 64 - __builtin_clzll(limbs_[i]);
  return 0;
}

bool U256::FitsUint64() const {
  return limbs_[1] == 0 && limbs_[2] == 0 && limbs_[3] == 0;
}

absl::StatusOr<U256> U256::CheckedAdd(const U256& o) const {
  U256 r = *this + o;
  if (r < *this) return absl::OutOfRangeError("uint256 addition overflow");
  return r;
}

absl::StatusOr<U256> U256::CheckedSub(const U256& o) const {
  if (*this < o) return absl::OutOfRangeError("uint256 subtraction underflow");
  return *this - o;
}

absl::StatusOr<U256> U256::CheckedMul(const U256& o) const {
  // Full 512-bit product; overflow iff any high limb is non-zero.
  uint64_t prod[8] = {0};
  for (int i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; ++j) {
      u128 cur =
          static_cast<u128>(limbs_[i]) * o.limbs_[j] + prod[i + j] + carry;
      prod[i + j] = static_cast<uint64_t>(cur);
      carry = static_cast<uint64_t>(cur >> 64);
    }
    prod[i + 4] = carry;
  }
  if (prod[4] | prod[5] | prod[6] | prod[7])
    return absl::OutOfRangeError("uint256 multiplication overflow");
  U256 r;
  for (int i = 0; i < 4; ++i) r.limbs_[i] = prod[i];
  return r;
}

U256 U256::operator+(const U256& o) const {
  U256 r;
  uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    u128 cur = static_cast<u128>(limbs_[i]) + o.limbs_[i] + carry;
    r.limbs_[i] = static_cast<uint64_t>(cur);
    carry = static_cast<uint64_t>(cur >> 64);
  }
  return r;
}

U256 U256::operator-(const U256& o) const {
  U256 r;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t a = limbs_[i], b = o.limbs_[i];
    uint64_t d = a - b - borrow;
    borrow = (a < b || (a == b && borrow)) ? 1 : 0;
    r.limbs_[i] = d;
  }
  return r;
}

U256 U256::operator*(const U256& o) const {
  U256 r;
  for (int i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (int j = 0; i + j < 4; ++j) {
      u128 cur =
          static_cast<u128>(limbs_[i]) * o.limbs_[j] + r.limbs_[i + j] + carry;
      r.limbs_[i + j] = static_cast<uint64_t>(cur);
      carry = static_cast<uint64_t>(cur >> 64);
    }
  }
  return r;
}

U256 U256::operator/(const U256& o) const {
  if (o.IsZero()) return U256();
  if (o.FitsUint64()) {
    U256 q = *this;
    DivModSmall(q.limbs_, o.limbs_[0]);
    return q;
  }
  // Binary long division; only reached for divisors above 2^64.
  U256 q, rem;
  for (int i = BitLength() - 1; i >= 0; --i) {
    rem = rem << 1;
    rem.limbs_[0] |= (limbs_[i / 64] >> (i % 64)) & 1;
    if (rem >= o) {
      rem = rem - o;
      q.limbs_[i / 64] |= uint64_t{1} << (i % 64);
    }
  }
  return q;
}

U256 U256::operator%(const U256& o) const {
  if (o.IsZero()) return U256();
  return *this - (*this / o) * o;
}

absl::StatusOr<U256> U256::CheckedDiv(const U256& o) const {
  if (o.IsZero()) return absl::InvalidArgumentError("division by zero");
  return *this / o;
}

U256 U256::operator<<(int n) const {
  if (n <= 0) return n == 0 ? *this : *this >> -n;
  if (n >= 256) return U256();
  U256 r;
  int limb_shift = n / 64, bit_shift = n % 64;
  for (int i = 3; i >= limb_shift; --i) {
    uint64_t v = limbs_[i - limb_shift] << bit_shift;
    if (bit_shift != 0 && i - limb_shift - 1 >= 0)
      v |= limbs_[i - limb_shift - 1] >> (64 - bit_shift);
    r.limbs_[i] = v;
  }
  return r;
}

U256 U256::operator>>(int n) const {
  if (n <= 0) return n == 0 ? *this : *this << -n;
  if (n >= 256) return U256();
  U256 r;
  int limb_shift = n / 64, bit_shift = n % 64;
  for (int i = 0; i + limb_shift < 4; ++i) {
    uint64_t v = limbs_[i + limb_shift] >> bit_shift;
    if (bit_shift != 0 && i + limb_shift + 1 < 4)
      v |= limbs_[i + limb_shift + 1] << (64 - bit_shift);
    r.limbs_[i] = v;
  }
  return r;
}

bool operator<(const U256& a, const U256& b) {
  for (int i = 3; i >= 0; --i)
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i];
  return false;
}

U256 U256::Max() {
  U256 r;
  r.limbs_ = {~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};
  return r;
}

}  // namespace poolops::eth
