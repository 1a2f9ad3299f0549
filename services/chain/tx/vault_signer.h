// The gateway's Signer: asks the wallet-vault over gRPC. Keys never leave
// the vault; a locked wallet comes back as the vault's FailedPrecondition
// ("wallet ... is locked"), a policy refusal as PermissionDenied.
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "poolops/wallet/v1/wallet.grpc.pb.h"
#include "services/chain/tx/signer.h"

namespace grpc {
class Channel;
}

namespace poolops::chain {

class VaultSigner : public Signer {
 public:
  explicit VaultSigner(std::shared_ptr<grpc::Channel> channel,
                       absl::Duration deadline = absl::Seconds(30));

  absl::StatusOr<eth::Address> Resolve(std::string_view wallet) override;
  absl::StatusOr<SignedTx> SignTransaction(std::string_view wallet,
                                           const eth::Transaction& tx,
                                           std::string_view purpose) override;
  absl::StatusOr<TypedDataSignature> SignTypedData(
      std::string_view wallet, const nlohmann::json& typed_data,
      std::string_view purpose) override;
  absl::StatusOr<std::string> LockedBecause(std::string_view wallet) override;

 private:
  std::unique_ptr<poolops::wallet::v1::WalletVault::Stub> stub_;
  const absl::Duration deadline_;
};

}  // namespace poolops::chain
