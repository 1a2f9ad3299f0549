// gRPC calls over a unix socket without the gRPC runtime: HTTP/2 framing by
// nghttp2, gRPC's wire format (5-byte message prefix, grpc-status trailers)
// here. poolctl's call to a local service then costs a connect, a write and
// a read: the gRPC runtime's start-up (its core configuration, event engine,
// six threads, channel stack) took more than half of a one-call command
// (issue 18). Unary and server-streaming calls, identity encoding, no TLS:
// TCP endpoints always go through gRPC with mutual TLS.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops {

struct UnixCallOptions {
  absl::Duration timeout = absl::Seconds(30);
  // Request metadata: lower-case token keys, printable ASCII values.
  std::vector<std::pair<std::string, std::string>> metadata;
  // The largest response message accepted (gRPC's default receive limit).
  size_t max_message = 4 << 20;
};

// One connected unix socket, for one call.
class UnixGrpcConnection {
 public:
  // Connects to the socket at `path` ("/abs/x.sock", no "unix:"), waiting
  // up to `timeout`. Unavailable "the connection failed (<why>)" when nobody
  // listens there, as gRPC's channel says it.
  static absl::StatusOr<std::unique_ptr<UnixGrpcConnection>> Open(
      const std::string& path, absl::Duration timeout);

  ~UnixGrpcConnection();
  UnixGrpcConnection(const UnixGrpcConnection&) = delete;
  UnixGrpcConnection& operator=(const UnixGrpcConnection&) = delete;

  // Calls `method` ("/package.Service/Method") with the serialized
  // `request`. Each response message goes to `on_message` in order; an
  // error it returns ends the call and is returned. Then the call's status:
  // the service's (grpc-status, grpc-message), or what went wrong on the
  // way, in gRPC's codes and words (Unavailable "Socket closed" for a
  // connection lost, DeadlineExceeded "Deadline Exceeded", ResourceExhausted
  // for a message over the limit, Internal for a malformed answer). Once.
  absl::Status Call(
      std::string_view method, std::string_view request,
      const UnixCallOptions& options,
      absl::FunctionRef<absl::Status(std::string_view)> on_message);

 private:
  explicit UnixGrpcConnection(int fd) : fd_(fd) {}
  int fd_;
  bool used_ = false;
};

// grpc-message's percent-encoding undone ("%25" -> "%"); a malformed escape
// is kept as it is, as gRPC does.
std::string PercentDecodeGrpcMessage(std::string_view text);

}  // namespace poolops
