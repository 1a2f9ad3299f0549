// Starts a throwaway anvil on a free loopback port for integration tests and
// kills it (by its pid) when the object goes, or when the test process dies.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "libs/common/net.h"
#include "libs/ethrpc/anvil_launcher.h"

namespace poolops::chain::testing {

inline const char* AnvilBinary() { return POOLOPS_ANVIL_BIN; }

inline bool AnvilInstalled() { return ::access(AnvilBinary(), X_OK) == 0; }

// A loopback port nobody listens on right now.
inline int FreePort() { return *net::FreeLoopbackPort(); }

class AnvilProcess {
 public:
  AnvilProcess() = default;
  AnvilProcess(const AnvilProcess&) = delete;
  AnvilProcess& operator=(const AnvilProcess&) = delete;
  ~AnvilProcess() { Kill(); }

  // Bellecour-like chain (chain id 65535) on a free port, as the devnet's.
  absl::Status Start() {
    AnvilLaunch launch;
    launch.binary = AnvilBinary();
    launch.spawn.die_with_parent = true;  // never outlive the test
    launch.timeout = absl::Seconds(20);
    absl::StatusOr<LaunchedAnvil> anvil = LaunchAnvil(launch);
    if (!anvil.ok()) return anvil.status();
    anvil_ = *anvil;
    return absl::OkStatus();
  }

  // SIGKILL and reap. Safe to call twice.
  void Kill() {
    if (anvil_.pid <= 0) return;
    ::kill(anvil_.pid, SIGKILL);
    ::waitpid(anvil_.pid, nullptr, 0);
    anvil_.pid = -1;
  }

  std::string url() const { return anvil_.rpc_url; }
  pid_t pid() const { return anvil_.pid; }

 private:
  LaunchedAnvil anvil_{.pid = -1, .port = 0, .rpc_url = {}};
};

}  // namespace poolops::chain::testing
