#include "services/orchestrator/ssh_server_test_support.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/net.h"
#include "libs/common/process_runner.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

std::string Which(const std::string& name) {
  for (const char* dir :
       {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"}) {
    fs::path p = fs::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

// Whether `port` can be bound on [::1] (IPv6 loopback configured).
bool Ipv6LoopbackFree(int port) {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  addr.sin6_port = htons(static_cast<uint16_t>(port));
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

int Quiet(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str());
}

}  // namespace

absl::StatusOr<std::unique_ptr<SshTestServer>> SshTestServer::Start(
    const fs::path& dir, const std::string& docker_host) {
  std::string sshd = Which("sshd"), keygen = Which("ssh-keygen");
  if (sshd.empty() || keygen.empty() || Which("ssh").empty()) {
    return absl::FailedPreconditionError(
        "sshd/ssh/ssh-keygen not installed (openssh-server, openssh-client)");
  }
  fs::path d = dir / "sshd";
  fs::create_directories(d);
  fs::permissions(d, fs::perms::owner_all, fs::perm_options::replace);
  std::string host_key = (d / "host_key").string();
  std::string client_key = (d / "client_key").string();
  if (Quiet(absl::StrCat(keygen, " -q -t ed25519 -N '' -f ", host_key)) != 0 ||
      Quiet(absl::StrCat(keygen, " -q -t ed25519 -N '' -f ", client_key)) !=
          0) {
    return absl::InternalError("ssh-keygen failed");
  }
  fs::copy_file(client_key + ".pub", d / "authorized_keys");
  fs::permissions(d / "authorized_keys",
                  fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  std::unique_ptr<SshTestServer> s(new SshTestServer());
  absl::StatusOr<uint16_t> port = net::FreeLoopbackPort();
  if (!port.ok()) return port.status();
  s->port_ = *port;
  s->ipv6_ = Ipv6LoopbackFree(s->port_);
  passwd* pw = ::getpwuid(::getuid());
  s->user_ = pw ? pw->pw_name : "root";
  fs::path config = d / "sshd_config";
  std::ofstream(config) << "HostKey " << host_key << "\n"
                        << "AuthorizedKeysFile "
                        << (d / "authorized_keys").string()
                        << "\nPasswordAuthentication no\n"
                        << "KbdInteractiveAuthentication no\n"
                        << "PubkeyAuthentication yes\n"
                        << "PermitRootLogin prohibit-password\n"
                        << "StrictModes no\nUsePAM no\n"
                        << "PidFile " << (d / "sshd.pid").string() << "\n"
                        << "Subsystem sftp internal-sftp\n"
                        << "AcceptEnv DOCKER_HOST\n";
  // sshd wants its privilege separation folder.
  fs::create_directories("/run/sshd");
  std::vector<std::string> argv = {sshd,
                                   "-D",
                                   "-e",
                                   "-f",
                                   config.string(),
                                   "-p",
                                   std::to_string(s->port_),
                                   "-o",
                                   "ListenAddress=127.0.0.1",
                                   "-E",
                                   (d / "sshd.log").string()};
  if (s->ipv6_) {
    argv.push_back("-o");
    argv.push_back("ListenAddress=::1");
  }
  proc::SpawnOptions spawn;
  spawn.log_file = d / "sshd.out";
  spawn.die_with_parent = true;  // never outlive the test
  absl::StatusOr<pid_t> started = proc::SpawnDetached(argv, spawn);
  if (!started.ok()) return started.status();
  const pid_t pid = *started;
  s->pid_ = pid;
  s->client_config_ = d / "ssh_config";
  std::ofstream(s->client_config_)
      << "Host 127.0.0.1 ::1\n  IdentityFile " << client_key
      << "\n  IdentitiesOnly yes\n  UserKnownHostsFile /dev/null\n"
      << "  StrictHostKeyChecking no\n  LogLevel ERROR\n"
      << (docker_host.empty() ? ""
                              : "  SetEnv DOCKER_HOST=" + docker_host + "\n");
  for (int i = 0; i < 100 && !net::LoopbackPortInUse(s->port_); ++i) {
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      s->pid_ = -1;
      std::ifstream in(d / "sshd.log");
      return absl::InternalError(
          absl::StrCat("sshd exited: ",
                       std::string(std::istreambuf_iterator<char>(in), {})));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!net::LoopbackPortInUse(s->port_))
    return absl::InternalError("sshd did not listen");
  return s;
}

SshTestServer::~SshTestServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status;
    ::waitpid(pid_, &status, 0);
  }
}

std::string SshTestServer::TargetFor(const std::string& path) const {
  return absl::StrCat("ssh://", user_, "@127.0.0.1:", port_, path);
}

std::string SshTestServer::Ipv6TargetFor(const std::string& path) const {
  return absl::StrCat("ssh://", user_, "@[::1]:", port_, path);
}

}  // namespace poolops::orchestrator
