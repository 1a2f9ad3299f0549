// Signing throughput of the primitives: raw libsecp256k1 recoverable signing
// (the ceiling) against poolops' eth::SignDigest and a full legacy
// transaction (hash + sign + RLP encode) as the vault does it.
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"

namespace poolops::eth {
namespace {

Bytes Key() {
  return *FromHex(
      "4646464646464646464646464646464646464646464646464646464646464646");
}

void BM_RawLibsecp256k1SignRecoverable(benchmark::State& state) {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
  Bytes key = Key();
  Hash32 digest = Keccak(std::string_view("poolops"));
  for (auto _ : state) {
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest.data(), key.data(),
                                     nullptr, nullptr);
    unsigned char out[64];
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out, &recid,
                                                            &sig);
    benchmark::DoNotOptimize(out);
    digest[0]++;
  }
  secp256k1_context_destroy(ctx);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawLibsecp256k1SignRecoverable);

void BM_EthSignDigest(benchmark::State& state) {
  Bytes key = Key();
  Hash32 digest = Keccak(std::string_view("poolops"));
  for (auto _ : state) {
    auto sig = SignDigest(key, digest);
    benchmark::DoNotOptimize(sig);
    digest[0]++;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EthSignDigest);

void BM_EthSignLegacyTransaction(benchmark::State& state) {
  Bytes key = Key();
  Transaction tx;
  tx.chain_id = 134;
  tx.to = *Address::Parse("0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  tx.value = *U256::FromDecimal("1000000000000000000");
  tx.data = *FromHex("0xd0e30db0");
  tx.gas = 100000;
  uint64_t nonce = 0;
  for (auto _ : state) {
    tx.nonce = nonce++;
    auto sig = SignDigest(key, tx.SigningHash());
    Bytes raw = tx.EncodeSigned(*sig);
    benchmark::DoNotOptimize(raw);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EthSignLegacyTransaction);

}  // namespace
}  // namespace poolops::eth

BENCHMARK_MAIN();
