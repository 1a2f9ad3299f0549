// What every poolctl command shares: global flags, output in human or --json
// form, the error contract of CLI.md, and channels to the local suite.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace grpc {
class Channel;
}

namespace poolops {
class UnixGrpcConnection;
}

namespace poolops::cli {

// How poolctl prints: `j` as one JSON line (invalid UTF-8 replaced, never
// throwing), `text` without terminal control sequences (newline added when
// missing). Context's methods use them; so do streaming commands.
void PrintJson(std::ostream& out, const nlohmann::json& j);
void PrintText(std::ostream& out, std::string_view text);

// Exit codes: 0 ok; 1 internal/unknown; 2 INVALID_ARGUMENT or a usage error;
// 3 NOT_FOUND; 4 ALREADY_EXISTS / FAILED_PRECONDITION; 5 PERMISSION_DENIED /
// UNAUTHENTICATED; 6 UNAVAILABLE; 7 DEADLINE_EXCEEDED; 8 RESOURCE_EXHAUSTED.
int ExitCodeFor(const absl::Status& status);

// Where a command's calls to one service go. A local service listens on a
// unix socket: it is called directly, without the gRPC runtime, whose
// start-up costs more than the call (libs/common/unix_grpc_call.h). A
// service on TCP is called through a gRPC channel with mutual TLS.
struct ServiceLink {
  ServiceLink();
  ServiceLink(ServiceLink&&);
  ServiceLink& operator=(ServiceLink&&);
  ~ServiceLink();

  std::string socket;  // the unix socket's path, or empty
  // The connection Context::Reach made, for the first call.
  std::unique_ptr<UnixGrpcConnection> connected;
  std::shared_ptr<grpc::Channel> channel;  // set for TCP
};

class Context {
 public:
  // Global flags, bound by main before parsing.
  std::string home_flag;
  std::string chain;
  bool json = false;
  // The command line as the user gave it (the front hands it over to
  // poolctl-full for the devnet's lifecycle, devnet_run.h).
  std::vector<std::string> argv;

  std::string Home() const;  // resolved (flag, $POOLOPS_HOME, ~/.poolops)

  // Success: with --json prints `result` as one JSON object on stdout;
  // otherwise prints `human` (plus a newline when missing). Returns 0.
  // Both as PrintJson / PrintText do.
  int Ok(const nlohmann::json& result, std::string_view human) const;
  // Failure: with --json prints {"error":{"code":"NOT_FOUND","message":...}}
  // on stdout; always prints "error: <message>" on stderr. Returns the exit
  // code for the status.
  int Fail(const absl::Status& status) const;
  // A progress line on stderr (never stdout, so --json output stays clean).
  void Progress(std::string_view line) const;

  // A channel to a service of the suite ("wallet-vault", ...), found as
  // libs/common/client_channel.h says (env, config.yaml, run/<service>.json,
  // unix socket; TCP always TLS). When a local service is not running, the
  // local suite is started (as `poolctl services up` does) with a progress
  // line; a service whose address is set explicitly is never started here.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(
      std::string_view service) const;
  // The link to a service of the suite: found and started as Channel says,
  // connected, and Unavailable naming the address and the setting that gave
  // it when it does not connect.
  absl::StatusOr<ServiceLink> Reach(std::string_view service) const;
};

// Starts every service of the local suite that is not answering yet (the
// work of `poolctl services up`, also used by Context::Channel), waiting up
// to `timeout` for each to report SERVING. Progress goes to stderr.
absl::Status EnsureSuiteRunning(const Context& ctx,
                                absl::Duration timeout = absl::Seconds(30));

}  // namespace poolops::cli
