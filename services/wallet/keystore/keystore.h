// Ethereum keystore v3 (Web3 Secret Storage) as written by ethers v6 and the
// iExec SDK, and as read by ethers, geth and the SDK.
//
// Reading accepts: "crypto" or "Crypto"; kdf scrypt (salt, n, r, p, dklen=32;
// n a power of two > 1) or pbkdf2 (salt, c, dklen=32, prf hmac-sha256 or
// hmac-sha512); numbers as JSON numbers or decimal strings; "address" with or
// without 0x, or absent; cipher aes-128-ctr only. Writing follows PROTOCOL.md
// §A.2 exactly: key order address,id,version,Crypto{cipher,cipherparams,
// ciphertext,kdf,kdfparams{salt,n,dklen,p,r},mac}, lowercase hex without 0x,
// 2-space indentation, scrypt N=2^17 r=8 p=1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/random.h"
#include "libs/common/secure_bytes.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"

namespace poolops::wallet {

struct KdfParams {
  enum class Kind { kScrypt, kPbkdf2 };
  Kind kind = Kind::kScrypt;
  eth::Bytes salt;
  // scrypt
  uint64_t n = 0;
  uint32_t r = 0;
  uint32_t p = 0;
  // pbkdf2
  uint32_t c = 0;  // iterations
  enum class Prf { kSha256, kSha512 };
  Prf prf = Prf::kSha256;
  uint32_t dklen = 32;
};

// A parsed, not yet decrypted keystore.
struct Keystore {
  std::optional<eth::Address> address;  // as written in the file
  std::string id;
  KdfParams kdf;
  eth::Bytes iv;          // 16 bytes
  eth::Bytes ciphertext;  // 32 bytes (the private key, encrypted)
  eth::Bytes mac;         // 32 bytes
};

// Limits that keep a hostile file from exhausting the vault, so that one key
// derivation takes at most ~1 s and 256 MiB: scrypt 128*r*N (memory) and
// 128*r*N*p (work) at most 256 MiB (geth's standard N=2^18 r=8 p=1, the
// SDK's N=2^17 r=8 p=1 and the Web3 vector N=2^18 r=1 p=8 pass), pbkdf2 c
// at most 2,000,000 (eth-keyfile writes 10^6), file at most 64 KiB, salt 1
// to 1024 bytes, dklen 32. Errors name the parameter at fault.
inline constexpr size_t kMaxKeystoreBytes = 64 * 1024;

// Structural parse with an InvalidArgumentError naming the field at fault
// ("keystore: crypto.kdfparams.n must be a power of two"). Unsupported
// cipher or kdf is InvalidArgument naming the value.
absl::StatusOr<Keystore> ParseKeystore(std::string_view json);

// Derives the key, checks the MAC (PermissionDenied "incorrect password" on
// mismatch, nothing else revealed), decrypts, re-derives the address and, if
// the file has one, requires it to match (InvalidArgument "keystore
// address/private key mismatch"). The password is NFKC-normalised as ethers
// does; if that changed it and the MAC fails, the raw bytes are tried too
// (geth does not normalise). A hand-built Keystore is checked against the
// same limits and sizes as a parsed one.
struct DecryptedKey {
  SecureBytes private_key;  // 32 bytes
  eth::Address address;
};
absl::StatusOr<DecryptedKey> DecryptKeystore(const Keystore& keystore,
                                             std::string_view password);

struct EncryptOptions {
  uint64_t scrypt_n = 1u << 17;
  uint32_t scrypt_r = 8;
  uint32_t scrypt_p = 1;
};
// Returns the keystore JSON text (no trailing newline), as the iExec SDK
// writes it. Salt (32), iv (16) and uuid (16) bytes come from `random`.
absl::StatusOr<std::string> EncryptKeystore(eth::ByteView private_key,
                                            std::string_view password,
                                            Random* random,
                                            const EncryptOptions& options = {});

// "UTC--2026-11-28T17-53-55.796000000Z--70997970C51812dc3A010C7d01b50e0d17dc79C8"
std::string KeystoreFileName(absl::Time time, const eth::Address& address);

// NFKC-normalises a password as ethers does (ASCII passes through as is).
// Bytes that are not valid UTF-8 are returned unchanged (as ethers treats a
// byte password) rather than folded into U+FFFD.
absl::StatusOr<SecureBytes> NormalizePassword(std::string_view password);

// Raw KDF used by DecryptKeystore (exposed for the benchmark against raw
// EVP_PBE_scrypt). Password is NFKC-normalised by the caller if needed.
// Params beyond the limits above are InvalidArgument.
absl::StatusOr<SecureBytes> DeriveKey(const KdfParams& kdf,
                                      std::string_view password);

}  // namespace poolops::wallet
