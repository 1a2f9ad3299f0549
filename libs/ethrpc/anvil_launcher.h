// Starts anvil (npm @foundry-rs/anvil-linux-amd64) on loopback only as a
// Bellecour-like chain (berlin, gas price 0, 6.7M block gas limit) or an
// Arbitrum-like one (anvil's current hardfork, EIP-1559 base fee, 32M block
// gas limit), and waits until it answers eth_chainId with the chain id asked
// for. The one launcher of the devnet's chain and of the tests' throwaway
// chains.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/process_runner.h"

namespace poolops::chain {

struct AnvilLaunch {
  std::filesystem::path binary;
  // 0: a free loopback port, and another one if a parallel process takes it
  // before anvil binds it (three tries).
  uint16_t port = 0;
  uint64_t chain_id = 65535;
  enum class Kind { kBellecour, kArbitrum } kind = Kind::kBellecour;
  // Loaded when present, dumped when anvil stops (SIGTERM); empty: none.
  // Historic states anvil spills to disk go to anvil-cache/ beside it.
  std::filesystem::path state_file;
  // Where anvil writes its dev accounts (keys: keep it 0600); empty: none.
  std::filesystem::path config_out;
  proc::SpawnOptions spawn;  // its log file; tests: die with them
  absl::Duration timeout = absl::Seconds(30);
};

struct LaunchedAnvil {
  pid_t pid = 0;
  uint16_t port = 0;
  std::string rpc_url;  // http://127.0.0.1:PORT
};

// Errors: FailedPrecondition (no binary there), AlreadyExists (the port
// asked for is taken, or was taken meanwhile), Unavailable (anvil exited
// during start-up; the message names the log file), DeadlineExceeded (no
// answer in time). On error nothing is left running.
absl::StatusOr<LaunchedAnvil> LaunchAnvil(const AnvilLaunch& launch);

}  // namespace poolops::chain
