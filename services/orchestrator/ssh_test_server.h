// A real sshd for tests: `sshd -D -f <tmp config> -p <free port> -o
// ListenAddress=127.0.0.1` with a host key and a client key made by the
// test (ssh-keygen), stopped by its PID. The client side is an ssh_config
// file (key, known hosts, port) for `ssh -F`.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace poolops::orchestrator {

class SshTestServer {
 public:
  // FailedPrecondition when sshd or ssh-keygen is missing.
  // `docker_host` (may be empty) is passed to remote sessions as
  // DOCKER_HOST (client SetEnv, server AcceptEnv).
  static absl::StatusOr<std::unique_ptr<SshTestServer>> Start(
      const std::filesystem::path& dir, const std::string& docker_host = "");
  ~SshTestServer();  // kills the sshd it started (SIGTERM, by PID)

  int port() const { return port_; }
  const std::filesystem::path& client_config() const { return client_config_; }
  // "ssh://<user>@127.0.0.1:<port><path>"
  std::string TargetFor(const std::string& path) const;

 private:
  SshTestServer() = default;
  int pid_ = -1;
  int port_ = 0;
  std::string user_;
  std::filesystem::path client_config_;
};

}  // namespace poolops::orchestrator
