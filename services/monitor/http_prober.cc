#include "services/monitor/http_prober.h"

#include <curl/curl.h>
#include <time.h>

#include <cstring>
#include <deque>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace poolops::monitor {
namespace {

constexpr size_t kMaxDebugLogBytes = 16 << 10;

struct Transfer {
  const HttpProbeRequest* request = nullptr;
  HttpProbeResponse* response = nullptr;
  CURL* easy = nullptr;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  HttpProbeResponse* r = t->response;
  if (r->body.size() + bytes > t->request->max_body_bytes) {
    size_t room = t->request->max_body_bytes - r->body.size();
    r->body.append(data, room);
    r->body_bytes += room;
    t->too_large = true;
    return 0;  // aborts the transfer: nothing beyond the cap is read
  }
  r->body.append(data, bytes);
  r->body_bytes += bytes;
  return bytes;
}

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string& log = t->response->debug_log;
  if (log.size() >= kMaxDebugLogBytes) return 0;
  const char* prefix = nullptr;
  switch (type) {
    case CURLINFO_TEXT:
      prefix = "* ";
      break;
    case CURLINFO_HEADER_IN:
      prefix = "< ";
      break;
    case CURLINFO_HEADER_OUT:
      prefix = "> ";
      break;
    default:
      return 0;  // bodies and TLS records stay out of the log
  }
  std::string_view text(data, size);
  // Header-out blocks hold several lines: prefix each.
  while (!text.empty() && log.size() < kMaxDebugLogBytes) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) absl::StrAppend(&log, prefix, std::string(line), "\n");
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}

// "Expire date:Jan  1 00:00:00 2030 GMT" from CURLINFO_CERTINFO.
std::optional<absl::Time> EarliestExpiry(CURL* easy) {
  struct curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK ||
      info == nullptr) {
    return std::nullopt;
  }
  std::optional<absl::Time> earliest;
  for (int i = 0; i < info->num_of_certs; ++i) {
    for (curl_slist* s = info->certinfo[i]; s != nullptr; s = s->next) {
      constexpr std::string_view kKey = "Expire date:";
      if (std::strncmp(s->data, kKey.data(), kKey.size()) != 0) continue;
      struct tm tm = {};
      if (strptime(s->data + kKey.size(), "%b %d %H:%M:%S %Y", &tm) ==
          nullptr) {
        continue;
      }
      absl::Time t = absl::FromUnixSeconds(timegm(&tm));
      if (!earliest || t < *earliest) earliest = t;
    }
  }
  return earliest;
}

std::string Reason(CURLcode code, bool too_large) {
  if (too_large) return "body too large";
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return "connection refused";
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "dns";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return "tls";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return "connection closed";
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return "bad url";
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
      return "not http";
    default:
      return "transport";
  }
}

class CurlHttpProber : public HttpProber {
 public:
  explicit CurlHttpProber(CurlProberOptions options) : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  std::vector<HttpProbeResponse> Run(
      const std::vector<HttpProbeRequest>& requests) override {
    std::vector<HttpProbeResponse> responses(requests.size());
    if (requests.empty()) return responses;
    std::vector<Transfer> transfers(requests.size());
    CURLM* multi = curl_multi_init();
    // Connections stay per round: no cache across targets that come and go.
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(options_.max_parallel));
    size_t next = 0;
    int in_flight = 0;
    auto start_next = [&]() {
      while (next < requests.size() && in_flight < options_.max_parallel) {
        Transfer& t = transfers[next];
        t.request = &requests[next];
        t.response = &responses[next];
        ++next;
        t.easy = NewEasy(&t);
        if (t.easy == nullptr) {
          t.response->failed_due_to = "transport";
          t.response->error = "curl_easy_init failed";
          continue;
        }
        curl_multi_add_handle(multi, t.easy);
        ++in_flight;
      }
    };
    start_next();
    while (in_flight > 0) {
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        Finish(t, msg->data.result);
        curl_multi_remove_handle(multi, t->easy);
        curl_easy_cleanup(t->easy);
        t->easy = nullptr;
        --in_flight;
      }
      start_next();
      if (in_flight > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    curl_multi_cleanup(multi);
    return responses;
  }

 private:
  CURL* NewEasy(Transfer* t) {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return nullptr;
    const HttpProbeRequest& r = *t->request;
    long timeout_ms = static_cast<long>(
        std::max<int64_t>(1, absl::ToInt64Milliseconds(r.timeout)));
    std::string url = r.url;
    if (r.tcp_connect_only && !absl::StrContains(url, "://")) {
      url = absl::StrCat("http://", url, "/");
    }
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "poolops-monitor");
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    if (r.tcp_connect_only) {
      curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
      curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
      if (absl::StartsWithIgnoreCase(url, "https://")) {
        curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
        if (!r.ca_file.empty()) {
          curl_easy_setopt(easy, CURLOPT_CAINFO, r.ca_file.c_str());
        }
      }
    }
    if (r.debug) {
      curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
      curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, OnDebug);
      curl_easy_setopt(easy, CURLOPT_DEBUGDATA, t);
    }
    return easy;
  }

  static void Finish(Transfer* t, CURLcode code) {
    HttpProbeResponse& r = *t->response;
    curl_off_t micros = 0;
    curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &micros);
    r.duration = absl::Microseconds(micros);
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r.status_code = static_cast<int>(status);
    char* type = nullptr;
    if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
        type != nullptr) {
      r.content_type = type;
    }
    if (absl::StartsWithIgnoreCase(t->request->url, "https://")) {
      r.cert_not_after = EarliestExpiry(t->easy);
    }
    if (code == CURLE_OK) {
      r.answered = true;
      return;
    }
    // A cut body still came with a status line: the server answered.
    r.answered = t->too_large && r.status_code != 0;
    r.failed_due_to = Reason(code, t->too_large);
    r.error = curl_easy_strerror(code);
    if (t->request->debug && r.debug_log.size() < kMaxDebugLogBytes) {
      absl::StrAppend(&r.debug_log, "! ", r.failed_due_to, ": ", r.error, "\n");
    }
  }

  const CurlProberOptions options_;
};

}  // namespace

std::unique_ptr<HttpProber> NewCurlHttpProber(CurlProberOptions options) {
  return std::make_unique<CurlHttpProber>(options);
}

}  // namespace poolops::monitor
