#include "devnet/anvil_process.h"

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/http_client.h"
#include "libs/common/net.h"
#include "libs/common/process_runner.h"
#include "devnet/poco_artifacts.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::devnet {

std::filesystem::path AnvilBinary() {
  return NpmDir() / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil";
}

bool PortInUse(uint16_t port) { return net::LoopbackPortInUse(port); }

namespace {

// One start of anvil on `port`. kResourceExhausted: the port went to another
// process in the meantime (only retried when poolops picked the port).
absl::StatusOr<AnvilInstance> StartAnvilOn(const AnvilOptions& options,
                                           uint16_t port,
                                           absl::Duration timeout) {
  AnvilInstance out;
  out.port = port;
  std::vector<std::string> args = {
      options.binary.string(), "--host", "127.0.0.1", "--port",
      std::to_string(out.port), "--hardfork", "berlin", "--gas-price", "0",
      "--gas-limit", "6700000", "--chain-id", std::to_string(options.chain_id),
      // No banner: it prints the dev keys.
      "--quiet"};
  if (!options.state_file.empty()) {
    args.push_back("--state");
    args.push_back(options.state_file.string());
  }
  if (!options.config_out.empty()) {
    args.push_back("--config-out");
    args.push_back(options.config_out.string());
  }
  absl::StatusOr<pid_t> pid = proc::SpawnDetached(args, {options.log_file});
  if (!pid.ok()) return pid.status();
  out.pid = *pid;
  out.rpc_url = absl::StrCat("http://127.0.0.1:", out.port);

  auto client =
      chain::JsonRpcClient::Create({out.rpc_url}, http::NewCurlClient());
  if (!client.ok()) return client.status();
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    bool ours = net::ListensOnLoopback(*pid, out.port);
    if (!ours && !proc::ProcessAlive(*pid)) {
      if (PortInUse(out.port))
        return absl::ResourceExhaustedError(absl::StrCat(
            "another process took port ", out.port, " before anvil bound it"));
      return absl::UnavailableError(absl::StrCat(
          "anvil exited during start-up; see ", options.log_file.string()));
    }
    // Only an answer from the socket our child holds counts: another anvil
    // (same chain id) started at the same moment may hold the port.
    if (ours) {
      chain::EthApi api(client->get());
      absl::StatusOr<eth::U256> chain_id = api.ChainId();
      if (chain_id.ok() && *chain_id == eth::U256(options.chain_id)) return out;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  (void)proc::StopProcess(*pid, kStopGrace);
  return absl::DeadlineExceededError(absl::StrCat(
      "anvil did not answer on ", out.rpc_url, " within ",
      absl::FormatDuration(timeout), "; see ", options.log_file.string()));
}

}  // namespace

absl::StatusOr<AnvilInstance> StartAnvil(const AnvilOptions& options,
                                         absl::Duration timeout) {
  if (access(options.binary.c_str(), X_OK) != 0)
    return absl::FailedPreconditionError(absl::StrCat(
        "anvil not found at ", options.binary.string(),
        " (run scripts/test, or npm install in tests/interop, or set "
        "POOLOPS_NPM_DIR)"));
  if (options.port != 0) {
    if (PortInUse(options.port))
      return absl::AlreadyExistsError(
          absl::StrCat("port ", options.port,
                       " on 127.0.0.1 is already in use; pick another "
                       "with --port or stop what listens there"));
    absl::StatusOr<AnvilInstance> out =
        StartAnvilOn(options, options.port, timeout);
    if (out.status().code() == absl::StatusCode::kResourceExhausted)
      return absl::AlreadyExistsError(
          absl::StrCat(out.status().message(), "; pick another with --port"));
    return out;
  }
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<uint16_t> port = net::FreeLoopbackPort();
    if (!port.ok()) return port.status();
    absl::StatusOr<AnvilInstance> out = StartAnvilOn(options, *port, timeout);
    if (out.status().code() != absl::StatusCode::kResourceExhausted)
      return out;
    last = out.status();
  }
  return absl::UnavailableError(
      absl::StrCat("anvil found no free port: ", last.message()));
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
