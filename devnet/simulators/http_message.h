// The tiny HTTP/1.1 subset the simulators speak (Connection: close, bodies
// framed by Content-Length). Parsing is separate from sockets so it is tested
// without a network.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace poolops::sim {

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query string
  std::string query;                           // after '?', undecoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Parses the request line and headers (everything before the blank line).
absl::StatusOr<HttpRequest> ParseRequestHead(const std::string& head);
// Parses a full response (head and body) as read until the peer closed.
absl::StatusOr<HttpResponse> ParseResponse(const std::string& raw);
std::string SerializeResponse(const HttpResponse& response);
std::string SerializeRequest(const std::string& method,
                             const std::string& host_header,
                             const std::string& path,
                             const std::string& content_type,
                             const std::string& body);
// The value of one query parameter (no percent-decoding), or "".
std::string QueryParam(const std::string& query, const std::string& name);

}  // namespace poolops::sim
