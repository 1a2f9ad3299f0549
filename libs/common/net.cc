#include "libs/common/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace poolops::net {

absl::StatusOr<HostPort> ParseHostPort(std::string_view flag,
                                       std::string_view value) {
  size_t colon = value.rfind(':');
  HostPort hp;
  if (colon == std::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(std::string(value.substr(colon + 1)), &hp.port) ||
      hp.port < 0 || hp.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), " ", std::string(value),
                     ": want HOST:PORT (port 0 = any free)"));
  }
  hp.host = std::string(value.substr(0, colon));
  return hp;
}

// A name could resolve to anything: literal addresses only.
bool IsLoopbackHost(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in_addr v4;
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}


absl::StatusOr<uint16_t> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return absl::UnavailableError("no free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool LoopbackPortInUse(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool in_use =
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return in_use;
}

namespace {

// Inodes of the IPv4 TCP sockets in state LISTEN on 127.0.0.1:port or
// 0.0.0.0:port. /proc/net/tcp rows: "sl local rem st ... uid timeout inode",
// local as "0100007F:1F90" (address in host byte order hex, port hex).
std::set<std::string> ListeningInodes(uint16_t port) {
  std::set<std::string> inodes;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string sl, local, remote, state, queues, timer, retransmits, uid,
        timeout, inode;
    if (!(row >> sl >> local >> remote >> state >> queues >> timer >>
          retransmits >> uid >> timeout >> inode))
      continue;
    if (state != "0A") continue;  // TCP_LISTEN
    size_t colon = local.find(':');
    if (colon == std::string::npos) continue;
    uint32_t local_port = 0;
    if (!absl::SimpleHexAtoi(local.substr(colon + 1), &local_port) ||
        local_port != port)
      continue;
    std::string address = local.substr(0, colon);
    if (address != "0100007F" && address != "00000000") continue;
    inodes.insert(inode);
  }
  return inodes;
}

}  // namespace

bool ListensOnLoopback(pid_t pid, uint16_t port) {
  std::set<std::string> inodes = ListeningInodes(port);
  if (inodes.empty()) return false;
  std::error_code ec;
  std::filesystem::directory_iterator fds(absl::StrCat("/proc/", pid, "/fd"),
                                          ec);
  if (ec) return false;
  for (const auto& fd : fds) {
    std::string target = std::filesystem::read_symlink(fd.path(), ec);
    if (ec || target.rfind("socket:[", 0) != 0 || target.back() != ']')
      continue;
    if (inodes.count(target.substr(8, target.size() - 9)) > 0) return true;
  }
  return false;
}

}  // namespace poolops::net
