// poolops-chain-gateway: serves the chain-gateway API (proto/poolops/chain/v1)
// with the common bootstrap (health, reflection, unix socket or TLS, /metrics).
// Signs through the wallet-vault of the same home (its unix socket, or
// $POOLOPS_WALLET_VAULT_ADDRESS); chains come from <home>/chains.
#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "libs/common/client_channel.h"
#include "libs/common/http_client.h"
#include "libs/common/service_main.h"
#include "libs/common/suite.h"
#include "services/chain/chains/chain_ops.h"
#include "services/chain/chains/gateway.h"
#include "services/chain/orders/orders.h"
#include "services/chain/publisher/publisher.h"
#include "services/chain/service/gateway_service.h"
#include "services/chain/tx/vault_signer.h"

int main(int argc, char** argv) {
  return poolops::ServiceMain(
      argc, argv, "chain-gateway", [](const poolops::ServerOptions& options) {
        using namespace poolops::chain;
        // The vault is reached lazily: it may (re)start after the gateway.
        auto vault = poolops::SuiteChannel(options.home, "wallet-vault");
        if (!vault.ok()) return vault.status();
        VaultSigner signer(*vault);
        ChainRegistry registry(options.home);
        Gateway gateway(&registry, &signer, poolops::http::NewCurlClient());
        ChainOps ops(&gateway);
        absl::StatusOr<std::unique_ptr<Orders>> orders =
            Orders::Create(&gateway, options.home);
        if (!orders.ok()) return orders.status();
        // Publisher loops saved in <home>/publisher resume here.
        absl::StatusOr<std::unique_ptr<Publishers>> publishers =
            Publishers::Create(&gateway, orders->get(), options.home);
        if (!publishers.ok()) return publishers.status();
        GatewayService service(&gateway, &ops, orders->get(),
                               publishers->get());
        return poolops::RunServer(options, {&service});
      });
}
