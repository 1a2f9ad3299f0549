// poolctl's side of chain-gateway: one-call commands, the transaction
// streams (progress lines on stderr, then the result), and `--unit` parsing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cli/context.h"
#include "cli/rpc_call.h"
#include "poolops/chain/v1/chain.grpc.pb.h"

namespace poolops::cli {

namespace cv1 = ::poolops::chain::v1;
using GatewayStub = cv1::ChainGateway::Stub;

// Transactions wait for receipts: minutes, not seconds.
inline constexpr std::chrono::seconds kGatewayTimeout{300};

// Connects to chain-gateway (starting the local suite when needed) and makes
// one unary call.
template <typename Request, typename Response>
absl::StatusOr<Response> CallGateway(
    const Context& ctx, UnaryRpc<cv1::ChainGateway, Request, Response> rpc,
    const Request& request) {
  return CallOnce<cv1::ChainGateway>(ctx, rpc, request, kGatewayTimeout);
}

// A transaction stream of Event {oneof progress | result}: progress lines go
// to stderr, the result is returned; the stream's error status otherwise.
template <typename Request, typename Event, typename Result>
absl::StatusOr<Result> GatewayTx(
    const Context& ctx, StreamRpc<cv1::ChainGateway, Request, Event> rpc,
    const Request& request, const Result& (Event::*result)() const) {
  return CallStream<cv1::ChainGateway>(
      ctx, rpc, request, kGatewayTimeout,
      [&ctx, result](const Event& event) -> std::optional<Result> {
        if (event.has_progress()) {
          ctx.Progress(event.progress().message());
          return std::nullopt;
        }
        return (event.*result)();
      });
}

// "RLC", "nRLC", "wei" (any case) or empty (the command's default).
absl::StatusOr<cv1::Amount::Unit> ParseUnitFlag(const std::string& unit);

}  // namespace poolops::cli
