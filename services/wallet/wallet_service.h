// The gRPC face of the vault (proto/poolops/wallet/v1/wallet.proto): each
// method turns its request into a Vault call and the result into a response,
// with absl statuses mapped by ToGrpc. The caller recorded in the audit log
// is the peer the transport authenticated (the client certificate's name
// under mTLS, else ServerContext::peer()), beside what the client declares:
// its label ("x-poolops-client") and the operation ("x-poolops-purpose",
// e.g. "order publish 0x..." from chain-gateway).
#pragma once

#include "poolops/wallet/v1/wallet.grpc.pb.h"
#include "services/wallet/vault.h"

namespace poolops::wallet {

// Signing is served with the callback API (no thread parked per signature
// waiting for its audit record); the rest is synchronous.
using WalletServiceBase = v1::WalletVault::WithCallbackMethod_SignTransaction<
    v1::WalletVault::WithCallbackMethod_SignTypedData<
        v1::WalletVault::WithCallbackMethod_SignMessage<
            v1::WalletVault::Service>>>;

class WalletServiceImpl final : public WalletServiceBase {
 public:
  explicit WalletServiceImpl(Vault* vault) : vault_(vault) {}

  grpc::Status CreateWallet(grpc::ServerContext* context,
                            const v1::CreateWalletRequest* request,
                            v1::Wallet* response) override;
  grpc::Status ImportPrivateKey(grpc::ServerContext* context,
                                const v1::ImportPrivateKeyRequest* request,
                                v1::Wallet* response) override;
  grpc::Status ImportKeystore(grpc::ServerContext* context,
                              const v1::ImportKeystoreRequest* request,
                              v1::Wallet* response) override;
  grpc::Status ExportKeystore(grpc::ServerContext* context,
                              const v1::ExportKeystoreRequest* request,
                              v1::ExportKeystoreResponse* response) override;
  grpc::Status ListWallets(grpc::ServerContext* context,
                           const v1::ListWalletsRequest* request,
                           v1::ListWalletsResponse* response) override;
  grpc::Status GetWallet(grpc::ServerContext* context,
                         const v1::GetWalletRequest* request,
                         v1::Wallet* response) override;
  grpc::Status Unlock(grpc::ServerContext* context,
                      const v1::UnlockRequest* request,
                      v1::Wallet* response) override;
  grpc::Status Lock(grpc::ServerContext* context,
                    const v1::LockRequest* request,
                    v1::Wallet* response) override;
  grpc::ServerUnaryReactor* SignTransaction(
      grpc::CallbackServerContext* context,
      const v1::SignTransactionRequest* request,
      v1::SignTransactionResponse* response) override;
  grpc::ServerUnaryReactor* SignTypedData(
      grpc::CallbackServerContext* context,
      const v1::SignTypedDataRequest* request,
      v1::SignatureResponse* response) override;
  grpc::ServerUnaryReactor* SignMessage(
      grpc::CallbackServerContext* context,
      const v1::SignMessageRequest* request,
      v1::SignatureResponse* response) override;
  grpc::Status SetPolicy(grpc::ServerContext* context,
                         const v1::SetPolicyRequest* request,
                         v1::WalletPolicy* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context,
                         const v1::GetPolicyRequest* request,
                         v1::WalletPolicy* response) override;

 private:
  Vault* const vault_;
};

}  // namespace poolops::wallet
