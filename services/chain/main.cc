// poolops-chain-gateway: serves the chain-gateway API (proto/poolops/chain/v1)
// with the common bootstrap (health, reflection, unix socket or TLS, /metrics).
#include <cstdio>

#include "libs/common/logging.h"
#include "libs/common/server.h"
#include "poolops/chain/v1/chain.grpc.pb.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  poolops::ServerOptions options;
  options.service_name = "chain-gateway";
  if (!poolops::ParseServerFlags(argc, argv, &options).ok()) return 2;
  if (absl::Status s = poolops::InitLogging(options.service_name, options.home,
                                            options.log_level);
      !s.ok()) {
    std::fprintf(stderr, "poolops-chain-gateway: %s\n", s.ToString().c_str());
    return 2;
  }
  // Draft: the generated base class answers UNIMPLEMENTED for every method.
  poolops::chain::v1::ChainGateway::Service service;
  absl::Status status = poolops::RunServer(options, {&service});
  if (!status.ok()) {
    spdlog::error("{}", status.ToString());
    return 1;
  }
  return 0;
}
