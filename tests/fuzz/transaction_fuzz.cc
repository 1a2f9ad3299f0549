// Fuzzes raw signed transaction decoding and the CLI JSON form. Must never
// crash; an accepted raw transaction re-encodes to exactly its input, and an
// accepted JSON transaction survives ToJson -> FromJson unchanged.
// Accepted: the input is a signed raw transaction or a JSON one.
#include <cstddef>
#include <cstdint>

#include "libs/eth/keccak.h"
#include "libs/eth/transaction.h"
#include "nlohmann/json.hpp"
#include "tests/fuzz/fuzz_target.h"

using namespace poolops::eth;  // NOLINT: fuzz harness brevity

namespace {

bool Same(const Transaction& a, const Transaction& b) {
  return a.type == b.type && a.chain_id == b.chain_id && a.nonce == b.nonce &&
         a.to == b.to && a.value == b.value && a.data == b.data &&
         a.gas == b.gas && a.gas_price == b.gas_price &&
         a.max_fee_per_gas == b.max_fee_per_gas &&
         a.max_priority_fee_per_gas == b.max_priority_fee_per_gas;
}

}  // namespace

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  ByteView raw(data, size);
  absl::StatusOr<SignedTransaction> signed_tx = DecodeSigned(raw);
  if (signed_tx.ok()) {
    Bytes again = signed_tx->tx.EncodeSigned(signed_tx->signature);
    if (again != Bytes(data, data + size)) __builtin_trap();
    if (signed_tx->hash != Keccak(raw)) __builtin_trap();
    absl::StatusOr<Address> from = RecoverAddress(signed_tx->tx.SigningHash(),
                                                  signed_tx->signature.ToRsv());
    if (!from.ok() || *from != signed_tx->from) __builtin_trap();
  }
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return signed_tx.ok();
  absl::StatusOr<Transaction> tx = TransactionFromJson(j);
  if (!tx.ok()) return signed_tx.ok();
  if (!tx->Validate().ok()) __builtin_trap();
  absl::StatusOr<Transaction> back =
      TransactionFromJson(TransactionToJson(*tx));
  if (!back.ok() || !Same(*back, *tx)) __builtin_trap();
  if (back->SigningHash() != tx->SigningHash()) __builtin_trap();
  return true;
}
