#include "libs/ethrpc/anvil_launcher.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/http_client.h"
#include "libs/common/net.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::chain {
namespace {

std::string LogHint(const AnvilLaunch& launch) {
  return launch.spawn.log_file.empty()
             ? std::string()
             : absl::StrCat("; see ", launch.spawn.log_file.string());
}

// One start on `port`. ResourceExhausted: the port went to another process
// before anvil bound it.
absl::StatusOr<LaunchedAnvil> LaunchOn(const AnvilLaunch& launch,
                                       uint16_t port) {
  LaunchedAnvil out;
  out.port = port;
  out.rpc_url = absl::StrCat("http://127.0.0.1:", port);
  std::vector<std::string> args = {
      launch.binary.string(), "--host", "127.0.0.1", "--port",
      std::to_string(port), "--chain-id", std::to_string(launch.chain_id),
      // No banner: it prints the dev keys.
      "--quiet"};
  if (launch.kind == AnvilLaunch::Kind::kBellecour) {
    args.insert(args.end(), {"--hardfork", "berlin", "--gas-price", "0",
                             "--gas-limit", "6700000"});
  } else {
    args.insert(args.end(), {"--gas-limit", "32000000"});
  }
  if (!launch.state_file.empty()) {
    // The historic states anvil spills to disk on a long chain (gigabytes
    // after thousands of blocks) go beside the state file, not in
    // ~/.foundry/anvil/tmp where a killed anvil leaves them forever.
    args.insert(args.end(),
                {"--state", launch.state_file.string(), "--cache-path",
                 (launch.state_file.parent_path() / "anvil-cache").string()});
  }
  if (!launch.config_out.empty()) {
    args.insert(args.end(), {"--config-out", launch.config_out.string()});
  }
  absl::StatusOr<pid_t> pid = proc::SpawnDetached(args, launch.spawn);
  if (!pid.ok()) return pid.status();
  out.pid = *pid;

  // Each probe bounded: a wedged start-up must not hold one probe for the
  // client's default 15 s.
  JsonRpcClientOptions rpc;
  rpc.attempt_timeout = absl::Seconds(1);
  auto client =
      JsonRpcClient::Create({out.rpc_url}, http::NewCurlClient(), rpc);
  if (!client.ok()) {
    (void)proc::StopProcess(out.pid, absl::Seconds(5));
    return client.status();
  }
  const absl::Time deadline = absl::Now() + launch.timeout;
  while (absl::Now() < deadline) {
    bool ours = net::ListensOnLoopback(out.pid, port);
    if (!ours && !proc::ProcessAlive(out.pid)) {  // reaped if it exited
      if (net::LoopbackPortInUse(port)) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "another process took port ", port, " before anvil bound it"));
      }
      return absl::UnavailableError(
          absl::StrCat("anvil exited during start-up", LogHint(launch)));
    }
    // Only an answer from the socket our child holds counts: another anvil
    // (same chain id) started at the same moment may hold the port.
    if (ours) {
      EthApi api(client->get());
      absl::StatusOr<eth::U256> chain_id = api.ChainId();
      if (chain_id.ok() && *chain_id == eth::U256(launch.chain_id)) return out;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  (void)proc::StopProcess(out.pid, absl::Seconds(15));
  return absl::DeadlineExceededError(
      absl::StrCat("anvil did not answer on ", out.rpc_url, " within ",
                   absl::FormatDuration(launch.timeout), LogHint(launch)));
}

}  // namespace

absl::StatusOr<LaunchedAnvil> LaunchAnvil(const AnvilLaunch& launch) {
  if (::access(launch.binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("anvil not found at ", launch.binary.string()));
  }
  if (launch.port != 0) {
    if (net::LoopbackPortInUse(launch.port)) {
      return absl::AlreadyExistsError(absl::StrCat(
          "port ", launch.port, " on 127.0.0.1 is already in use"));
    }
    absl::StatusOr<LaunchedAnvil> out = LaunchOn(launch, launch.port);
    if (absl::IsResourceExhausted(out.status())) {
      return absl::AlreadyExistsError(out.status().message());
    }
    return out;
  }
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<uint16_t> port = net::FreeLoopbackPort();
    if (!port.ok()) return port.status();
    absl::StatusOr<LaunchedAnvil> out = LaunchOn(launch, *port);
    if (!absl::IsResourceExhausted(out.status())) return out;
    last = out.status();
  }
  return absl::UnavailableError(
      absl::StrCat("anvil found no free port: ", last.message()));
}

}  // namespace poolops::chain
