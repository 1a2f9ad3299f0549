// Loopback ports: one nobody listens on right now (for children and tests
// that need a port number before they bind), and whether one is taken.
// Everything poolops starts listens on 127.0.0.1.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"

namespace poolops::net {

// The kernel's pick of a free 127.0.0.1 TCP port. Another process may take
// it before the caller binds it: callers that can bind port 0 should.
absl::StatusOr<uint16_t> FreeLoopbackPort();

// True when something accepts connections on 127.0.0.1:port.
bool LoopbackPortInUse(uint16_t port);

}  // namespace poolops::net
