// How poolctl commands call the suite: a stub of a generated gRPC service on
// its channel (Context::Channel, which starts the local suite when needed),
// calls with a deadline and poolctl's label for the services' audit logs,
// server streams read to their result, and outcomes turned into the
// command's exit code (ctx.Ok / ctx.Fail). Errors are absl::Status inside.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/context.h"
#include "libs/common/status_grpc.h"

namespace poolops::cli {

// A context for one call: deadline `timeout` from now, and the metadata
// "x-poolops-client: poolctl pid=N".
std::unique_ptr<grpc::ClientContext> CallContext(std::chrono::seconds timeout);

// The suite's name for a generated service ("poolops.monitor.v1.Monitor" ->
// "monitor"), as Context::Channel wants it.
std::string_view SuiteServiceName(std::string_view service_full_name);

// A stub of `Service` (e.g. poolops::monitor::v1::Monitor).
template <typename Service>
absl::StatusOr<std::unique_ptr<typename Service::Stub>> Connect(
    const Context& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      ctx.Channel(SuiteServiceName(Service::service_full_name()));
  if (!channel.ok()) return channel.status();
  return Service::NewStub(*channel);
}

// Connects and returns body(stub), the command's exit code; when connecting
// fails, the exit code of ctx.Fail.
template <typename Service, typename Body>
int WithStub(const Context& ctx, Body body) {
  absl::StatusOr<std::unique_ptr<typename Service::Stub>> stub =
      Connect<Service>(ctx);
  if (!stub.ok()) return ctx.Fail(stub.status());
  return body(**stub);
}

// One unary call: its response, or its status.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Unary(
    Stub& stub,
    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
    const Request& request, std::chrono::seconds timeout) {
  Response response;
  grpc::Status status =
      (stub.*rpc)(CallContext(timeout).get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response;
}

// Connects to `Service` and makes one unary call.
template <typename Service, typename Request, typename Response>
absl::StatusOr<Response> CallOnce(
    const Context& ctx,
    grpc::Status (Service::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                       Response*),
    const Request& request, std::chrono::seconds timeout) {
  absl::StatusOr<std::unique_ptr<typename Service::Stub>> stub =
      Connect<Service>(ctx);
  if (!stub.ok()) return stub.status();
  return Unary(**stub, rpc, request, timeout);
}

// gRPC's own words for a connection that went away (as opposed to an
// Unavailable status a service returned with its own message).
inline bool IsTransportLoss(std::string_view message) {
  for (std::string_view phrase :
       {"Socket closed", "Connection reset", "Broken pipe", "Stream removed",
        "GOAWAY", "Endpoint read failed", "keepalive", "Connection refused",
        "failed to connect"}) {
    if (message.find(phrase) != std::string_view::npos) return true;
  }
  return message.empty();
}

// Connects to `Service`, starts a server-streaming call and reads it to its
// end: `on_event(event)` shows what is progress and returns the result when
// the event holds it (std::optional<Result>). The last result, the stream's
// error, or Internal when it ended without a result. A stream cut after it
// started (the service died) is Unavailable saying so, then `when_cut`
// (what the user can do about it) when given.
template <typename Service, typename Request, typename Event, typename OnEvent>
auto CallStream(const Context& ctx,
                std::unique_ptr<grpc::ClientReader<Event>> (
                    Service::Stub::*rpc)(grpc::ClientContext*, const Request&),
                const Request& request, std::chrono::seconds timeout,
                OnEvent on_event, std::string_view when_cut = "")
    -> absl::StatusOr<
        typename std::invoke_result_t<OnEvent, const Event&>::value_type> {
  using Result =
      typename std::invoke_result_t<OnEvent, const Event&>::value_type;
  absl::StatusOr<std::unique_ptr<typename Service::Stub>> stub =
      Connect<Service>(ctx);
  if (!stub.ok()) return stub.status();
  std::unique_ptr<grpc::ClientContext> call = CallContext(timeout);
  std::unique_ptr<grpc::ClientReader<Event>> reader =
      ((**stub).*rpc)(call.get(), request);
  Event event;
  std::optional<Result> result;
  bool started = false;
  while (reader->Read(&event)) {
    started = true;
    if (std::optional<Result> r = on_event(event)) result = std::move(r);
  }
  grpc::Status status = reader->Finish();
  // A connection lost after the first event: the service died or was
  // restarted in the middle (gRPC says only "Socket closed"). An Unavailable
  // that the service itself returned (a service it calls is down) is passed
  // on as it is: it names what is unreachable.
  if (started && status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      IsTransportLoss(status.error_message())) {
    return absl::UnavailableError(absl::StrCat(
        "the ", std::string(SuiteServiceName(Service::service_full_name())),
        " stopped answering in the middle of the call (",
        status.error_message(), ")", when_cut.empty() ? "" : ": ",
        std::string(when_cut)));
  }
  if (!status.ok()) return FromGrpc(status);
  if (!result.has_value()) {
    return absl::InternalError(absl::StrCat(
        std::string(SuiteServiceName(Service::service_full_name())),
        " ended the stream without a result"));
  }
  return *std::move(result);
}

// The exit code of an outcome: ctx.Fail(status), or print(value) (which
// returns ctx.Ok(...)).
template <typename T, typename Print>
int Reply(const Context& ctx, const absl::StatusOr<T>& outcome, Print print) {
  return outcome.ok() ? print(*outcome) : ctx.Fail(outcome.status());
}

}  // namespace poolops::cli
