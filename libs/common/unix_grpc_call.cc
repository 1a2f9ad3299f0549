#include "libs/common/unix_grpc_call.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace poolops {
namespace {

// Bounds on what a peer can make us hold: the response's header blocks
// (headers and trailers together) and one read.
constexpr size_t kMaxHeaderBytes = 64 << 10;
constexpr size_t kReadChunk = 64 << 10;
// gRPC's message prefix: a compressed flag and a big-endian length.
constexpr size_t kPrefix = 5;

int RemainingMs(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  // Rounded up so that a wait never ends before the deadline.
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
}

// "30000m": the deadline as gRPC's grpc-timeout (at most 8 digits).
std::string GrpcTimeout(absl::Duration timeout) {
  int64_t ms = std::max<int64_t>(absl::ToInt64Milliseconds(timeout), 1);
  if (ms <= 99999999) return absl::StrCat(ms, "m");
  return absl::StrCat(std::min<int64_t>(ms / 1000, 99999999), "S");
}

bool IsTokenKey(std::string_view key) {
  if (key.empty() || key.rfind("grpc-", 0) == 0) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' ||
           c == '_' || c == '.';
  });
}

bool IsPrintable(std::string_view value) {
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// gRPC's mapping of an HTTP status that is not 200 (a proxy's, or a server
// that is not gRPC), from its http-grpc-status-mapping.
absl::Status FromHttpStatus(std::string_view http) {
  int code = 0;
  (void)absl::SimpleAtoi(std::string(http), &code);
  std::string message = absl::StrCat("HTTP status ", std::string(http));
  switch (code) {
    case 400:
      return absl::InternalError(message);
    case 401:
      return absl::UnauthenticatedError(message);
    case 403:
      return absl::PermissionDeniedError(message);
    case 404:
      return absl::UnimplementedError(message);
    case 429:
    case 502:
    case 503:
    case 504:
      return absl::UnavailableError(message);
    default:
      return absl::UnknownError(message);
  }
}

// An HTTP/2 stream reset by the peer, in gRPC's terms.
absl::Status FromReset(uint32_t error_code) {
  std::string message = absl::StrCat("the service reset the call (HTTP/2 ",
                                     nghttp2_http2_strerror(error_code), ")");
  switch (error_code) {
    case NGHTTP2_REFUSED_STREAM:
      return absl::UnavailableError(message);
    case NGHTTP2_CANCEL:
      return absl::CancelledError(message);
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return absl::ResourceExhaustedError(message);
    case NGHTTP2_INADEQUATE_SECURITY:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

// What one call collects from nghttp2's callbacks.
struct CallState {
  int32_t stream_id = -1;
  size_t max_message = 0;
  absl::FunctionRef<absl::Status(std::string_view)>* on_message = nullptr;
  // The request, sent by the data provider.
  std::string request;
  size_t sent = 0;

  bool closed = false;
  uint32_t reset = 0;
  // Set when nghttp2 ended the session for a protocol error of the peer's.
  std::optional<uint32_t> goaway_sent;
  size_t header_bytes = 0;
  std::string http_status;
  std::optional<int> grpc_status;
  std::string grpc_message;
  // Bytes of a message not complete yet.
  std::string pending;
  // The first failure on our side (too large, malformed, on_message's).
  absl::Status failure;

  int Fail(absl::Status status) {
    if (failure.ok()) failure = std::move(status);
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }

  // Hands over every complete message in `pending`.
  int Deliver() {
    size_t at = 0;
    while (pending.size() - at >= kPrefix) {
      const auto* p = reinterpret_cast<const uint8_t*>(pending.data() + at);
      if (p[0] != 0) {
        return Fail(absl::InternalError(
            "the service sent a compressed message that was not asked for"));
      }
      uint32_t length = (uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) |
                        (uint32_t{p[3]} << 8) | uint32_t{p[4]};
      if (length > max_message) {
        return Fail(absl::ResourceExhaustedError(
            absl::StrCat("Received message larger than max (", length, " vs. ",
                         max_message, ")")));
      }
      if (pending.size() - at - kPrefix < length) break;
      absl::Status s =
          (*on_message)(std::string_view(pending).substr(at + kPrefix, length));
      if (!s.ok()) return Fail(std::move(s));
      at += kPrefix + length;
    }
    pending.erase(0, at);
    return 0;
  }
};

int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
             size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
             void* user_data) {
  auto* call = static_cast<CallState*>(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->hd.stream_id != call->stream_id) {
    return 0;
  }
  call->header_bytes += namelen + valuelen + 32;
  if (call->header_bytes > kMaxHeaderBytes) {
    return call->Fail(absl::ResourceExhaustedError(absl::StrCat(
        "the service's headers exceed ", kMaxHeaderBytes, " bytes")));
  }
  std::string_view key(reinterpret_cast<const char*>(name), namelen);
  std::string_view text(reinterpret_cast<const char*>(value), valuelen);
  if (key == ":status") {
    call->http_status = std::string(text);
  } else if (key == "grpc-status") {
    int code = -1;
    if (!absl::SimpleAtoi(std::string(text), &code) || code < 0 || code > 16) {
      return call->Fail(absl::InternalError(
          absl::StrCat("the service sent an invalid grpc-status")));
    }
    call->grpc_status = code;
  } else if (key == "grpc-message") {
    call->grpc_message = PercentDecodeGrpcMessage(text);
  } else if (key == "grpc-encoding" && text != "identity") {
    return call->Fail(absl::InternalError(
        absl::StrCat("the service chose an encoding that was not offered")));
  }
  return 0;
}

int OnData(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
           size_t len, void* user_data) {
  auto* call = static_cast<CallState*>(user_data);
  if (stream_id != call->stream_id) return 0;
  // Bounded: Deliver refuses a length over the limit before its bytes come.
  call->pending.append(reinterpret_cast<const char*>(data), len);
  return call->Deliver();
}

int OnFrameSend(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    static_cast<CallState*>(user_data)->goaway_sent = frame->goaway.error_code;
  }
  return 0;
}

int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                  void* user_data) {
  auto* call = static_cast<CallState*>(user_data);
  if (stream_id == call->stream_id) {
    call->closed = true;
    call->reset = error_code;
  }
  return 0;
}

