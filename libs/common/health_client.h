// A grpc.health.v1 client without generated code (Debian ships no
// health.proto): the two messages are encoded by hand, which is all the
// protocol needs. Used by the server's stale-socket check, poolctl and tests.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace grpc {
class Channel;
}

namespace poolops {

enum class HealthState { kUnknown, kServing, kNotServing, kServiceUnknown };

// Calls grpc.health.v1.Health/Check for `service` ("" = the whole server).
// A gRPC error (server absent, deadline) comes back as the error status.
absl::StatusOr<HealthState> CheckHealth(grpc::Channel& channel,
                                        std::string_view service,
                                        absl::Duration timeout);

// Waits until `channel` has a transport (a unix connect, a TCP connect and
// TLS handshake): the first call on it then goes out at once. No RPC and no
// callback threads, unlike CheckHealth. Unavailable saying why (the
// connection failed, or none within `timeout`).
absl::Status WaitConnected(grpc::Channel& channel, absl::Duration timeout);

// An insecure channel to a local address ("unix:/path.sock" or HOST:PORT).
std::shared_ptr<grpc::Channel> LocalChannel(std::string_view address);

}  // namespace poolops
