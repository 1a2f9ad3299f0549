// HTTP POST as the JSON-RPC client needs it, behind an interface so tests can
// script node behaviour (failures, rate limits, malformed bodies).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops::chain {

struct HttpResponse {
  int status = 0;    // HTTP status code
  std::string body;  // decoded (gzip/deflate removed)
  // The Retry-After header of a 429/503, when the server sent one.
  std::optional<absl::Duration> retry_after;
};

// Implementations are thread-safe. Errors (no response at all):
//   UnavailableError       connection refused/reset, DNS failure, TLS failure
//   DeadlineExceededError  connect or total `timeout` elapsed
//   ResourceExhaustedError body larger than the transport's cap
//   InvalidArgumentError   malformed or unsupported URL
// Messages describe the failure but do not name the URL: callers add it.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // POSTs `body` as application/json to `url`.
  virtual absl::StatusOr<HttpResponse> Post(const std::string& url,
                                            const std::string& body,
                                            absl::Duration timeout) = 0;
};

struct CurlTransportOptions {
  // Connect timeout; the total per-request timeout is the Post argument.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Bodies beyond this are refused while downloading (not buffered).
  size_t max_response_bytes = size_t{32} << 20;
  // Idle easy handles kept (each keeps its connections alive).
  size_t max_idle_handles = 8;
};

// libcurl (HTTP and HTTPS only). A pool of easy handles: one per concurrent
// request, reused afterwards so connections stay alive between calls.
// Loopback hosts never go through a proxy from the environment
// (HTTP_PROXY/http_proxy); other hosts honour it.
std::unique_ptr<HttpTransport> NewCurlHttpTransport(
    CurlTransportOptions options = {});

}  // namespace poolops::chain
