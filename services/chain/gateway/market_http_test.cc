// The libcurl WebClient against a tiny HTTP/1.1 server on 127.0.0.1: one
// kept-alive connection per origin, and a fresh one when the server dropped
// it or restarted.
#include "services/chain/gateway/market_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops::chain {
namespace {

using ::testing::HasSubstr;

// `drop` closes each connection after its response (no "Connection:
// close": as a server killing an idle keep-alive connection), `silent`
// never answers.
struct Mode {
  bool drop = false;
  bool silent = false;
};

// Answers every request with {"method":..,"body":..} as JSON.
class TestServer {
 public:
  // `port` 0 picks a free one.
  explicit TestServer(int port = 0, Mode mode = Mode()) : mode_(mode) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bound_ = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr),
                    sizeof(addr)) == 0 &&
             ::listen(listen_fd_, 16) == 0;
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }

  // Closes the listener and every connection, as a stopped process would.
  ~TestServer() {
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
  int connections() const { return accepted_; }

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
      std::string head = buf.substr(0, end);
      size_t length = 0;
      if (size_t at = head.find("Content-Length: "); at != std::string::npos)
        (void)absl::SimpleAtoi(
            head.substr(at + 16, head.find("\r\n", at) - at - 16), &length);
      while (buf.size() < end + 4 + length) {
        ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return Close(fd);
        buf.append(chunk, n);
      }
      std::string method = head.substr(0, head.find(' '));
      std::string body = buf.substr(end + 4, length);
      buf.erase(0, end + 4 + length);
      if (mode_.silent) {
        while (::recv(fd, chunk, sizeof(chunk), 0) > 0) {
        }
        return Close(fd);
      }
      std::string json =
          absl::StrCat(R"({"method":")", method, R"(","body":")", body, "\"}");
      std::string response = absl::StrCat(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Content-Length: ",
          json.size(), "\r\n\r\n", json);
      ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      if (mode_.drop) return Close(fd);
    }
  }

  void Close(int fd) {
    absl::MutexLock lock(&mu_);
    conns_.erase(std::find(conns_.begin(), conns_.end(), fd));
    ::close(fd);
  }

  const Mode mode_;
  int listen_fd_ = -1;
  int port_ = 0;
  bool bound_ = false;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  absl::Mutex mu_;
  std::vector<int> conns_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
};

WebRequest Req(std::string method, std::string url, std::string body = "") {
  WebRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.timeout = absl::Seconds(10);
  return r;
}

std::string Echo(const std::string& method, const std::string& body = "") {
  return absl::StrCat(R"({"method":")", method, R"(","body":")", body, "\"}");
}

TEST(CurlWebClientTest, OneKeptAliveConnectionPerOrigin) {
  TestServer market, core;
  auto web = NewCurlWebClient();
  const char* methods[] = {"GET", "POST", "PUT", "GET"};
  for (const char* m : methods) {
    absl::StatusOr<WebResponse> r =
        web->Send(Req(m, market.url("/workerpoolorders"), "x"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->content_type, "application/json");
    EXPECT_EQ(r->body, Echo(m, std::string(m) == "GET" ? "" : "x"));
    ASSERT_TRUE(web->Send(Req("GET", core.url("/metrics"))).ok());
  }
  EXPECT_EQ(market.connections(), 1);
  EXPECT_EQ(core.connections(), 1);
}

// A market that stops is Unavailable; once it is back on its port the next
// request reconnects instead of failing on the dead pooled connection.
TEST(CurlWebClientTest, ReconnectsAfterTheServerRestarts) {
  auto web = NewCurlWebClient();
  auto server = std::make_unique<TestServer>();
  const int port = server->port();
  const std::string url = server->url("/challenge");
  ASSERT_TRUE(web->Send(Req("GET", url)).ok());
  server.reset();
  absl::StatusOr<WebResponse> down = web->Send(Req("GET", url));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable)
      << down.status();
  EXPECT_THAT(down.status().message(), ::testing::Not(HasSubstr(url)));
  server = std::make_unique<TestServer>(port);
  ASSERT_TRUE(server->bound());
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<WebResponse> r = web->Send(Req("POST", url, "again"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, Echo("POST", "again"));
  }
  EXPECT_EQ(server->connections(), 1);
}

// The server closes each kept-alive connection after answering: every
// request still succeeds, each on a fresh connection.
TEST(CurlWebClientTest, ReconnectsWhenTheServerDropsTheConnection) {
  TestServer server(0, {.drop = true});
  auto web = NewCurlWebClient();
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<WebResponse> r =
        web->Send(Req(i % 2 ? "PUT" : "GET", server.url()));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server.connections(), 4);
}

// A request that timed out leaves a pooled handle that works for the next.
TEST(CurlWebClientTest, TimeoutKeepsItsMessageAndTheHandleStaysUsable) {
  TestServer silent(0, {.silent = true});
  TestServer live;
  auto web = NewCurlWebClient();
  WebRequest r = Req("GET", silent.url());
  r.timeout = absl::Milliseconds(300);
  absl::StatusOr<WebResponse> late = web->Send(r);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.status().message(), HasSubstr("no response within 300ms"));
  ASSERT_TRUE(web->Send(Req("GET", live.url())).ok());
  ASSERT_TRUE(web->Send(Req("GET", live.url())).ok());
  EXPECT_EQ(live.connections(), 1);
}

TEST(CurlWebClientTest, ConcurrentRequestsEachGetTheirOwnAnswer) {
  TestServer server;
  auto web = NewCurlWebClient();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string body = absl::StrCat(t, "-", i);
        absl::StatusOr<WebResponse> r =
            web->Send(Req("POST", server.url(), body));
        if (r.ok() && r->body == Echo("POST", body)) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 80);
}

}  // namespace
}  // namespace poolops::chain
