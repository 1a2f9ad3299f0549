#include "devnet/anvil_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "devnet/poco_artifacts.h"
#include "libs/common/net.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "services/chain/rpc/http_transport.h"

namespace poolops::devnet {
namespace {

// Reaps `pid` if it is our child and has exited; true if it is gone.
bool Reaped(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

// A zombie whose parent has not reaped it yet: exited, as far as we care.
bool Zombie(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  std::getline(in, stat);
  size_t paren = stat.rfind(") ");  // the command may hold spaces and parens
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] == 'Z';
}

}  // namespace

std::filesystem::path AnvilBinary() {
  return NpmDir() / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil";
}

bool PortInUse(uint16_t port) { return net::LoopbackPortInUse(port); }

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || Reaped(pid)) return false;
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  return !Zombie(pid);
}

absl::StatusOr<pid_t> SpawnDetached(std::vector<std::string> args,
                                    const std::filesystem::path& log_file) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log = open(log_file.empty() ? "/dev/null" : log_file.c_str(),
                 O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0)
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", log_file.string()));
  pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return absl::InternalError("fork() failed");
  }
  if (pid == 0) {
    setsid();  // outlives poolctl and its terminal
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log);
  return pid;
}

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
  absl::StatusOr<pid_t> pid = SpawnDetached(args, options.log_file);
  if (!pid.ok()) return pid.status();
  out.pid = *pid;
  out.rpc_url = absl::StrCat("http://127.0.0.1:", out.port);

  auto client = chain::JsonRpcClient::Create({out.rpc_url},
                                             chain::NewCurlHttpTransport());
  if (!client.ok()) return client.status();
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    bool ours = net::ListensOnLoopback(*pid, out.port);
    if (!ours && !ProcessAlive(*pid)) {
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
  (void)StopProcess(*pid);
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
    if (out.status().code() != absl::StatusCode::kResourceExhausted) return out;
    last = out.status();
  }
  return absl::UnavailableError(
      absl::StrCat("anvil found no free port: ", last.message()));
}

bool ProcessRuns(pid_t pid, std::string_view program) {
  if (!ProcessAlive(pid)) return false;
  std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"), std::ios::binary);
  std::string argv0;
  std::getline(in, argv0, '\0');  // empty for a zombie
  return !argv0.empty() &&
         std::filesystem::path(argv0).filename() == std::string(program);
}

absl::Status StopProgram(pid_t pid, std::string_view program,
                         absl::Duration timeout) {
  if (!ProcessRuns(pid, program)) return absl::OkStatus();
  return StopProcess(pid, timeout);
}

absl::Status StopProcess(pid_t pid, absl::Duration timeout) {
  if (!ProcessAlive(pid)) return absl::OkStatus();
  kill(pid, SIGTERM);
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (!ProcessAlive(pid)) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid, SIGKILL);
  for (int i = 0; i < 100 && ProcessAlive(pid); ++i)
    absl::SleepFor(absl::Milliseconds(20));
  return absl::OkStatus();
}

}  // namespace poolops::devnet
