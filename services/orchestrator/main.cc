// poolops-orchestrator: serves the orchestrator API
// (proto/poolops/orchestrator/v1) with the common bootstrap (health,
#include "libs/common/service_main.h"
#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"

int main(int argc, char** argv) {
  return poolops::ServiceMain(
      argc, argv, "orchestrator", [](const poolops::ServerOptions& options) {
        // Draft: the generated base class answers UNIMPLEMENTED for every
        // method until the service is built.
        poolops::orchestrator::v1::Orchestrator::Service service;
        return poolops::RunServer(options, {&service});
      });
}
