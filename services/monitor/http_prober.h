// HTTP(S) and TCP probes, many at once. The blackbox exporter's http and tcp
// modules as a library: status code, duration, content type, a body read up
// to a cap (never more is buffered), TLS certificate expiry, and an optional
// debug log. Behind an interface so the monitor's tests script the answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace poolops::monitor {

struct HttpProbeRequest {
  std::string url;                // http(s)://... ; for tcp: host:port
  bool tcp_connect_only = false;  // TCP probe: connect, then close
  absl::Duration timeout = absl::Seconds(5);
  size_t max_body_bytes = size_t{1} << 20;
  bool debug = false;  // fill HttpProbeResponse::debug_log
  // PEM file of extra CAs to trust (private CAs, tests); empty: the system's.
  std::string ca_file;
};

struct HttpProbeResponse {
  // True when a response arrived (any status) or, for TCP, when connected.
  bool answered = false;
  // Short reason when !answered or the body was cut: "connection refused",
  // "timeout", "body too large", "tls", "dns", "connection closed", ...
  std::string failed_due_to;
  std::string error;  // the transport's own words
  int status_code = 0;
  std::string content_type;
  std::string body;  // at most max_body_bytes
  uint64_t body_bytes = 0;
  absl::Duration duration;
  // HTTPS: notAfter of the earliest-expiring certificate of the chain.
  std::optional<absl::Time> cert_not_after;
  std::string debug_log;
};

// Implementations are thread-safe; Run blocks until every probe finished
// (each within its own timeout) and returns results in request order.
class HttpProber {
 public:
  virtual ~HttpProber() = default;
  virtual std::vector<HttpProbeResponse> Run(
      const std::vector<HttpProbeRequest>& requests) = 0;
};

struct CurlProberOptions {
  // Transfers in flight at once (each holds a socket).
  int max_parallel = 256;
};

// libcurl's multi interface: every probe of a round runs concurrently in the
// calling thread. Proxies from the environment are ignored for loopback.
std::unique_ptr<HttpProber> NewCurlHttpProber(CurlProberOptions options = {});

}  // namespace poolops::monitor
