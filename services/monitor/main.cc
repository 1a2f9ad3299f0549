// poolops-monitor: serves the monitor API (proto/poolops/monitor/v1) with the
// common bootstrap (health, reflection, unix socket or TLS, /metrics).
#include "libs/common/service_main.h"
#include "poolops/monitor/v1/monitor.grpc.pb.h"

int main(int argc, char** argv) {
  return poolops::ServiceMain(argc, argv, "monitor",
                              [](const poolops::ServerOptions& options) {
                                // Draft: the generated base class answers
                                // UNIMPLEMENTED for every method until the
                                // service is built.
                                poolops::monitor::v1::Monitor::Service service;
                                return poolops::RunServer(options, {&service});
                              });
}