ssize_t ReadRequest(nghttp2_session*, int32_t, uint8_t* buf, size_t length,
                    uint32_t* data_flags, nghttp2_data_source*,
                    void* user_data) {
  auto* call = static_cast<CallState*>(user_data);
  size_t n = std::min(length, call->request.size() - call->sent);
  std::memcpy(buf, call->request.data() + call->sent, n);
  call->sent += n;
  if (call->sent == call->request.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

nghttp2_nv Header(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                    name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
}

struct SessionDeleter {
  void operator()(nghttp2_session* s) const { nghttp2_session_del(s); }
};
using Session = std::unique_ptr<nghttp2_session, SessionDeleter>;

absl::StatusOr<Session> NewSession(CallState* call) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) {
    return absl::ResourceExhaustedError("out of memory");
  }
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                         OnStreamClose);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, OnFrameSend);
  nghttp2_session* raw = nullptr;
  int rv = nghttp2_session_client_new(&raw, callbacks, call);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) return absl::ResourceExhaustedError(nghttp2_strerror(rv));
  return Session(raw);
}

}  // namespace

std::string PercentDecodeGrpcMessage(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    int hi = 0;
    int lo = 0;
    auto hex = [](char c, int* v) {
      if (c >= '0' && c <= '9') return *v = c - '0', true;
      if (c >= 'a' && c <= 'f') return *v = c - 'a' + 10, true;
      if (c >= 'A' && c <= 'F') return *v = c - 'A' + 10, true;
      return false;
    };
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1], &hi) &&
        hex(text[i + 2], &lo)) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<UnixGrpcConnection>> UnixGrpcConnection::Open(
    const std::string& path, absl::Duration timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path) ||
      path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("unix socket path must be 1 to ",
                     sizeof(addr.sun_path) - 1, " bytes: ", path));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      return absl::UnavailableError(
          absl::StrCat("the connection failed (", std::strerror(errno), ")"));
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) ==
        0) {
      return std::unique_ptr<UnixGrpcConnection>(new UnixGrpcConnection(fd));
    }
    int err = errno;
    ::close(fd);
    // A full backlog (the service is busy accepting): try again until the
    // deadline; anything else is final.
    if (err != EAGAIN && err != EINTR) {
      return absl::UnavailableError(
          absl::StrCat("the connection failed (", std::strerror(err), ")"));
    }
    if (RemainingMs(deadline) == 0) {
      return absl::UnavailableError(
          absl::StrCat("no connection within ", absl::FormatDuration(timeout)));
    }
    ::usleep(1000);
  }
}

UnixGrpcConnection::~UnixGrpcConnection() { ::close(fd_); }

