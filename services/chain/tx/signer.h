// Who signs for chain-gateway: wallets are named by vault name or address,
// keys stay in the wallet-vault (VaultSigner, vault_signer.h). Tests use
// KeySigner (key_signer.h) with in-process keys. Implementations are
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/transaction.h"
#include "nlohmann/json.hpp"

namespace poolops::chain {

struct SignedTx {
  eth::Bytes raw;  // for eth_sendRawTransaction
  eth::Hash32 hash;
  eth::Address from;
};

struct TypedDataSignature {
  eth::Bytes signature;  // 65 bytes r || s || v, v = 27/28
  eth::Hash32 digest;
  eth::Address signer;
};

class Signer {
 public:
  virtual ~Signer() = default;
  // The address of a wallet named by name or address. NotFound naming it.
  virtual absl::StatusOr<eth::Address> Resolve(std::string_view wallet) = 0;
  // Signs a complete transaction (nonce, gas, fees set). FailedPrecondition
  // when the wallet is locked, PermissionDenied when its policy refuses.
  // `purpose` says which operation signs ("tx deposit 100 nRLC", "order
  // publish 0x...", "market challenge") for the vault's audit log.
  virtual absl::StatusOr<SignedTx> SignTransaction(
      std::string_view wallet, const eth::Transaction& tx,
      std::string_view purpose) = 0;
  // Signs EIP-712 typed data ({types, domain, primaryType, message}).
  virtual absl::StatusOr<TypedDataSignature> SignTypedData(
      std::string_view wallet, const nlohmann::json& typed_data,
      std::string_view purpose) = 0;
  // Why the wallet cannot sign now, for a person ("wallet owner is locked by
  // the operator since ..."); empty when it can or the signer cannot tell.
  virtual absl::StatusOr<std::string> LockedBecause(std::string_view wallet) {
    return std::string();
  }
};

}  // namespace poolops::chain
