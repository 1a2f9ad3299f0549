// Outbound HTTP for the simulators (worker pings, order-publisher polls):
// plain http only, IPv4, resolved by host_resolver.h.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "devnet/simulators/http_message.h"

namespace poolops::sim {

struct HttpUrl {
  std::string host;
  int port = 80;
  std::string path = "/";
};

// Parses "http://host[:port][/path]"; https is refused (no TLS here).
absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url);

// A response larger than `max_bytes` (head and body) is ResourceExhausted,
// read no further.
absl::StatusOr<HttpResponse> HttpCall(const std::string& method,
                                      const std::string& host, int port,
                                      const std::string& path,
                                      const std::string& body,
                                      absl::Duration timeout,
                                      size_t max_bytes = size_t{16} << 20);

}  // namespace poolops::sim
