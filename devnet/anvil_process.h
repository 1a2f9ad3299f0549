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

namespace poolops::devnet {

struct AnvilOptions {
  std::filesystem::path binary;
  uint16_t port = 0;  // 0: a free loopback port
  uint64_t chain_id = 65535;
  std::filesystem::path state_file;  // loaded if present, dumped on exit
  std::filesystem::path config_out;  // anvil writes its dev accounts here
  std::filesystem::path log_file;
};

struct AnvilInstance {
  pid_t pid = 0;
  uint16_t port = 0;
  std::string rpc_url;
};

// The anvil binary inside the npm packages folder.
std::filesystem::path AnvilBinary();

// Starts anvil and waits until it answers eth_chainId. A requested port that
// is taken, a missing binary or an anvil that exits early are clear errors
// (the last one names the log file).
absl::StatusOr<AnvilInstance> StartAnvil(
    const AnvilOptions& options, absl::Duration timeout = absl::Seconds(30));

// How long anvil gets after SIGTERM (it dumps its state) before SIGKILL.
inline constexpr absl::Duration kStopGrace = absl::Seconds(15);

// True when `pid` is alive and runs a binary named `program` (argv[0]'s file
// name, from /proc): a pid read from a file may since belong to another
// process, which must be neither reported as the devnet nor signalled.
bool ProcessRuns(pid_t pid, std::string_view program);

// proc::StopProcess for a pid read from a file: does nothing unless it runs
// `program`.
absl::Status StopProgram(pid_t pid, std::string_view program,
                         absl::Duration timeout = kStopGrace);

// True when something accepts TCP connections on 127.0.0.1:port.
bool PortInUse(uint16_t port);

}  // namespace poolops::devnet
