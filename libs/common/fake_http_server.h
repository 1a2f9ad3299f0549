// Tests only: a tiny HTTP/1.1 server on 127.0.0.1 for HTTP clients. Each
// connection is served on its own thread and kept alive across requests
// (Content-Length bodies), so tests can count connections, drop them, hang
// them, or stop the server and start another on the same port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace poolops::test {

struct HttpRequest {
  std::string method;
  std::string headers;  // the request line and headers, without the blank line
  std::string body;
};

// A 200 response with a JSON body (and `extra` header lines, each ending
// in \r\n).
inline std::string HttpOk(const std::string& body,
                          const std::string& extra = "") {
  return absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
                      extra, "Content-Length: ", body.size(), "\r\n\r\n", body);
}

struct TestHttpServerOptions {
  int port = 0;  // 0: a free one
  // Close each connection after its response, without "Connection: close"
  // (as a server dropping an idle keep-alive connection).
  bool close_after_response = false;
};

class TestHttpServer {
 public:
  // Maps a request to a full HTTP response; "" never answers (the
  // connection hangs until the client gives up).
  using Handler = std::function<std::string(const HttpRequest&)>;
  using Options = TestHttpServerOptions;

  explicit TestHttpServer(Handler handler, Options options = {})
      : handler_(std::move(handler)), options_(options) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(options.port));
    bound_ = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr),
                    sizeof(addr)) == 0 &&
             ::listen(listen_fd_, 16) == 0;
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  // Closes the listener and every connection, as a stopped process would.
  ~TestHttpServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    std::vector<std::thread> workers;
    {
      absl::MutexLock lock(&mu_);
      for (int fd : conns_) ::shutdown(fd, SHUT_RDWR);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
    ::close(listen_fd_);
  }

  bool bound() const { return bound_; }
  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  // Connections accepted so far.
  int connections() const { return accepted_; }
  std::string last_headers() {
    absl::MutexLock lock(&mu_);
    return last_headers_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++accepted_;
      absl::MutexLock lock(&mu_);
      conns_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string buf;
    char chunk[4096];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return Close(fd);
        buf.append(chunk, n);
      }
      HttpRequest req;
      req.headers = buf.substr(0, end);
      size_t length = 0;
      if (size_t at = req.headers.find("Content-Length: ");
          at != std::string::npos) {
        (void)absl::SimpleAtoi(
            req.headers.substr(at + 16, req.headers.find("\r\n", at) - at - 16),
            &length);
      }
      while (buf.size() < end + 4 + length) {
        ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return Close(fd);
        buf.append(chunk, n);
      }
      req.method = req.headers.substr(0, req.headers.find(' '));
      req.body = buf.substr(end + 4, length);
      buf.erase(0, end + 4 + length);
      {
        absl::MutexLock lock(&mu_);
        last_headers_ = req.headers;
      }
      std::string response = handler_(req);
      if (response.empty()) {
        while (::recv(fd, chunk, sizeof(chunk), 0) > 0) {
        }
        return Close(fd);
      }
      ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      if (options_.close_after_response) return Close(fd);
    }
  }

  void Close(int fd) {
    absl::MutexLock lock(&mu_);
    conns_.erase(std::find(conns_.begin(), conns_.end(), fd));
    ::close(fd);
  }

  const Handler handler_;
  const Options options_;
  int listen_fd_ = -1;
  int port_ = 0;
  bool bound_ = false;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  absl::Mutex mu_;
  std::vector<int> conns_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
  std::string last_headers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::test
