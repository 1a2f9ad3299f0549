// poolctl's side of chain-gateway: a stub (starting the local suite when
// needed), call contexts with deadlines, `--unit` parsing, and the loop that
// turns a transaction stream into progress lines and its final result.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cli/context.h"
#include "libs/common/status_grpc.h"
#include "poolops/chain/v1/chain.grpc.pb.h"

namespace poolops::cli {

namespace cv1 = ::poolops::chain::v1;

class GatewayClient {
 public:
  static absl::StatusOr<GatewayClient> Connect(const Context& ctx);
  cv1::ChainGateway::Stub* operator->() { return stub_.get(); }
  // Transactions wait for receipts: minutes, not seconds.
  static std::unique_ptr<grpc::ClientContext> Call(
      std::chrono::seconds timeout = std::chrono::seconds(300));

 private:
  explicit GatewayClient(std::unique_ptr<cv1::ChainGateway::Stub> stub)
      : stub_(std::move(stub)) {}
  std::unique_ptr<cv1::ChainGateway::Stub> stub_;
};

// "RLC", "nRLC", "wei" (any case) or empty (the command's default).
absl::StatusOr<cv1::Amount::Unit> ParseUnitFlag(const std::string& unit);

// Reads a stream of Event {oneof progress | result}: progress lines go to
// stderr, the result is returned; the stream's error status otherwise.
template <typename Event, typename Result>
absl::StatusOr<Result> FollowStream(const Context& ctx,
                                    grpc::ClientReader<Event>* reader,
                                    const Result& (Event::*result)() const) {
  Event event;
  std::optional<Result> out;
  while (reader->Read(&event)) {
    if (event.has_progress()) {
      ctx.Progress(event.progress().message());
    } else {
      out = (event.*result)();
    }
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return FromGrpc(st);
  if (!out)
    return absl::InternalError("chain-gateway ended the stream without a result");
  return *out;
}

}  // namespace poolops::cli
