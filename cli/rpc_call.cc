#include "cli/rpc_call.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "libs/common/suite.h"

namespace poolops::cli {

std::unique_ptr<grpc::ClientContext> CallContext(std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  context->AddMetadata("x-poolops-client",
                       absl::StrCat("poolctl pid=", ::getpid()));
  return context;
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
