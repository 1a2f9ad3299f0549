// Runs one simulator role with the real clock and sockets until stop is
// notified (main() notifies it on SIGTERM/SIGINT).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "devnet/simulators/sim_env.h"

namespace poolops::sim {

// POOLOPS_SIM_BIND (default 0.0.0.0) is the IPv4 address servers bind.
absl::Status RunRole(const std::string& role, const Env& env,
                     absl::Notification* stop);

}  // namespace poolops::sim
