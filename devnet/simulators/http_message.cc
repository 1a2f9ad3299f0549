#include "devnet/simulators/http_message.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace poolops::sim {
namespace {

std::string ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Status";
  }
}

}  // namespace

absl::StatusOr<HttpRequest> ParseRequestHead(const std::string& head) {
  std::vector<std::string> lines = absl::StrSplit(head, "\r\n");
  if (lines.empty()) return absl::InvalidArgumentError("empty request");
  std::vector<std::string> parts = absl::StrSplit(lines[0], ' ');
  if (parts.size() != 3 || !absl::StartsWith(parts[2], "HTTP/1.")) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad request line: ", lines[0]));
  }
  HttpRequest request;
  request.method = parts[0];
  std::string target = parts[1];
  size_t q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) request.query = target.substr(q + 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad header line: ", lines[i]));
    }
    std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
    request.headers[name] = std::string(absl::StripAsciiWhitespace(
        absl::string_view(lines[i]).substr(colon + 1)));
  }
  return request;
}

absl::StatusOr<HttpResponse> ParseResponse(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) {
    return absl::InvalidArgumentError("response has no header end");
  }
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, end), "\r\n");
  std::vector<std::string> parts = absl::StrSplit(lines[0], ' ');
  HttpResponse response;
  if (parts.size() < 2 || !absl::StartsWith(parts[0], "HTTP/1.") ||
      !absl::SimpleAtoi(parts[1], &response.status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad status line: ", lines[0]));
  }
  response.content_type.clear();
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    if (absl::AsciiStrToLower(lines[i].substr(0, colon)) == "content-type") {
      response.content_type = std::string(absl::StripAsciiWhitespace(
          absl::string_view(lines[i]).substr(colon + 1)));
    }
  }
  response.body = raw.substr(end + 4);
  return response;
}

std::string SerializeResponse(const HttpResponse& response) {
  return absl::StrCat("HTTP/1.1 ", response.status, " ",
                      ReasonPhrase(response.status),
                      "\r\nContent-Type: ", response.content_type,
                      "\r\nContent-Length: ", response.body.size(),
                      "\r\nConnection: close\r\n\r\n", response.body);
}

std::string SerializeRequest(const std::string& method,
                             const std::string& host_header,
                             const std::string& path,
                             const std::string& content_type,
                             const std::string& body) {
  std::string out =
      absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: ", host_header,
                   "\r\nConnection: close\r\n");
  if (!content_type.empty()) {
    absl::StrAppend(&out, "Content-Type: ", content_type, "\r\n");
  }
  absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n\r\n", body);
  return out;
}

std::string QueryParam(const std::string& query, const std::string& name) {
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == absl::string_view::npos ? ""
                                           : std::string(pair.substr(eq + 1));
    }
  }
  return "";
}

}  // namespace poolops::sim
