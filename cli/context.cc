#include "cli/context.h"

#include <grpc/grpc.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdio>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "libs/common/client_channel.h"
#include "libs/common/health_client.h"
#include "libs/common/home.h"
#include "libs/common/terminal_text.h"
#include "libs/common/unix_grpc_call.h"

namespace poolops::cli {

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 2;
    case absl::StatusCode::kNotFound:
      return 3;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return 4;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return 5;
    case absl::StatusCode::kUnavailable:
      return 6;
    case absl::StatusCode::kDeadlineExceeded:
      return 7;
    case absl::StatusCode::kResourceExhausted:
      return 8;
    default:
      return 1;
  }
}

std::string Context::Home() const {
  return poolops::Home::Resolve(home_flag).string();
}

// Everything poolctl prints goes through these: JSON dumped with invalid
// UTF-8 replaced (a path or a service's message may hold any bytes, and a
// throwing dump would abort), text for a terminal without its control and
// escape sequences (it may come from a probed service, a market, a node).
void PrintJson(std::ostream& out, const nlohmann::json& j) {
  out << DumpJson(j) << std::endl;
}

void PrintText(std::ostream& out, std::string_view text) {
  std::string shown = SanitizeForTerminal(text, TerminalLines::kKeepBreaks);
  if (shown.empty()) return;
  out << shown;
  if (shown.back() != '\n') out << '\n';
  out.flush();
}

int Context::Ok(const nlohmann::json& result, std::string_view human) const {
  if (json) {
    PrintJson(std::cout, result);
  } else {
    PrintText(std::cout, human);
  }
  return 0;
}

int Context::Fail(const absl::Status& status) const {
  std::string message(status.message());
  if (json) {
    nlohmann::json error = {{"error",
                             {{"code", absl::StatusCodeToString(status.code())},
                              {"message", message}}}};
    PrintJson(std::cout, error);
  }
  PrintText(std::cerr, absl::StrCat("error: ", message));
  return ExitCodeFor(status);
}

void Context::Progress(std::string_view line) const {
  PrintText(std::cerr, line);
}

ServiceLink::ServiceLink() = default;
ServiceLink::ServiceLink(ServiceLink&&) = default;
ServiceLink& ServiceLink::operator=(ServiceLink&&) = default;
ServiceLink::~ServiceLink() = default;

namespace {

// gRPC stays initialised until the process ends (main's _Exit), and so do
// its channels: otherwise releasing the last one destroys it and shuts gRPC
// down, joining its threads, which costs more than the call. Only links
// that use gRPC pay for it: the first call initialises it.
std::vector<std::shared_ptr<grpc::Channel>>& KeptChannels() {
  static const bool kGrpcKept = (grpc_init(), true);
  (void)kGrpcKept;
  static auto* kept = new std::vector<std::shared_ptr<grpc::Channel>>();
  return *kept;
}

// A link to `endpoint` once it is connected; Unavailable naming the address
// and the setting that gave it when it does not connect. Configuration
// errors (bad address, missing TLS files) come back as they are. Connected
// is enough: no health round trip before the call (a service listens only
// once it serves), so a command costs one call. `grpc_only`: a gRPC channel
// even for a unix socket.
absl::StatusOr<ServiceLink> ConnectedLink(const std::filesystem::path& home,
                                          std::string_view service,
                                          const SuiteEndpoint& endpoint,
                                          bool grpc_only) {
  ServiceLink link;
  absl::Status connected;
  if (!endpoint.tls() && !grpc_only) {
    link.socket = endpoint.address.substr(std::string_view("unix:").size());
    absl::StatusOr<std::unique_ptr<UnixGrpcConnection>> connection =
        UnixGrpcConnection::Open(link.socket, absl::Seconds(2));
    if (connection.ok()) {
      link.connected = *std::move(connection);
      return link;
    }
    if (!absl::IsUnavailable(connection.status())) return connection.status();
    connected = connection.status();
  } else {
    std::vector<std::shared_ptr<grpc::Channel>>& kept = KeptChannels();
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        EndpointChannel(home, endpoint);
    if (!channel.ok()) return channel.status();
    // TLS handshakes take longer than a unix socket connect.
    connected = WaitConnected(
        **channel, endpoint.tls() ? absl::Seconds(5) : absl::Seconds(2));
    if (connected.ok()) {
      kept.push_back(*channel);
      link.channel = *std::move(channel);
      return link;
    }
  }
  return absl::UnavailableError(absl::StrCat(
      std::string(service), " at ", endpoint.address, " (", endpoint.source,
      ") does not answer: ", connected.message()));
}

absl::StatusOr<ServiceLink> OpenLink(const Context& ctx,
                                     std::string_view service, bool grpc_only) {
  std::filesystem::path home(ctx.Home());
  absl::StatusOr<SuiteEndpoint> endpoint = ResolveSuiteEndpoint(home, service);
  if (!endpoint.ok()) return endpoint.status();
  absl::StatusOr<ServiceLink> link =
      ConnectedLink(home, service, *endpoint, grpc_only);
  // Set explicitly (another host, containers): never start anything here.
  if (link.ok() || endpoint->explicit_setting ||
      !absl::IsUnavailable(link.status())) {
    return link;
  }
  ctx.Progress(absl::StrCat(std::string(service),
                            " is not running: starting the local suite"));
  if (absl::Status s = EnsureSuiteRunning(ctx); !s.ok()) return s;
  endpoint = ResolveSuiteEndpoint(home, service);
  if (!endpoint.ok()) return endpoint.status();
  return ConnectedLink(home, service, *endpoint, grpc_only);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> Context::Channel(
    std::string_view service) const {
  absl::StatusOr<ServiceLink> link = OpenLink(*this, service, true);
  if (!link.ok()) return link.status();
  return link->channel;
}

absl::StatusOr<ServiceLink> Context::Reach(std::string_view service) const {
  return OpenLink(*this, service, false);
}

}  // namespace poolops::cli
