// A real sshd for tests: `sshd -D -f <tmp config> -p <free port> -o
// ListenAddress=127.0.0.1` (and ::1 when this machine has IPv6 loopback)
// with a host key and a client key made by the test (ssh-keygen), stopped
// by its PID. The client side is an ssh_config file (key, known hosts,
// port) for `ssh -F`.
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
  // True when it also listens on [::1].
  bool ipv6() const { return ipv6_; }
  // "ssh://<user>@127.0.0.1:<port><path>"
  std::string TargetFor(const std::string& path) const;
  // "ssh://<user>@[::1]:<port><path>" (only when ipv6())
  std::string Ipv6TargetFor(const std::string& path) const;

 private:
  SshTestServer() = default;
  int pid_ = -1;
  int port_ = 0;
  bool ipv6_ = false;
  std::string user_;
  std::filesystem::path client_config_;
};

}  // namespace poolops::orchestrator
