// A minimal blocking HTTP/1.1 server for the simulators: one accept thread,
// requests served one at a time, Connection: close. With no handler it only
// accepts and closes connections (for roles that must just hold a port).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "devnet/simulators/http_message.h"

namespace poolops::sim {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // bind_address is an IPv4 literal; port 0 picks a free port.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& bind_address, int port, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  void Stop();

 private:
  HttpServer(int listen_fd, int port, HttpHandler handler);
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_;
  int port_;
  int wake_pipe_[2] = {-1, -1};
  HttpHandler handler_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace poolops::sim
