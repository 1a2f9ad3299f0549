// Fuzzes the keystore v3 parser with arbitrary file contents; decrypts only
// when the KDF costs at most what scrypt N=2^10 r=8 p=1 does (or pbkdf2
// c <= 2048), so each input stays fast however large the limits allow.
// Accepted: the file parses and, when cheap enough to try, decrypts with
// the password of a seed.
#include <cstdint>
#include <string_view>

#include "services/wallet/keystore/keystore.h"
#include "tests/fuzz/fuzz_target.h"

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<poolops::wallet::Keystore> ks =
      poolops::wallet::ParseKeystore(text);
  if (!ks.ok()) return false;
  const poolops::wallet::KdfParams& kdf = ks->kdf;
  bool cheap = kdf.kind == poolops::wallet::KdfParams::Kind::kScrypt
                   ? uint64_t{kdf.n} * kdf.r * kdf.p <= 8192
                   : kdf.c <= 2048;
  if (!cheap) return true;
  // The passwords of the cheap seeds (tests/data/keystore/README.md).
  for (const char* password : {"testpassword", "ethers-password"}) {
    absl::StatusOr<poolops::wallet::DecryptedKey> key =
        poolops::wallet::DecryptKeystore(*ks, password);
    // A MAC can only match with the right key material: then the address
    // must be consistent with the file's.
    if (key.ok() && ks->address.has_value() && *ks->address != key->address)
      __builtin_trap();
    if (key.ok()) return true;
  }
  return false;
}
