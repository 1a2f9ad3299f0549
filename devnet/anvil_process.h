// anvil (npm @foundry-rs/anvil-linux-amd64) as the devnet's chain: started
// Bellecour-like (berlin, gas price 0, 6.7M block gas limit), on loopback
// only, detached from the caller so it outlives poolctl, stopped by pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/process_runner.h"
#include "libs/ethrpc/anvil_launcher.h"

namespace poolops::devnet {

// The anvil binary inside the npm packages folder.
std::filesystem::path AnvilBinary();

// chain::LaunchAnvil with the devnet's binary (when `launch.binary` is
// empty) and errors that tell a devnet user what to do: install the npm
// packages, or pick another port.
absl::StatusOr<chain::LaunchedAnvil> StartAnvil(chain::AnvilLaunch launch);

// How long anvil gets after SIGTERM (it dumps its state) before SIGKILL.
inline constexpr absl::Duration kStopGrace = absl::Seconds(15);

// True when something accepts TCP connections on 127.0.0.1:port.
bool PortInUse(uint16_t port);

}  // namespace poolops::devnet
