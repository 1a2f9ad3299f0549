// The transaction fields a caller asks the vault to sign, as text (the API's
// form), and their parsing into an eth::Transaction. The vault signs only
// what it parsed and validated itself.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/eth/transaction.h"

namespace poolops::wallet {

struct TxFields {
  enum class Type { kUnspecified, kLegacy, kEip1559 };
  Type type = Type::kUnspecified;        // unspecified: from the fee fields
  std::string chain_id;                  // decimal (or 0x-hex), > 0
  std::string nonce;                     // required
  std::string to;                        // empty = contract creation
  std::string value;                     // wei; empty = 0
  std::string data;                      // raw bytes
  std::string gas;                       // gas limit, required
  std::string gas_price;                 // legacy only
  std::string max_fee_per_gas;           // EIP-1559 only
  std::string max_priority_fee_per_gas;  // EIP-1559 only
};

// InvalidArgument naming the field ("transaction.chain_id: must be > 0").
absl::StatusOr<eth::Transaction> ParseTxFields(const TxFields& fields);

}  // namespace poolops::wallet
