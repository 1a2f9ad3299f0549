#include "libs/common/http_client.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace poolops::http {
namespace {

// A pooled easy handle and the socket of its connection: a handle's
// connection cache survives curl_easy_reset, so it reconnects only when the
// server closed the connection.
struct Handle {
  CURL* curl = nullptr;
  curl_socket_t socket = CURL_SOCKET_BAD;  // set by libcurl's callbacks
};

struct Sink {
  std::string* body;
  std::string* content_type;
  Handle* handle;
  size_t cap;
  bool overflow = false;
};

// Servers that write a response's head and body in two sends without
// TCP_NODELAY (cpp-httplib's default, so the devnet market) hold the body
// until the head is ACKed, and on a kept-alive connection Linux delays that
// ACK by up to 40 ms. Asking for a quick ACK once the head is in sends it at
// once (the option is not sticky, hence once per response).
void AckNow(const Handle& handle) {
#ifdef TCP_QUICKACK
  if (handle.socket == CURL_SOCKET_BAD) return;
  int one = 1;
  (void)setsockopt(handle.socket, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
  (void)handle;
#endif
}

// The connection's socket, as libcurl opens and closes it (CURLINFO_
// ACTIVESOCKET only answers once a transfer is over).
int OnSocketOpened(void* user, curl_socket_t fd, curlsocktype purpose) {
  if (purpose == CURLSOCKTYPE_IPCXN) static_cast<Handle*>(user)->socket = fd;
  return CURL_SOCKOPT_OK;
}

int OnSocketClosed(void* user, curl_socket_t fd) {
  auto* handle = static_cast<Handle*>(user);
  if (handle->socket == fd) handle->socket = CURL_SOCKET_BAD;
  return ::close(fd);
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  if (sink->body->size() + n > sink->cap) {
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
  if (absl::StartsWith(line, "HTTP/")) AckNow(*sink->handle);
  if (absl::StartsWithIgnoreCase(line, "content-type:"))
    *sink->content_type =
        std::string(absl::StripAsciiWhitespace(line.substr(13)));
  return size * nmemb;
}

long Millis(absl::Duration d) {
  return static_cast<long>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 1, 24LL * 3600 * 1000));
}

// Loopback must never be proxied: a stray HTTP_PROXY would otherwise send
// local devnet traffic to the proxy (and fail or leak). CURLOPT_NOPROXY
// replaces the environment's NO_PROXY, hence the merge. CIDR needs curl 7.86+.
std::string NoProxy() {
  std::string list = "localhost,127.0.0.0/8,::1";
  for (const char* name : {"NO_PROXY", "no_proxy"})
    if (const char* env = std::getenv(name); env != nullptr && *env != '\0')
      absl::StrAppend(&list, ",", env);
  return list;
}

// "scheme://authority" of a URL, lowercased: the key of a connection pool.
// Anything unparsable gets its own key and fails later in libcurl.
std::string Origin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t end = url.find_first_of("/?#", scheme + 3);
  return absl::AsciiStrToLower(url.substr(0, end));
}

// Easy handles kept per origin: a handle's connection cache survives
// curl_easy_reset, so the next request to the same market or core reuses
// the kept-alive connection. libcurl checks a cached connection before it
// reuses it and reconnects when the peer closed it (a market restart).
class CurlClient : public Client {
 public:
  explicit CurlClient(CurlOptions options)
      : options_(options), no_proxy_(NoProxy()) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  ~CurlClient() override {
    absl::MutexLock lock(&mu_);
    for (auto& [origin, handles] : idle_)
      for (std::unique_ptr<Handle>& h : handles) Cleanup(std::move(h));
  }

  absl::StatusOr<Response> Send(const Request& request) override {
    const std::string origin = Origin(request.url);
    std::unique_ptr<Handle> h = Acquire(origin);
    if (h == nullptr) return absl::InternalError("curl_easy_init failed");
    absl::StatusOr<Response> response = Perform(*h, request);
    Release(origin, std::move(h));
    return response;
  }

 private:
  absl::StatusOr<Response> Perform(Handle& handle, const Request& request) {
    CURL* h = handle.curl;
    // Reset drops the previous request's options, keeps its connections.
    curl_easy_reset(h);
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    for (const auto& [name, value] : request.headers)
      headers =
          curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
    Response response;
    Sink sink{&response.body, &response.content_type, &handle,
              request.max_response_bytes};
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
    curl_easy_setopt(
        h, CURLOPT_CONNECTTIMEOUT_MS,
        Millis(std::min(request.timeout, request.connect_timeout)));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_response_bytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    SetSocketCallbacks(handle);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    // The handle outlives these locals: unhook them before it is pooled.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
      if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED)
        return absl::ResourceExhaustedError(
            absl::StrCat("response body larger than ",
                         request.max_response_bytes, " bytes"));
      if (rc == CURLE_OPERATION_TIMEDOUT)
        return absl::DeadlineExceededError(absl::StrCat(
            "no response within ", absl::FormatDuration(request.timeout), " (",
            detail, ")"));
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        return absl::InvalidArgumentError(absl::StrCat("bad URL: ", detail));
      return absl::UnavailableError(detail);
    }
    response.status = static_cast<int>(code);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0)
      response.retry_after = absl::Seconds(retry_after);
    return response;
  }

  // The socket callbacks outlive a request (libcurl closes a cached
  // connection later), so they point at the pooled Handle, never at locals.
  static void SetSocketCallbacks(Handle& handle) {
    curl_easy_setopt(handle.curl, CURLOPT_SOCKOPTFUNCTION, &OnSocketOpened);
    curl_easy_setopt(handle.curl, CURLOPT_SOCKOPTDATA, &handle);
    curl_easy_setopt(handle.curl, CURLOPT_CLOSESOCKETFUNCTION, &OnSocketClosed);
    curl_easy_setopt(handle.curl, CURLOPT_CLOSESOCKETDATA, &handle);
  }

  static void Cleanup(std::unique_ptr<Handle> handle) {
    // Options survive the last request: the close callback still finds the
    // Handle, which is freed after.
    curl_easy_cleanup(handle->curl);
  }

  std::unique_ptr<Handle> Acquire(const std::string& origin) {
    {
      absl::MutexLock lock(&mu_);
      auto it = idle_.find(origin);
      if (it != idle_.end() && !it->second.empty()) {
        std::unique_ptr<Handle> h = std::move(it->second.back());
        it->second.pop_back();
        return h;
      }
    }
    auto h = std::make_unique<Handle>();
    h->curl = curl_easy_init();
    if (h->curl == nullptr) return nullptr;
    return h;
  }

  void Release(const std::string& origin, std::unique_ptr<Handle> h) {
    {
      absl::MutexLock lock(&mu_);
      std::vector<std::unique_ptr<Handle>>& handles = idle_[origin];
      if (handles.size() < options_.max_idle_per_origin) {
        handles.push_back(std::move(h));
        return;
      }
    }
    Cleanup(std::move(h));
  }

  const CurlOptions options_;
  const std::string no_proxy_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<Handle>>> idle_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Client> NewCurlClient(CurlOptions options) {
  return std::make_unique<CurlClient>(options);
}

}  // namespace poolops::http
