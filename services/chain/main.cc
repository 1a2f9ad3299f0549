// poolops-chain-gateway: serves the chain-gateway API (proto/poolops/chain/v1)
// with the common bootstrap (health, reflection, unix socket or TLS, /metrics).
// Signs through the wallet-vault of the same home (its unix socket, or
// $POOLOPS_WALLET_VAULT_ADDRESS); chains come from <home>/chains.
#include <cstdlib>

#include <grpcpp/grpcpp.h>

#include "libs/common/service_main.h"
#include "libs/common/suite.h"
#include "services/chain/gateway/chain_ops.h"
#include "services/chain/gateway/gateway.h"
#include "services/chain/gateway/gateway_service.h"
#include "services/chain/gateway/vault_signer.h"

namespace {

std::string VaultAddress(const std::string& home) {
  if (const char* a = std::getenv("POOLOPS_WALLET_VAULT_ADDRESS"); a && *a)
    return a;
  std::filesystem::path run = std::filesystem::path(home) / "run";
  if (absl::StatusOr<poolops::RunInfo> info =
          poolops::ReadRunInfo(run, "wallet-vault");
      info.ok())
    return info->address;
  return "unix:" + (run / "wallet-vault.sock").string();
}

}  // namespace

int main(int argc, char** argv) {
  return poolops::ServiceMain(
      argc, argv, "chain-gateway", [](const poolops::ServerOptions& options) {
        using namespace poolops::chain;
        // The vault is reached lazily: it may (re)start after the gateway.
        VaultSigner signer(grpc::CreateChannel(
            VaultAddress(options.home), grpc::InsecureChannelCredentials()));
        ChainRegistry registry(options.home);
        Gateway gateway(&registry, &signer, NewCurlHttpTransport());
        ChainOps ops(&gateway);
        // The order half (Orders, Publishers) is wired in when it lands;
        // until then its methods answer UNIMPLEMENTED.
        GatewayService service(&gateway, &ops, nullptr, nullptr);
        return poolops::RunServer(options, {&service});
      });
}
