#include "devnet/anvil_process.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "devnet/poco_artifacts.h"
#include "libs/common/net.h"
#include "libs/common/process_runner.h"
#include "libs/ethrpc/anvil_launcher.h"

namespace poolops::devnet {

std::filesystem::path AnvilBinary() {
  return NpmDir() / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil";
}

bool PortInUse(uint16_t port) { return net::LoopbackPortInUse(port); }

absl::StatusOr<AnvilInstance> StartAnvil(const AnvilOptions& options,
                                         absl::Duration timeout) {
  chain::AnvilLaunch launch;
  launch.binary = options.binary;
  launch.port = options.port;
  launch.chain_id = options.chain_id;
  if (!options.state_file.empty()) {
    launch.extra_args.push_back("--state");
    launch.extra_args.push_back(options.state_file.string());
  }
  if (!options.config_out.empty()) {
    launch.extra_args.push_back("--config-out");
    launch.extra_args.push_back(options.config_out.string());
  }
  launch.spawn.log_file = options.log_file;
  launch.timeout = timeout;
  absl::StatusOr<chain::LaunchedAnvil> anvil = chain::LaunchAnvil(launch);
  if (absl::IsFailedPrecondition(anvil.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat(anvil.status().message(),
                     " (run scripts/test, or npm install in tests/interop, or "
                     "set POOLOPS_NPM_DIR)"));
  }
  if (absl::IsAlreadyExists(anvil.status())) {
    return absl::AlreadyExistsError(
        absl::StrCat(anvil.status().message(),
                     "; pick another with --port or stop what listens there"));
  }
  if (!anvil.ok()) return anvil.status();
  AnvilInstance out;
  out.pid = anvil->pid;
  out.port = anvil->port;
  out.rpc_url = anvil->rpc_url;
  return out;
}

bool ProcessRuns(pid_t pid, std::string_view program) {
  if (!proc::ProcessAlive(pid)) return false;
  std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"), std::ios::binary);
  std::string argv0;
  std::getline(in, argv0, '\0');  // empty for a zombie
  return !argv0.empty() &&
         std::filesystem::path(argv0).filename() == std::string(program);
}

absl::Status StopProgram(pid_t pid, std::string_view program,
                         absl::Duration timeout) {
  if (!ProcessRuns(pid, program)) return absl::OkStatus();
  return proc::StopProcess(pid, timeout);
}

}  // namespace poolops::devnet
