// Outbound HTTP for the simulators (worker pings, order-publisher polls):
// plain http only, IPv4, resolved by host_resolver.h.
#pragma once

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

absl::StatusOr<HttpResponse> HttpCall(const std::string& method,
                                      const std::string& host, int port,
                                      const std::string& path,
                                      const std::string& body,
                                      absl::Duration timeout);

}  // namespace poolops::sim
