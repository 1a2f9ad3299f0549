#include "cli/rpc_call.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "libs/common/suite.h"
#include "libs/common/unix_grpc_call.h"

namespace poolops::cli {

std::unique_ptr<grpc::ClientContext> CallContext(std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  context->AddMetadata("x-poolops-client",
                       absl::StrCat("poolctl pid=", ::getpid()));
  return context;
}

absl::Status DirectCall(
    ServiceLink& link, const std::string& path, const std::string& request,
    std::chrono::seconds timeout,
    absl::FunctionRef<absl::Status(std::string_view)> on_message) {
  std::unique_ptr<UnixGrpcConnection> connection = std::move(link.connected);
  if (connection == nullptr) {
    absl::StatusOr<std::unique_ptr<UnixGrpcConnection>> again =
        UnixGrpcConnection::Open(link.socket, absl::Seconds(2));
    if (!again.ok()) return again.status();
    connection = *std::move(again);
  }
  UnixCallOptions options;
  options.timeout = absl::FromChrono(timeout);
  options.metadata = {
      {"x-poolops-client", absl::StrCat("poolctl pid=", ::getpid())}};
  return connection->Call(path, request, options, on_message);
}

absl::Status ParseMessage(std::string_view bytes,
                          google::protobuf::MessageLite* message,
                          std::string_view service_full_name) {
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::OkStatus();
  }
  return absl::InternalError(
      absl::StrCat(std::string(SuiteServiceName(service_full_name)), " sent a ",
                   message->GetTypeName(), " that does not parse"));
}

std::string_view SuiteServiceName(std::string_view service_full_name) {
  // The generated names end in the suite's, without dashes:
  // poolops.wallet.v1.WalletVault, poolops.chain.v1.ChainGateway, ...
  std::string_view last =
      service_full_name.substr(service_full_name.rfind('.') + 1);
  for (const SuiteService& s : kSuite) {
    std::string squashed;
    for (char c : s.name) {
      if (c != '-') squashed.push_back(c);
    }
    if (absl::EqualsIgnoreCase(std::string(last), squashed)) return s.name;
  }
  return service_full_name;  // not of the suite: Channel names it
}

}  // namespace poolops::cli
