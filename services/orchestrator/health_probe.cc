#include "services/orchestrator/health_probe.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/iexec/core_metrics.h"

namespace poolops::orchestrator {
namespace {

class DirectHealthProbe : public HealthProbe {
 public:
  explicit DirectHealthProbe(absl::Duration timeout) : timeout_(timeout) {}

  absl::StatusOr<CoreMetrics> Core(const std::string& host,
                                   uint32_t port) override {
    std::string where = absl::StrCat(host, ":", port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints,
                      &res) != 0) {
      return absl::UnavailableError(absl::StrCat(where, ": cannot resolve"));
    }
    int fd = -1;
    for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
      fd =
          ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
        ::close(fd);
        fd = -1;
      }
    }
    ::freeaddrinfo(res);
    if (fd < 0) {
      return absl::UnavailableError(
          absl::StrCat(where, ": connection refused"));
    }
    std::string req = absl::StrCat("GET /metrics HTTP/1.0\r\nHost: ", where,
                                   "\r\nConnection: close\r\n\r\n");
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string resp;
    char buf[4096];
    absl::Time deadline = absl::Now() + timeout_;
    while (absl::Now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      int ms =
          static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (::poll(&p, 1, ms > 0 ? ms : 0) <= 0) break;
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) break;
      resp.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    size_t body = resp.find("\r\n\r\n");
    if (resp.rfind("HTTP/1.", 0) != 0 || body == std::string::npos) {
      return absl::UnavailableError(absl::StrCat(where, ": no HTTP answer"));
    }
    if (resp.compare(9, 3, "200") != 0) {
      return absl::UnavailableError(
          absl::StrCat(where, "/metrics: HTTP ", resp.substr(9, 3)));
    }
    return ParseCoreMetrics(resp.substr(body + 4));
  }

 private:
  absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<CoreMetrics> ParseCoreMetrics(const std::string& body) {
  // One parser of every core version (libs/iexec); a core that answers
  // something else is not up yet.
  absl::StatusOr<iexec::CoreMetrics> parsed = iexec::ParseCoreMetrics(body);
  if (!parsed.ok()) return absl::UnavailableError(parsed.status().message());
  CoreMetrics m;
  auto as_int = [](int64_t v) {
    return static_cast<int>(std::min<int64_t>(v, INT32_MAX));
  };
  m.alive_workers = as_int(parsed->alive_workers);
  m.alive_total_cpu = as_int(parsed->cpu_total);
  return m;
}

std::unique_ptr<HealthProbe> NewDirectHealthProbe(absl::Duration timeout) {
  return std::make_unique<DirectHealthProbe>(timeout);
}

}  // namespace poolops::orchestrator
