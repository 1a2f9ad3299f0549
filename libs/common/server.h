// Server bootstrap shared by every poolops service: gRPC health
// (grpc.health.v1) and reflection, a unix socket in the home by default or
// TCP with TLS (mutual TLS when a client CA is given), a Prometheus /metrics
// HTTP endpoint on loopback, a pid/info file in run/, clean stop on SIGTERM
// and SIGINT.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace grpc {
class Service;
}
namespace prometheus {
class Registry;
}

namespace poolops {

struct ServerOptions {
  std::string service_name;  // "wallet-vault", "chain-gateway", ...
  std::string home;          // resolved home folder
  // "unix:/abs/path.sock" (default: run/<service_name>.sock in the home) or
  // "HOST:PORT" for TCP, which requires tls_cert_file and tls_key_file.
  std::string listen;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;  // set: clients must present a cert it signed
  // Prometheus exposition "127.0.0.1:0" by default (port 0 = pick a free one);
  // empty string disables it.
  std::string metrics_listen = "127.0.0.1:0";
};

// Runs until SIGTERM/SIGINT or `stop` is called. Writes run/<service>.json
// with {"pid","address","metrics"} once serving and removes it (and the
// socket) on the way out. `registry` (may be null) is exposed on /metrics.
// Returns an error when the address cannot be bound, naming it.
absl::Status RunServer(const ServerOptions& options,
                       const std::vector<grpc::Service*>& services,
                       std::shared_ptr<prometheus::Registry> registry = nullptr);

// Parses the common service flags (--home, --listen, --tls-cert, --tls-key,
// --tls-client-ca, --metrics-listen, --log-level) from argv into `options`;
// prints usage and returns InvalidArgument on a bad flag.
absl::Status ParseServerFlags(int argc, char** argv, ServerOptions* options);

}  // namespace poolops
