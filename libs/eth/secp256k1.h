// secp256k1 ECDSA through libsecp256k1: recoverable signatures over 32-byte
// digests (RFC 6979 nonces, low-s), public key recovery, address derivation.
// Thread-safe: one immutable context shared by all callers.
#pragma once

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"

namespace poolops::eth {

struct RecoverableSignature {
  std::array<uint8_t, 32> r;
  std::array<uint8_t, 32> s;
  uint8_t recovery_id;  // 0 or 1

  // 65 bytes r || s || v with v = 27 + recovery_id (EIP-191 / EIP-712 style).
  Bytes ToRsv() const;
};

// Returns InvalidArgumentError when `private_key` is not 32 bytes or not a
// valid scalar (zero or >= the curve order).
absl::Status ValidatePrivateKey(ByteView private_key);

absl::StatusOr<RecoverableSignature> SignDigest(ByteView private_key,
                                                const Hash32& digest);

// Uncompressed public key without the 0x04 prefix (64 bytes).
absl::StatusOr<Bytes> PublicKeyOf(ByteView private_key);
absl::StatusOr<Address> AddressOf(ByteView private_key);
Address AddressOfPublicKey(ByteView public_key64);

// Recovers the signer of `digest` from a 65-byte r||s||v signature
// (v in {0,1,27,28}).
absl::StatusOr<Address> RecoverAddress(const Hash32& digest, ByteView rsv);

}  // namespace poolops::eth
