// How poolctl commands call the suite: a generated service's methods
// (POOLOPS_RPC) over the link Context::Reach gives (a unix socket called
// directly, or gRPC for TCP; the local suite started when needed), calls
// with a deadline and poolctl's label for the services' audit logs, server
// streams read to their result, and outcomes turned into the command's exit
// code (ctx.Ok / ctx.Fail). Errors are absl::Status inside.
#pragma once

#include <google/protobuf/message_lite.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/functional/function_ref.h"
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

// A method of a generated service as poolctl calls it: its name, for a call
// over a unix socket, and its stub's member, for a call through gRPC.
// Written POOLOPS_RPC(wv1::WalletVault, ListWallets).
template <typename Service, typename Member>
struct Rpc {
  Member member;
  const char* name;
  // "/poolops.wallet.v1.WalletVault/ListWallets".
  std::string Path() const {
    return absl::StrCat("/", Service::service_full_name(), "/", name);
  }
};
template <typename Service, typename Member>
Rpc<Service, Member> MakeRpc(Member member, const char* name) {
  return {member, name};
}
#define POOLOPS_RPC(Service, Method) \
  ::poolops::cli::MakeRpc<Service>(&Service::Stub::Method, #Method)

template <typename Service, typename Request, typename Response>
using UnaryRpc =
    Rpc<Service, grpc::Status (Service::Stub::*)(grpc::ClientContext*,
                                                 const Request&, Response*)>;
template <typename Service, typename Request, typename Event>
using StreamRpc =
    Rpc<Service, std::unique_ptr<grpc::ClientReader<Event>> (Service::Stub::*)(
                     grpc::ClientContext*, const Request&)>;

// Calls `path` over `link`'s unix socket (its connection first, then a new
// one per call) with poolctl's metadata; each response message goes to
// `on_message`. The call's status, as gRPC would give it.
absl::Status DirectCall(
    ServiceLink& link, const std::string& path, const std::string& request,
    std::chrono::seconds timeout,
    absl::FunctionRef<absl::Status(std::string_view)> on_message);

// Parses one response message into `message`; Internal naming the service
// when the bytes are not one.
absl::Status ParseMessage(std::string_view bytes,
                          google::protobuf::MessageLite* message,
                          std::string_view service_full_name);

// One unary call over `link`: its response, or its status.
template <typename Service, typename Request, typename Response>
absl::StatusOr<Response> Unary(ServiceLink& link,
                               UnaryRpc<Service, Request, Response> rpc,
                               const Request& request,
                               std::chrono::seconds timeout) {
  Response response;
  if (link.channel != nullptr) {
    auto stub = Service::NewStub(link.channel);
    grpc::Status status =
        ((*stub).*rpc.member)(CallContext(timeout).get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    return response;
  }
  int messages = 0;
  absl::Status status = DirectCall(
      link, rpc.Path(), request.SerializeAsString(), timeout,
      [&](std::string_view bytes) {
        // gRPC's words for a unary call answered twice.
        if (++messages > 1) {
          return absl::InternalError(
              "Received multiple messages for a unary call");
        }
        return ParseMessage(bytes, &response, Service::service_full_name());
      });
  if (!status.ok()) return status;
  if (messages == 0) {
    return absl::InternalError("No message returned for unary request");
  }
  return response;
}

// Reaches `Service` (Context::Reach) and returns body(link), the command's
// exit code; when it cannot be reached, the exit code of ctx.Fail.
template <typename Service, typename Body>
int WithLink(const Context& ctx, Body body) {
  absl::StatusOr<ServiceLink> link =
      ctx.Reach(SuiteServiceName(Service::service_full_name()));
  if (!link.ok()) return ctx.Fail(link.status());
  return body(*link);
}

// A stub of `Service` on a gRPC channel, for the open-ended watch (which
// cancels its stream): every other call goes through Unary and CallStream.
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

// Reaches `Service` and makes one unary call.
template <typename Service, typename Request, typename Response>
absl::StatusOr<Response> CallOnce(const Context& ctx,
                                  UnaryRpc<Service, Request, Response> rpc,
                                  const Request& request,
                                  std::chrono::seconds timeout) {
  absl::StatusOr<ServiceLink> link =
      ctx.Reach(SuiteServiceName(Service::service_full_name()));
  if (!link.ok()) return link.status();
  return Unary(*link, rpc, request, timeout);
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
auto CallStream(const Context& ctx, StreamRpc<Service, Request, Event> rpc,
                const Request& request, std::chrono::seconds timeout,
                OnEvent on_event, std::string_view when_cut = "")
    -> absl::StatusOr<
        typename std::invoke_result_t<OnEvent, const Event&>::value_type> {
  using Result =
      typename std::invoke_result_t<OnEvent, const Event&>::value_type;
  absl::StatusOr<ServiceLink> link =
      ctx.Reach(SuiteServiceName(Service::service_full_name()));
  if (!link.ok()) return link.status();
  std::optional<Result> result;
  bool started = false;
  absl::Status status;
  if (link->channel != nullptr) {
    auto stub = Service::NewStub(link->channel);
    std::unique_ptr<grpc::ClientContext> call = CallContext(timeout);
    std::unique_ptr<grpc::ClientReader<Event>> reader =
        ((*stub).*rpc.member)(call.get(), request);
    Event event;
    while (reader->Read(&event)) {
      started = true;
      if (std::optional<Result> r = on_event(event)) result = std::move(r);
    }
    status = FromGrpc(reader->Finish());
  } else {
    status = DirectCall(*link, rpc.Path(), request.SerializeAsString(), timeout,
                        [&](std::string_view bytes) {
                          Event event;
                          absl::Status parsed = ParseMessage(
                              bytes, &event, Service::service_full_name());
                          if (!parsed.ok()) return parsed;
                          started = true;
                          if (std::optional<Result> r = on_event(event)) {
                            result = std::move(r);
                          }
                          return absl::OkStatus();
                        });
  }
  // A connection lost after the first event: the service died or was
  // restarted in the middle (gRPC says only "Socket closed"). An Unavailable
  // that the service itself returned (a service it calls is down) is passed
  // on as it is: it names what is unreachable.
  if (started && absl::IsUnavailable(status) &&
      IsTransportLoss(std::string(status.message()))) {
    return absl::UnavailableError(absl::StrCat(
        "the ", std::string(SuiteServiceName(Service::service_full_name())),
        " stopped answering in the middle of the call (",
        std::string(status.message()), ")", when_cut.empty() ? "" : ": ",
        std::string(when_cut)));
  }
  if (!status.ok()) return status;
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
