// Who is calling, as a service can record it (the vault's audit log): over
// TCP the common name of the client certificate the suite's CA signed
// ("chain-gateway", "poolctl", ...: mutual TLS is required there, see
// server.h); over a unix socket "unix" (the 0700 home is the access control,
// so the caller is the home's user).
#pragma once

#include <string>

namespace grpc {
class ServerContext;
class ServerContextBase;
}  // namespace grpc

namespace poolops {

// "unix" for a unix socket; the verified certificate's CN over TLS; when
// there is none (no verified certificate: not reachable through RunServer's
// TCP listener) "unauthenticated:<peer>".
std::string PeerIdentity(const grpc::ServerContext& ctx);
// The same for callback-API contexts.
std::string PeerIdentity(const grpc::ServerContextBase& ctx);

}  // namespace poolops
