// poolops-orchestrator: serves the orchestrator API
// (proto/poolops/orchestrator/v1) with the common bootstrap (health,
// reflection, unix socket or TLS, /metrics).
#include <cstdio>

#include "libs/common/logging.h"
#include "libs/common/server.h"
#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  poolops::ServerOptions options;
  options.service_name = "orchestrator";
  if (!poolops::ParseServerFlags(argc, argv, &options).ok()) return 2;
  if (absl::Status s = poolops::InitLogging(options.service_name, options.home,
                                            options.log_level);
      !s.ok()) {
    std::fprintf(stderr, "poolops-orchestrator: %s\n", s.ToString().c_str());
    return 2;
  }
  // Draft: the generated base class answers UNIMPLEMENTED for every method.
  poolops::orchestrator::v1::Orchestrator::Service service;
  absl::Status status = poolops::RunServer(options, {&service});
  if (!status.ok()) {
    spdlog::error("{}", status.ToString());
    return 1;
  }
  return 0;
}
