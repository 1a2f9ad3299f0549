// Starts a throwaway anvil on a free loopback port for integration tests and
// kills it (by its pid) when the object goes, or when the test process dies.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/http_client.h"
#include "libs/common/net.h"
#include "libs/common/process_runner.h"

namespace poolops::chain::testing {

inline const char* AnvilBinary() { return POOLOPS_ANVIL_BIN; }

inline bool AnvilInstalled() { return ::access(AnvilBinary(), X_OK) == 0; }

// True when tests must not skip for a missing anvil.
inline bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// A loopback port nobody listens on right now.
inline int FreePort() { return *net::FreeLoopbackPort(); }

class AnvilProcess {
 public:
  AnvilProcess() = default;
  AnvilProcess(const AnvilProcess&) = delete;
  AnvilProcess& operator=(const AnvilProcess&) = delete;
  ~AnvilProcess() { Kill(); }

  // Bellecour-like chain (PROTOCOL.md / NOTES.md "Chain here").
  absl::Status Start() {
    for (int attempt = 0; attempt < 3; ++attempt) {  // a port may get taken
      port_ = FreePort();
      absl::Status s = StartOn(port_);
      if (s.ok()) return s;
      Kill();
      if (attempt == 2) return s;
    }
    return absl::InternalError("unreachable");
  }

  // SIGKILL and reap. Safe to call twice.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  pid_t pid() const { return pid_; }

 private:
  absl::Status StartOn(int port) {
    std::string port_text = std::to_string(port);
    std::vector<std::string> args = {
        AnvilBinary(), "--port",     port_text,     "--host",  "127.0.0.1",
        "--hardfork",  "berlin",     "--gas-price", "0",       "--gas-limit",
        "6700000",     "--chain-id", "65535",       "--silent"};
    proc::SpawnOptions options;
    options.die_with_parent = true;  // never outlive the test
    absl::StatusOr<pid_t> pid = proc::SpawnDetached(args, options);
    if (!pid.ok()) return pid.status();
    pid_ = *pid;
    auto transport = http::NewCurlClient();
    const std::string body =
        R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]})";
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      if (!proc::ProcessAlive(pid_)) {  // reaped if it exited
        pid_ = -1;
        return absl::InternalError(
            absl::StrCat("anvil exited early on port ", port));
      }
      // Only our child's socket counts: a parallel test's anvil may have
      // taken the port first (then ours exits and Start picks another).
      if (!net::ListensOnLoopback(pid_, port)) {
        absl::SleepFor(absl::Milliseconds(50));
        continue;
      }
      http::Request request;
      request.method = "POST";
      request.url = url();
      request.headers = {{"Content-Type", "application/json"}};
      request.body = body;
      request.timeout = absl::Seconds(1);
      auto r = transport->Send(request);
      if (r.ok() && r->status == 200) return absl::OkStatus();
      absl::SleepFor(absl::Milliseconds(50));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("anvil did not answer on port ", port, " within 20s"));
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace poolops::chain::testing
