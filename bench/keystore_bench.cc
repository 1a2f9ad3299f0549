// Keystore decryption at the iExec SDK's strength (scrypt N=2^17 r=8 p=1)
// against the raw OpenSSL EVP_PBE_scrypt call with the same parameters: the
// vault's overhead over the KDF itself (parse, MAC, AES, address) should be
// negligible (target: decrypt <= 1.2x raw scrypt).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "libs/eth/hex.h"
#include "services/wallet/keystore/keystore.h"

namespace poolops::wallet {
namespace {

const std::string& SdkKeystore() {
  static const std::string* json = [] {
    eth::Bytes key = *eth::FromHex(
        "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    return new std::string(
        *EncryptKeystore(key, "testpassword", Random::Secure()));
  }();
  return *json;
}

void BM_DecryptKeystore(benchmark::State& state) {
  const std::string& json = SdkKeystore();
  for (auto _ : state) {
    absl::StatusOr<Keystore> ks = ParseKeystore(json);
    absl::StatusOr<DecryptedKey> key = DecryptKeystore(*ks, "testpassword");
    if (!key.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_DecryptKeystore)->Unit(benchmark::kMillisecond)->MinTime(3);

void BM_RawScrypt(benchmark::State& state) {
  unsigned char salt[32] = {0x11};
  unsigned char out[32];
  const uint64_t n = 1 << 17, r = 8, p = 1;
  for (auto _ : state) {
    if (EVP_PBE_scrypt("testpassword", 12, salt, sizeof(salt), n, r, p,
                       128 * r * (n + p + 2) + (1 << 20), out,
                       sizeof(out)) != 1)
      state.SkipWithError("scrypt failed");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RawScrypt)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace
}  // namespace poolops::wallet

BENCHMARK_MAIN();
