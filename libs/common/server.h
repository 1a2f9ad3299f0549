// Server bootstrap shared by every poolops service: gRPC health
// (grpc.health.v1), reflection on unix sockets (on TCP only with
// --reflection), a unix socket in the home by default or TCP with mutual TLS
// (a server certificate and a client CA are both required: every TCP caller
// shows a certificate the suite's CA signed), a Prometheus /metrics HTTP
// endpoint on loopback (other interfaces only with --metrics-public), a
// pid/info file in run/, clean stop on SIGTERM and SIGINT.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

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
  // "HOST:PORT" for TCP, which requires tls_cert_file, tls_key_file and
  // tls_client_ca_file (mutual TLS; plaintext TCP is never offered).
  std::string listen;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;  // clients must present a cert it signed
  // gRPC reflection on TCP (--reflection); unix sockets always have it.
  bool tcp_reflection = false;
  // Prometheus exposition "127.0.0.1:0" by default (port 0 = pick a free one);
  // empty string disables it. A host other than loopback is refused unless
  // metrics_public (--metrics-public) is set.
  std::string metrics_listen = "127.0.0.1:0";
  bool metrics_public = false;
  // A page the service serves itself (the monitor's status page), written
  // in its run file as "dashboard".
  std::string dashboard_url;
  std::string log_level = "info";  // --log-level, for InitLogging
  // Install SIGTERM/SIGINT handlers (off for servers embedded in tests, which
  // stop through ServerControl instead).
  bool handle_signals = true;
  // How long in-flight calls get to finish once a stop is asked for.
  absl::Duration shutdown_grace = absl::Seconds(5);
};

// Lets another thread (tests, embedders) watch and stop a RunServer call.
// Thread-safe.
class ServerControl {
 public:
  ServerControl() = default;
  ServerControl(const ServerControl&) = delete;
  ServerControl& operator=(const ServerControl&) = delete;

  // Asks RunServer to shut down gracefully; works before it started too.
  void Stop();
  // True once RunServer serves; false on timeout or when it returned first.
  bool WaitUntilServing(absl::Duration timeout);
  // The bound addresses (port 0 resolved), valid once serving.
  std::string address() const;
  std::string metrics_url() const;

 private:
  friend class ServerRun;
  mutable absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  int wake_fd_ ABSL_GUARDED_BY(mu_) = -1;  // RunServer's self-pipe
  std::string address_ ABSL_GUARDED_BY(mu_);
  std::string metrics_url_ ABSL_GUARDED_BY(mu_);
};

// Runs until SIGTERM/SIGINT or `control->Stop()`. Writes run/<service>.json
// with {"pid","address","metrics"} once serving and removes it (and the
// socket) on the way out. `registry` (may be null) is exposed on /metrics.
// Returns an error when the address cannot be bound, naming it, and
// FailedPrecondition when another instance already answers on the socket.
// `services` must have a synchronous method when reflection is off (TCP
// without --reflection): gRPC refuses to start a server with none.
absl::Status RunServer(const ServerOptions& options,
                       const std::vector<grpc::Service*>& services,
                       std::shared_ptr<prometheus::Registry> registry = nullptr,
                       ServerControl* control = nullptr);

// Parses the common service flags (--home, --listen, --tls-cert, --tls-key,
// --tls-client-ca, --reflection, --metrics-listen, --metrics-public,
// --log-level) from argv into `options`
// (home resolved as poolctl does: flag, $POOLOPS_HOME, ~/.poolops); prints
// usage and returns InvalidArgument on a bad flag. --help prints usage and
// exits 0.
absl::Status ParseServerFlags(int argc, char** argv, ServerOptions* options);

}  // namespace poolops
