// A Signer over private keys held in this process: for tests and benches
// (the gateway itself signs through the vault, vault_signer.h). Wallets are
// named by the name given to Add or by address.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/eth/secp256k1.h"
#include "services/chain/tx/signer.h"

namespace poolops::chain {

class KeySigner : public Signer {
 public:
  // `private_key_hex`: 64 hex digits, 0x optional.
  absl::StatusOr<eth::Address> Add(const std::string& name,
                                   std::string_view private_key_hex);

  absl::StatusOr<eth::Address> Resolve(std::string_view wallet) override;
  absl::StatusOr<SignedTx> SignTransaction(std::string_view wallet,
                                           const eth::Transaction& tx,
                                           std::string_view purpose) override;
  absl::StatusOr<TypedDataSignature> SignTypedData(
      std::string_view wallet, const nlohmann::json& typed_data,
      std::string_view purpose) override;

  // The purposes given to the Sign calls so far, oldest first (for tests).
  std::vector<std::string> purposes();

 private:
  struct Key {
    std::string name;
    eth::Address address;
    eth::Bytes secret;
  };
  absl::StatusOr<Key> Find(std::string_view wallet);

  absl::Mutex mu_;
  std::vector<Key> keys_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> purposes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain
