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

constexpr int kRotations[24] = {1,  3,  6,  10, 15, 21, 28, 36,
                                45, 55, 2,  14, 27, 41, 56, 8,
                                25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPiLanes[24] = {10, 7,  11, 17, 18, 3,  5,  16,
                              8,  21, 24, 4,  15, 23, 19, 13,
                              12, 2,  20, 14, 22, 9,  6,  1};

inline uint64_t Rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void KeccakF1600(uint64_t s[25]) {
  for (int round = 0; round < 24; ++round) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x)
      c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) s[y + x] ^= d;
    }
    uint64_t current = s[1];
    for (int i = 0; i < 24; ++i) {
      int j = kPiLanes[i];
      uint64_t next = s[j];
      s[j] = Rotl(current, kRotations[i]);
      current = next;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; ++x) row[x] = s[y + x];
      for (int x = 0; x < 5; ++x)
        s[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    s[0] ^= kRoundConstants[round];
  }
}

// Lanes are little-endian; XOR one byte at a time to stay endian-neutral.
inline void XorByte(uint64_t s[25], size_t pos, uint8_t b) {
  s[pos / 8] ^= static_cast<uint64_t>(b) << (8 * (pos % 8));
}

}  // namespace

Keccak256::Keccak256() { std::memset(state_, 0, sizeof(state_)); }

void Keccak256::Update(ByteView data) {
  for (uint8_t b : data) {
    XorByte(state_, offset_, b);
    if (++offset_ == kRate) {
      KeccakF1600(state_);
      offset_ = 0;
    }
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
