#include "devnet/simulators/http_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "devnet/simulators/host_resolver.h"

namespace poolops::sim {

absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr absl::string_view kScheme = "http://";
  if (!absl::StartsWith(url, kScheme)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "only http:// URLs are supported by the simulators: ", url));
  }
  std::string rest = url.substr(kScheme.size());
  HttpUrl out;
  size_t slash = rest.find('/');
  if (slash != std::string::npos) out.path = rest.substr(slash);
  std::string authority = rest.substr(0, slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &out.port) ||
        out.port <= 0 || out.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in ", url));
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no host in ", url));
  }
  out.host = authority;
  return out;
}

absl::StatusOr<HttpResponse> HttpCall(const std::string& method,
                                      const std::string& host, int port,
                                      const std::string& path,
                                      const std::string& body,
                                      absl::Duration timeout,
                                      size_t max_bytes) {
  absl::StatusOr<in_addr> ip = ResolveIpv4(host);
  if (!ip.ok()) return ip.status();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr = *ip;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  timeval tv = absl::ToTimeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string error = std::strerror(errno);
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ", host, ":", port, ": ", error));
  }
  std::string request =
      SerializeRequest(method, absl::StrCat(host, ":", port), path,
                       body.empty() ? "" : "application/json", body);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n =
        ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return absl::UnavailableError(
          absl::StrCat("send to ", host, ":", port, " failed"));
    }
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buffer[4096];
  while (true) {
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0) {
      ::close(fd);
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from ", host, ":", port));
    }
    if (n == 0) break;
    raw.append(buffer, static_cast<size_t>(n));
    if (raw.size() > max_bytes) {
      ::close(fd);
      return absl::ResourceExhaustedError(absl::StrCat(
          "answer from ", host, ":", port, " over ", max_bytes, " bytes"));
    }
  }
  ::close(fd);
  return ParseResponse(raw);
}

}  // namespace poolops::sim
