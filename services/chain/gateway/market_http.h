// HTTP with any method and headers, as the market API (GET challenge and
// orderbook, POST publish, PUT unpublish) and the core's /metrics need it.
// The JSON-RPC client (libs/ethrpc) only POSTs, hence this one.
// Behind an interface so tests script the market and the core.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops::chain {

struct WebRequest {
  std::string method = "GET";  // GET, POST, PUT
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Duration timeout = absl::Seconds(30);
};

struct WebResponse {
  int status = 0;
  std::string content_type;  // the Content-Type header, as sent
  std::string body;
};

// Implementations are thread-safe. Errors mean no response at all
// (Unavailable, DeadlineExceeded, ResourceExhausted for a body over the
// cap, InvalidArgument for a bad URL); messages do not name the URL.
class WebClient {
 public:
  virtual ~WebClient() = default;
  virtual absl::StatusOr<WebResponse> Send(const WebRequest& request) = 0;
};

// libcurl, HTTP and HTTPS; loopback never proxied; bodies capped at 16 MiB.
// Connections are kept alive and reused per origin (scheme://host:port);
// one the server closed (a restarted market) is replaced on the next
// request.
std::unique_ptr<WebClient> NewCurlWebClient();

}  // namespace poolops::chain
