#include "services/chain/rpc/http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace poolops::chain {
namespace {

// Loopback must never be proxied: a stray HTTP_PROXY would otherwise send
// local devnet traffic to the proxy (and fail or leak). CIDR needs curl 7.86+.
constexpr char kLoopbackNoProxy[] = "localhost,127.0.0.0/8,::1";

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// CURLOPT_NOPROXY replaces the environment's NO_PROXY: merge them.
std::string NoProxyList() {
  std::string list = kLoopbackNoProxy;
  for (const char* name : {"NO_PROXY", "no_proxy"}) {
    const char* env = std::getenv(name);
    if (env != nullptr && *env != '\0') absl::StrAppend(&list, ",", env);
  }
  return list;
}

struct WriteState {
  std::string* body;
  size_t cap;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* state = static_cast<WriteState*>(user);
  size_t n = size * nmemb;
  if (state->body->size() + n > state->cap) {
    state->overflow = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  state->body->append(data, n);
  return n;
}

long ClampMillis(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  return static_cast<long>(std::clamp<int64_t>(ms, 1, 24LL * 3600 * 1000));
}

class CurlHttpTransport : public HttpTransport {
 public:
  explicit CurlHttpTransport(CurlTransportOptions options)
      : options_(options), no_proxy_(NoProxyList()) {
    GlobalInitOnce();
    headers_ = curl_slist_append(nullptr, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    // No "Expect: 100-continue" round trip for large POST bodies.
    headers_ = curl_slist_append(headers_, "Expect:");
  }

  ~CurlHttpTransport() override {
    absl::MutexLock lock(&mu_);
    for (CURL* h : idle_) curl_easy_cleanup(h);
    curl_slist_free_all(headers_);
  }

  absl::StatusOr<HttpResponse> Post(const std::string& url,
                                    const std::string& body,
                                    absl::Duration timeout) override {
    CURL* h = Acquire();
    if (h == nullptr) return absl::InternalError("curl_easy_init failed");
    absl::StatusOr<HttpResponse> result = Perform(h, url, body, timeout);
    Release(h);
    return result;
  }

 private:
  absl::StatusOr<HttpResponse> Perform(CURL* h, const std::string& url,
                                       const std::string& body,
                                       absl::Duration timeout) {
    // Reset keeps the handle's connection cache (keep-alive) but drops every
    // option of the previous request.
    curl_easy_reset(h);
    HttpResponse response;
    WriteState state{&response.body, options_.max_response_bytes};
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required with threads
    curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy_.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // all built-in codings
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ClampMillis(timeout));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     ClampMillis(std::min(timeout, options_.connect_timeout)));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);

    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
      std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
      if (state.overflow || rc == CURLE_FILESIZE_EXCEEDED)
        return absl::ResourceExhaustedError(
            absl::StrCat("response body larger than ",
                         options_.max_response_bytes, " bytes"));
      switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
          return absl::DeadlineExceededError(
              absl::StrCat("no response within ", absl::FormatDuration(timeout),
                           " (", detail, ")"));
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
          return absl::InvalidArgumentError(absl::StrCat("bad URL: ", detail));
        default:
          return absl::UnavailableError(detail);
      }
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    response.status = static_cast<int>(code);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0)
      response.retry_after = absl::Seconds(retry_after);
    return response;
  }

  CURL* Acquire() {
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* h) {
    {
      absl::MutexLock lock(&mu_);
      if (idle_.size() < options_.max_idle_handles) {
        idle_.push_back(h);
        return;
      }
    }
    curl_easy_cleanup(h);
  }

  const CurlTransportOptions options_;
  const std::string no_proxy_;
  curl_slist* headers_ = nullptr;  // immutable after construction
  absl::Mutex mu_;
  std::vector<CURL*> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<HttpTransport> NewCurlHttpTransport(
    CurlTransportOptions options) {
  return std::make_unique<CurlHttpTransport>(options);
}

}  // namespace poolops::chain
