#include "services/wallet/tx_fields.h"

#include "absl/strings/str_cat.h"
#include "services/wallet/wallet_registry.h"

namespace poolops::wallet {
namespace {

absl::StatusOr<eth::U256> Number(std::string_view field,
                                 const std::string& text, bool required) {
  std::string what = absl::StrCat("transaction.", std::string(field));
  if (text.empty()) {
    if (required) {
      return absl::InvalidArgumentError(absl::StrCat(what, " is required"));
    }
    return eth::U256(0);
  }
  return eth::U256::Parse(text, what);
}

absl::Status Forbidden(std::string_view field, std::string_view kind) {
  return absl::InvalidArgumentError(
      absl::StrCat("transaction.", std::string(field), " does not belong in ",
                   std::string(kind), " transaction"));
}

}  // namespace

absl::StatusOr<eth::Transaction> ParseTxFields(const TxFields& f) {
  if (f.data.size() > eth::Transaction::kMaxDataBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("transaction.data: ", f.data.size(), " bytes, at most ",
                     eth::Transaction::kMaxDataBytes));
  }
  eth::Transaction tx;
  bool has_1559_fees =
      !f.max_fee_per_gas.empty() || !f.max_priority_fee_per_gas.empty();
  switch (f.type) {
    case TxFields::Type::kLegacy:
      tx.type = eth::Transaction::Type::kLegacy;
      break;
    case TxFields::Type::kEip1559:
      tx.type = eth::Transaction::Type::kEip1559;
      break;
    case TxFields::Type::kUnspecified:
      tx.type = has_1559_fees ? eth::Transaction::Type::kEip1559
                              : eth::Transaction::Type::kLegacy;
      break;
  }
  absl::StatusOr<eth::U256> chain_id = Number("chain_id", f.chain_id, true);
  if (!chain_id.ok()) return chain_id.status();
  if (chain_id->IsZero()) {
    return absl::InvalidArgumentError(
        "transaction.chain_id: must be > 0 (EIP-155 replay protection)");
  }
  tx.chain_id = *chain_id;
  absl::StatusOr<eth::U256> nonce = Number("nonce", f.nonce, true);
  if (!nonce.ok()) return nonce.status();
  if (!nonce->FitsUint64()) {
    return absl::InvalidArgumentError("transaction.nonce: above 2^64-1");
  }
  tx.nonce = *nonce;
  if (!f.to.empty()) {
    absl::StatusOr<eth::Address> to =
        ParseAddressAnyCase(f.to, "transaction.to");
    if (!to.ok()) return to.status();
    tx.to = *to;
  }
  absl::StatusOr<eth::U256> value = Number("value", f.value, false);
  if (!value.ok()) return value.status();
  tx.value = *value;
  tx.data.assign(f.data.begin(), f.data.end());
  absl::StatusOr<eth::U256> gas = Number("gas", f.gas, true);
  if (!gas.ok()) return gas.status();
  if (gas->IsZero() || !gas->FitsUint64()) {
    return absl::InvalidArgumentError(
        "transaction.gas: must be > 0 and at most 2^64-1");
  }
  tx.gas = *gas;
  if (tx.type == eth::Transaction::Type::kLegacy) {
    if (!f.max_fee_per_gas.empty())
      return Forbidden("max_fee_per_gas", "a legacy");
    if (!f.max_priority_fee_per_gas.empty()) {
      return Forbidden("max_priority_fee_per_gas", "a legacy");
    }
    absl::StatusOr<eth::U256> price = Number("gas_price", f.gas_price, true);
    if (!price.ok()) return price.status();
    tx.gas_price = *price;
  } else {
    if (!f.gas_price.empty()) return Forbidden("gas_price", "an EIP-1559");
    absl::StatusOr<eth::U256> max_fee =
        Number("max_fee_per_gas", f.max_fee_per_gas, true);
    if (!max_fee.ok()) return max_fee.status();
    absl::StatusOr<eth::U256> priority =
        Number("max_priority_fee_per_gas", f.max_priority_fee_per_gas, true);
    if (!priority.ok()) return priority.status();
    if (*priority > *max_fee) {
      return absl::InvalidArgumentError(
          "transaction.max_priority_fee_per_gas: above max_fee_per_gas");
    }
    tx.max_fee_per_gas = *max_fee;
    tx.max_priority_fee_per_gas = *priority;
  }
  if (absl::Status s = tx.Validate(); !s.ok()) return s;
  return tx;
}

}  // namespace poolops::wallet