absl::Status UnixGrpcConnection::Call(
    std::string_view method, std::string_view request,
    const UnixCallOptions& options,
    absl::FunctionRef<absl::Status(std::string_view)> on_message) {
  if (used_) return absl::FailedPreconditionError("one call per connection");
  used_ = true;
  for (const auto& [key, value] : options.metadata) {
    if (!IsTokenKey(key) || !IsPrintable(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid call metadata: ", key));
    }
  }
  if (request.size() > UINT32_MAX - kPrefix) {
    return absl::ResourceExhaustedError("request too large");
  }

  CallState call;
  call.max_message = options.max_message;
  call.on_message = &on_message;
  call.request.reserve(kPrefix + request.size());
  uint32_t n = static_cast<uint32_t>(request.size());
  call.request.push_back('\0');
  for (int shift : {24, 16, 8, 0}) {
    call.request.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  call.request.append(request);

  absl::StatusOr<Session> session = NewSession(&call);
  if (!session.ok()) return session.status();
  // No server push; a window as large as the largest message, so that a
  // response comes in one go.
  const std::array<nghttp2_settings_entry, 3> settings = {{
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<uint32_t>(kMaxHeaderBytes)},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE,
       static_cast<uint32_t>(
           std::min<size_t>(options.max_message + kPrefix, (1u << 31) - 1))},
  }};
  nghttp2_submit_settings(session->get(), NGHTTP2_FLAG_NONE, settings.data(),
                          settings.size());
  // The connection's window too (nghttp2 starts it at 64 KiB).
  nghttp2_session_set_local_window_size(
      session->get(), NGHTTP2_FLAG_NONE, 0,
      static_cast<int32_t>(settings[2].value));
  const std::string timeout = GrpcTimeout(options.timeout);
  std::vector<nghttp2_nv> headers = {
      Header(":method", "POST"),
      Header(":scheme", "http"),
      Header(":path", method),
      Header(":authority", "localhost"),
      Header("content-type", "application/grpc"),
      Header("te", "trailers"),
      Header("grpc-timeout", timeout),
      Header("user-agent", "poolops-unix-grpc/1"),
  };
  for (const auto& [key, value] : options.metadata) {
    headers.push_back(Header(key, value));
  }
  nghttp2_data_provider body{};
  body.read_callback = ReadRequest;
  call.stream_id = nghttp2_submit_request(
      session->get(), nullptr, headers.data(), headers.size(), &body, nullptr);
  if (call.stream_id < 0) {
    return absl::InternalError(nghttp2_strerror(call.stream_id));
  }

  const absl::Time deadline = absl::Now() + options.timeout;
  const absl::Status lost = absl::UnavailableError("Socket closed");
  std::vector<uint8_t> buffer(kReadChunk);
  while (!call.closed) {
    // Everything nghttp2 has to say goes out first.
    while (true) {
      const uint8_t* data = nullptr;
      ssize_t len = nghttp2_session_mem_send(session->get(), &data);
      if (len < 0) {
        return call.failure.ok() ? absl::InternalError(
                                       nghttp2_strerror(static_cast<int>(len)))
                                 : call.failure;
      }
      if (len == 0) break;
      while (len > 0) {
        ssize_t w = ::send(fd_, data, static_cast<size_t>(len), MSG_NOSIGNAL);
        if (w > 0) {
          data += w;
          len -= w;
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          pollfd out{fd_, POLLOUT, 0};
          int wait = RemainingMs(deadline);
          if (wait == 0 || ::poll(&out, 1, wait) == 0) {
            return absl::DeadlineExceededError("Deadline Exceeded");
          }
          continue;
        }
        return lost;
      }
    }
    if (call.goaway_sent.has_value()) break;
    if (call.closed) break;
    pollfd in{fd_, POLLIN, 0};
    int wait = RemainingMs(deadline);
    int ready = wait == 0 ? 0 : ::poll(&in, 1, wait);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return absl::DeadlineExceededError("Deadline Exceeded");
    ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return call.failure.ok() ? lost : call.failure;
    ssize_t used = nghttp2_session_mem_recv(session->get(), buffer.data(),
                                            static_cast<size_t>(got));
    if (!call.failure.ok()) return call.failure;
    if (used < 0) {
      return absl::InternalError(
          absl::StrCat("the service's answer is not HTTP/2 (",
                       nghttp2_strerror(static_cast<int>(used)), ")"));
    }
  }

  if (!call.failure.ok()) return call.failure;
  if (call.goaway_sent.has_value() && !call.grpc_status.has_value()) {
    return absl::InternalError(
        absl::StrCat("the service's answer is not HTTP/2 (",
                     nghttp2_http2_strerror(*call.goaway_sent), ")"));
  }
  if (call.grpc_status.has_value()) {
    if (*call.grpc_status != 0) {
      return absl::Status(static_cast<absl::StatusCode>(*call.grpc_status),
                          call.grpc_message);
    }
    if (!call.pending.empty()) {
      return absl::InternalError("the call ended inside a message");
    }
    return absl::OkStatus();
  }
  if (call.reset != NGHTTP2_NO_ERROR) return FromReset(call.reset);
  if (!call.http_status.empty() && call.http_status != "200") {
    return FromHttpStatus(call.http_status);
  }
  return absl::UnknownError("the service ended the call without a status");
}

}  // namespace poolops
