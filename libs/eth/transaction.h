// Ethereum transactions: legacy with EIP-155 replay protection (type 0) and
// EIP-1559 (type 2). Signing hashes, signed encodings, decoding of raw
// signed transactions, and the JSON form used by `poolctl wallet sign-tx`.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/uint256.h"
#include "nlohmann/json_fwd.hpp"

namespace poolops::eth {

struct Transaction {
  enum class Type { kLegacy = 0, kEip1559 = 2 };
  Type type = Type::kLegacy;
  U256 chain_id;
  U256 nonce;
  std::optional<Address> to;  // nullopt = contract creation
  U256 value;
  Bytes data;
  U256 gas;
  U256 gas_price;                 // kLegacy
  U256 max_fee_per_gas;           // kEip1559
  U256 max_priority_fee_per_gas;  // kEip1559
  // access lists are always empty here (encoded as an empty list).

  // Field sanity: chain id > 0, type-specific fee fields, priority <= max fee,
  // data at most kMaxDataBytes. InvalidArgumentError naming the field.
  absl::Status Validate() const;

  // Hash that is signed: legacy EIP-155 keccak(rlp(nonce, gasPrice, gas, to,
  // value, data, chainId, 0, 0)); type 2 keccak(0x02 || rlp(...)).
  Hash32 SigningHash() const;
  // Signed wire encoding (what eth_sendRawTransaction takes).
  Bytes EncodeSigned(const RecoverableSignature& sig) const;

  static constexpr size_t kMaxDataBytes = 128 * 1024;
};

struct SignedTransaction {
  Transaction tx;
  RecoverableSignature signature;
  Address from;   // recovered
  Hash32 hash;    // keccak of the raw encoding
};

// Decodes a raw signed transaction (legacy EIP-155 or type 2) and recovers
// its sender. Pre-EIP-155 legacy (v 27/28) is accepted with chain_id 0.
absl::StatusOr<SignedTransaction> DecodeSigned(ByteView raw);

// Parses the CLI JSON form: {"chainId","nonce","to","value","data","gas",
// "gasPrice"} or with "maxFeePerGas","maxPriorityFeePerGas" (type 2).
// Numbers are decimal strings (0x-hex strings and JSON integers accepted);
// "to" absent or null = creation; "data" hex, default empty; "type" optional
// (0 or 2) and must agree with the fee fields. Unknown keys are rejected.
absl::StatusOr<Transaction> TransactionFromJson(const nlohmann::json& j);
nlohmann::json TransactionToJson(const Transaction& tx);

}  // namespace poolops::eth
