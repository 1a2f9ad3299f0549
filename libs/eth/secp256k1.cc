#include "libs/eth/secp256k1.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>

#include "libs/eth/keccak.h"

namespace poolops::eth {
namespace {

// Randomized once for side-channel blinding; immutable afterwards.
const secp256k1_context* Context() {
  static const secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_SIGN |
                                                    SECP256K1_CONTEXT_VERIFY);
    unsigned char seed[32] = {0};
    FILE* f = std::fopen("/dev/urandom", "rb");
    if (f != nullptr) {
      if (std::fread(seed, 1, sizeof(seed), f) == sizeof(seed))
          // Blinding is defence in depth; the context works without it.
          [[maybe_unused]]
        int randomized = secp256k1_context_randomize(c, seed);
      std::fclose(f);
    }
    return c;
  }();
  return ctx;
}

}  // namespace

Bytes RecoverableSignature::ToRsv() const {
  Bytes out(65);
  std::memcpy(out.data(), r.data(), 32);
  std::memcpy(out.data() + 32, s.data(), 32);
  out[64] = static_cast<uint8_t>(27 + recovery_id);
  return out;
}

absl::Status ValidatePrivateKey(ByteView private_key) {
  if (private_key.size() != 32)
    return absl::InvalidArgumentError("private key: must be 32 bytes");
  if (!secp256k1_ec_seckey_verify(Context(), private_key.data()))
    return absl::InvalidArgumentError(
        "private key: not a valid secp256k1 scalar (zero or >= curve order)");
  return absl::OkStatus();
}

absl::StatusOr<RecoverableSignature> SignDigest(ByteView private_key,
                                                const Hash32& digest) {
  if (absl::Status s = ValidatePrivateKey(private_key); !s.ok()) return s;
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_sign_recoverable(Context(), &sig, digest.data(),
                                        private_key.data(), nullptr, nullptr))
    return absl::InternalError("secp256k1 signing failed");
  unsigned char compact[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), compact,
                                                          &recid, &sig);
  RecoverableSignature out;
  std::memcpy(out.r.data(), compact, 32);
  std::memcpy(out.s.data(), compact + 32, 32);
  out.recovery_id = static_cast<uint8_t>(recid);
  return out;
}

absl::StatusOr<Bytes> PublicKeyOf(ByteView private_key) {
  if (absl::Status s = ValidatePrivateKey(private_key); !s.ok()) return s;
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(Context(), &pub, private_key.data()))
    return absl::InternalError("secp256k1 public key derivation failed");
  unsigned char out[65];
  size_t len = sizeof(out);
  secp256k1_ec_pubkey_serialize(Context(), out, &len, &pub,
                                SECP256K1_EC_UNCOMPRESSED);
  return Bytes(out + 1, out + 65);
}

Address AddressOfPublicKey(ByteView public_key64) {
  Hash32 h = Keccak(public_key64);
  std::array<uint8_t, 20> a;
  std::memcpy(a.data(), h.data() + 12, 20);
  return Address(a);
}

absl::StatusOr<Address> AddressOf(ByteView private_key) {
  absl::StatusOr<Bytes> pub = PublicKeyOf(private_key);
  if (!pub.ok()) return pub.status();
  return AddressOfPublicKey(*pub);
}

absl::StatusOr<Address> RecoverAddress(const Hash32& digest, ByteView rsv) {
  if (rsv.size() != 65)
    return absl::InvalidArgumentError("signature: must be 65 bytes (r, s, v)");
  int v = rsv[64];
  if (v >= 27) v -= 27;
  if (v != 0 && v != 1)
    return absl::InvalidArgumentError("signature: v must be 0, 1, 27 or 28");
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(Context(), &sig,
                                                           rsv.data(), v))
    return absl::InvalidArgumentError("signature: r or s out of range");
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(Context(), &pub, &sig, digest.data()))
    return absl::InvalidArgumentError("signature: public key not recoverable");
  unsigned char out[65];
  size_t len = sizeof(out);
  secp256k1_ec_pubkey_serialize(Context(), out, &len, &pub,
                                SECP256K1_EC_UNCOMPRESSED);
  return AddressOfPublicKey(ByteView(out + 1, 64));
}

}  // namespace poolops::eth
