// Loopback ports: one nobody listens on right now (for children and tests
// that need a port number before they bind), and whether one is taken.
// Everything poolops starts listens on 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace poolops::net {

struct HostPort {
  std::string host;  // as written: "127.0.0.1", "[::1]", "0.0.0.0"
  int port = 0;
};

// "HOST:PORT" (port 0 = any free); InvalidArgument naming `flag` otherwise.
absl::StatusOr<HostPort> ParseHostPort(std::string_view flag,
                                       std::string_view value);

// A literal loopback address (127.0.0.0/8, ::1, bracketed or not); a name
// could resolve to anything, so names are not.
bool IsLoopbackHost(std::string host);

// The kernel's pick of a free 127.0.0.1 TCP port. Another process may take
// it before the caller binds it: callers that can bind port 0 should.
absl::StatusOr<uint16_t> FreeLoopbackPort();

// True when something accepts connections on 127.0.0.1:port.
bool LoopbackPortInUse(uint16_t port);

// True when process `pid` holds the socket listening on TCP port `port` of
// 127.0.0.1 (or of every IPv4 address), read from /proc. A child given a
// port from FreeLoopbackPort may lose it to another process started at the
// same moment: an answer on the port proves nothing until this holds.
bool ListensOnLoopback(pid_t pid, uint16_t port);

}  // namespace poolops::net
