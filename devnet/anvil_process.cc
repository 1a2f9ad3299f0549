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

absl::StatusOr<chain::LaunchedAnvil> StartAnvil(chain::AnvilLaunch launch) {
  if (launch.binary.empty()) launch.binary = AnvilBinary();
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
  return anvil;
}

}  // namespace poolops::devnet
