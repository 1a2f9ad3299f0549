#include "cli/gateway_client.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace poolops::cli {

absl::StatusOr<GatewayClient> GatewayClient::Connect(const Context& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      ctx.Channel("chain-gateway");
  if (!channel.ok()) return channel.status();
  return GatewayClient(cv1::ChainGateway::NewStub(*channel));
}

std::unique_ptr<grpc::ClientContext> GatewayClient::Call(
    std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  context->AddMetadata("x-poolops-client",
                       absl::StrCat("poolctl pid=", ::getpid()));
  return context;
}

absl::StatusOr<cv1::Amount::Unit> ParseUnitFlag(const std::string& unit) {
  std::string u = absl::AsciiStrToLower(unit);
  if (u.empty()) return cv1::Amount::UNIT_UNSPECIFIED;
  if (u == "rlc") return cv1::Amount::UNIT_RLC;
  if (u == "nrlc") return cv1::Amount::UNIT_NRLC;
  if (u == "wei") return cv1::Amount::UNIT_WEI;
  return absl::InvalidArgumentError(
      absl::StrCat("--unit \"", unit, "\" is not RLC, nRLC or wei"));
}

}  // namespace poolops::cli
