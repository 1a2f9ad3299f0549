#include "services/chain/gateway/market_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace poolops::chain {
namespace {

constexpr size_t kMaxBody = size_t{16} << 20;

struct Sink {
  std::string* body;
  std::string* content_type;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  if (sink->body->size() + n > kMaxBody) {
    sink->overflow = true;
    return 0;
  }
  sink->body->append(data, n);
  return n;
}

// Keeps the last Content-Type (a redirect or 100-continue sends several
// header blocks).
size_t WriteHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  absl::string_view line(data, size * nmemb);
  if (absl::StartsWithIgnoreCase(line, "content-type:"))
    *sink->content_type =
        std::string(absl::StripAsciiWhitespace(line.substr(13)));
  return size * nmemb;
}

long Millis(absl::Duration d) {
  return static_cast<long>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 1, 24LL * 3600 * 1000));
}

std::string NoProxy() {
  std::string list = "localhost,127.0.0.0/8,::1";
  for (const char* name : {"NO_PROXY", "no_proxy"})
    if (const char* env = std::getenv(name); env != nullptr && *env != '\0')
      absl::StrAppend(&list, ",", env);
  return list;
}

class CurlWebClient : public WebClient {
 public:
  CurlWebClient() : no_proxy_(NoProxy()) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  absl::StatusOr<WebResponse> Send(const WebRequest& request) override {
    CURL* h = curl_easy_init();
    if (h == nullptr) return absl::InternalError("curl_easy_init failed");
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    for (const auto& [name, value] : request.headers)
      headers =
          curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
    WebResponse response;
    Sink sink{&response.body, &response.content_type};
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy_.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "GET") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, Millis(request.timeout));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     Millis(std::min(request.timeout, absl::Seconds(5))));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
      if (sink.overflow)
        return absl::ResourceExhaustedError(
            absl::StrCat("response body larger than ", kMaxBody, " bytes"));
      if (rc == CURLE_OPERATION_TIMEDOUT)
        return absl::DeadlineExceededError(absl::StrCat(
            "no response within ", absl::FormatDuration(request.timeout)));
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        return absl::InvalidArgumentError(absl::StrCat("bad URL: ", detail));
      return absl::UnavailableError(detail);
    }
    response.status = static_cast<int>(code);
    return response;
  }

 private:
  const std::string no_proxy_;
};

}  // namespace

std::unique_ptr<WebClient> NewCurlWebClient() {
  return std::make_unique<CurlWebClient>();
}

}  // namespace poolops::chain
