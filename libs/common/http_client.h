// The one HTTP client of poolops: any method and headers, a total and a
// connect timeout, a bound on the response body, the status code. JSON-RPC
// to nodes, the market API, the core's /metrics all go through it; behind an
// interface so tests script the servers (libs/common/fake_http_client.h).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops::http {

struct Request {
  std::string method = "GET";  // GET, POST, PUT, ...
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                            // sent for every method but GET
  absl::Duration timeout = absl::Seconds(30);  // the whole exchange
  // Bounded by `timeout` too: a host that never answers SYN ends early.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Bodies beyond this are refused while downloading (never buffered).
  size_t max_response_bytes = size_t{16} << 20;
};

struct Response {
  int status = 0;            // HTTP status code
  std::string content_type;  // the Content-Type header, as sent
  std::string body;          // decoded (gzip/deflate removed)
  // The Retry-After header of a 429/503, when the server sent one.
  std::optional<absl::Duration> retry_after;
};

// Implementations are thread-safe. Errors mean no response at all:
//   UnavailableError       connection refused/reset, DNS failure, TLS failure
//   DeadlineExceededError  connect or total timeout elapsed
//   ResourceExhaustedError body larger than max_response_bytes
//   InvalidArgumentError   malformed or unsupported URL
// Messages describe the failure but do not name the URL: callers add it.
class Client {
 public:
  virtual ~Client() = default;
  virtual absl::StatusOr<Response> Send(const Request& request) = 0;
};

struct CurlOptions {
  // Idle handles kept per origin (scheme://host:port), each with its
  // kept-alive connection.
  size_t max_idle_per_origin = 8;
};

// libcurl, HTTP and HTTPS only, no redirects followed. Connections are kept
// alive and reused per origin; one the server closed (a restarted market)
// is replaced on the next request. Loopback hosts never go through a proxy
// from the environment (HTTP_PROXY/http_proxy); other hosts honour it.
std::unique_ptr<Client> NewCurlClient(CurlOptions options = {});

}  // namespace poolops::http
