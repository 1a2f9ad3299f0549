// poolops-chain-gateway: serves the chain-gateway API (proto/poolops/chain/v1)
// with the common bootstrap (health, reflection, unix socket or TLS, /metrics).
#include "libs/common/service_main.h"
#include "poolops/chain/v1/chain.grpc.pb.h"

int main(int argc, char** argv) {
  return poolops::ServiceMain(
      argc, argv, "chain-gateway", [](const poolops::ServerOptions& options) {
        // Draft: the generated base class answers UNIMPLEMENTED for every
        // method until the service is built.
        poolops::chain::v1::ChainGateway::Service service;
        return poolops::RunServer(options, {&service});
      });
}
