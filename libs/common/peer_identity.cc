#include "libs/common/peer_identity.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/server_context.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace poolops {

std::string PeerIdentity(const grpc::ServerContext& ctx) {
  return PeerIdentity(static_cast<const grpc::ServerContextBase&>(ctx));
}

std::string PeerIdentity(const grpc::ServerContextBase& ctx) {
  const std::string peer = ctx.peer();
  if (absl::StartsWith(peer, "unix:")) return "unix";
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  // Only the properties of a certificate the handshake verified count.
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const grpc::string_ref& cn :
         auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
      if (cn.size() > 0) return std::string(cn.data(), cn.size());
    }
  }
  return absl::StrCat("unauthenticated:", peer);
}

}  // namespace poolops
