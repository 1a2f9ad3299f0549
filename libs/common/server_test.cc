#include "libs/common/server.h"

#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/grpc_test_support.h"
#include "libs/common/health_client.h"
#include "libs/common/suite.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"

namespace poolops {
namespace {

// Runs RunServer on a thread; stops it when destroyed.
class TestServer {
 public:
  explicit TestServer(ServerOptions options) : options_(std::move(options)) {
    options_.handle_signals = false;
    thread_ = std::thread([this] {
      result_ = RunServer(options_, {&service_}, nullptr, &control_);
    });
  }
  ~TestServer() { (void)Stop(); }
  absl::Status Stop() {
    control_.Stop();
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  ServerControl& control() { return control_; }

 private:
  ServerOptions options_;
  test::WhoAmIService service_;  // a TCP server without reflection needs one
  ServerControl control_;
  absl::Status result_;
  std::thread thread_;
};

ServerOptions Options(const test::TempDir& home) {
  ServerOptions o;
  o.service_name = "test-svc";
  o.home = home.path().string();
  return o;
}

using test::ReflectionResponse;

// GET http://127.0.0.1:PORT/metrics -> the status line and body.
std::string HttpGet(const std::string& url) {
  std::string rest = url.substr(std::string("http://").size());
  std::string hostport = rest.substr(0, rest.find('/'));
  int port = std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str());
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  std::string req = absl::StrCat("GET ", rest.substr(rest.find('/')),
                                 " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  ::close(fd);
  return out;
}

TEST(ServerTest, UnixSocketHealthReflectionRunFileMetrics) {
  test::TempDir home;
  TestServer server(Options(home));
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  std::string sock = (home.path() / "run" / "test-svc.sock").string();
  EXPECT_EQ(server.control().address(), "unix:" + sock);

  struct stat st;
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  auto channel = LocalChannel(server.control().address());
  absl::StatusOr<HealthState> health =
      CheckHealth(*channel, "", absl::Seconds(5));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, HealthState::kServing);
  EXPECT_EQ(*CheckHealth(*channel, "no.such.Service", absl::Seconds(5)),
            HealthState::kServiceUnknown);

  std::string services = ReflectionResponse(channel);
  EXPECT_TRUE(absl::StrContains(services, "grpc.health.v1.Health")) << services;
  EXPECT_TRUE(
      absl::StrContains(services, "grpc.reflection.v1alpha.ServerReflection"));

  absl::StatusOr<RunInfo> info = ReadRunInfo(home.path() / "run", "test-svc");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->pid, ::getpid());
  EXPECT_EQ(info->address, "unix:" + sock);
  EXPECT_EQ(info->metrics, server.control().metrics_url());
  ASSERT_EQ(::stat((home.path() / "run" / "test-svc.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  std::string metrics = HttpGet(info->metrics);
  EXPECT_TRUE(absl::StartsWith(metrics, "HTTP/1.1 200")) << metrics;
  EXPECT_TRUE(absl::StrContains(metrics,
                                "poolops_service_info{service=\"test-svc\"} 1"))
      << metrics;

  ASSERT_TRUE(server.Stop().ok());
  EXPECT_FALSE(std::filesystem::exists(home.path() / "run" / "test-svc.json"));
  EXPECT_FALSE(std::filesystem::exists(sock));
}

TEST(ServerTest, RefusesASecondInstance) {
  test::TempDir home;
  TestServer first(Options(home));
  ASSERT_TRUE(first.control().WaitUntilServing(absl::Seconds(10)));
  ServerControl control;
  ServerOptions o = Options(home);
  o.handle_signals = false;
  absl::Status s = RunServer(o, {}, nullptr, &control);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "already serving")) << s;
  // The first one is untouched.
  auto channel = LocalChannel(first.control().address());
  EXPECT_EQ(*CheckHealth(*channel, "", absl::Seconds(5)),
            HealthState::kServing);
}

TEST(ServerTest, RemovesAStaleSocket) {
  test::TempDir home;
  ASSERT_TRUE(files::EnsureDir(home.path() / "run").ok());
  std::string sock = (home.path() / "run" / "test-svc.sock").string();
  // A socket file left by a crashed server: bound, then closed.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(sock));

  TestServer server(Options(home));
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  auto channel = LocalChannel(server.control().address());
  EXPECT_EQ(*CheckHealth(*channel, "", absl::Seconds(5)),
            HealthState::kServing);
}

TEST(ServerTest, StopBeforeServingReturnsPromptly) {
  test::TempDir home;
  ServerControl control;
  control.Stop();
  ServerOptions o = Options(home);
  o.handle_signals = false;
  EXPECT_TRUE(RunServer(o, {}, nullptr, &control).ok());
  EXPECT_FALSE(std::filesystem::exists(home.path() / "run" / "test-svc.json"));
}

TEST(ServerTest, TcpWithoutTlsIsRefused) {
  test::TempDir home;
  ServerOptions o = Options(home);
  o.listen = "127.0.0.1:0";
  o.handle_signals = false;
  absl::Status s = RunServer(o, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "--tls-cert")) << s;
}

TEST(ServerTest, BadListenAddressesAreNamed) {
  test::TempDir home;
  ServerOptions o = Options(home);
  o.handle_signals = false;
  o.listen = "unix:relative.sock";
  EXPECT_EQ(RunServer(o, {}).code(), absl::StatusCode::kInvalidArgument);
  o.listen = "";
  o.metrics_listen = "nonsense";
  absl::Status s = RunServer(o, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "--metrics-listen")) << s;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    // Self-signed, CA:TRUE (req -x509 default), valid for 127.0.0.1.
    std::string cmd = absl::StrCat(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout ",
        key_, " -out ", cert_, " 2>/dev/null");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  std::shared_ptr<grpc::Channel> Client(const std::string& address,
                                        bool with_client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *files::ReadFile(cert_);
    if (with_client_cert) {
      ssl.pem_private_key = *files::ReadFile(key_);
      ssl.pem_cert_chain = *files::ReadFile(cert_);
    }
    return grpc::CreateChannel(address, grpc::SslCredentials(ssl));
  }

  test::TempDir dir_;
  std::string cert_, key_;
};

TEST_F(TlsTest, TcpWithoutAClientCaIsRefused) {
  ServerOptions o = Options(dir_);
  o.listen = "127.0.0.1:0";
  o.tls_cert_file = cert_;
  o.tls_key_file = key_;
  o.handle_signals = false;
  absl::Status s = RunServer(o, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "--tls-client-ca")) << s;
}

TEST_F(TlsTest, MutualTlsOnAnyPortRequiresAClientCertificate) {
  ServerOptions o = Options(dir_);
  o.listen = "127.0.0.1:0";
  o.tls_cert_file = cert_;
  o.tls_key_file = key_;
  o.tls_client_ca_file = cert_;
  TestServer server(o);
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  std::string address = server.control().address();
  EXPECT_TRUE(absl::StartsWith(address, "127.0.0.1:")) << address;
  EXPECT_NE(address, "127.0.0.1:0");

  auto with_cert = Client(address, /*with_client_cert=*/true);
  absl::StatusOr<HealthState> health =
      CheckHealth(*with_cert, "", absl::Seconds(5));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, HealthState::kServing);

  auto without = Client(address, /*with_client_cert=*/false);
  EXPECT_FALSE(CheckHealth(*without, "", absl::Seconds(3)).ok());
  // A plaintext client gets nothing.
  auto plain = LocalChannel(address);
  EXPECT_FALSE(CheckHealth(*plain, "", absl::Seconds(2)).ok());
}

TEST_F(TlsTest, ReflectionOnTcpOnlyWhenAskedFor) {
  ServerOptions o = Options(dir_);
  o.listen = "127.0.0.1:0";
  o.tls_cert_file = cert_;
  o.tls_key_file = key_;
  o.tls_client_ca_file = cert_;
  {
    TestServer server(o);
    ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
    auto channel = Client(server.control().address(), true);
    ASSERT_EQ(*CheckHealth(*channel, "", absl::Seconds(5)),
              HealthState::kServing);
    std::string services = ReflectionResponse(channel);
    EXPECT_FALSE(absl::StrContains(services, "grpc.health.v1.Health"))
        << services;
  }
  o.tcp_reflection = true;
  {
    TestServer server(o);
    ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
    auto channel = Client(server.control().address(), true);
    std::string services = ReflectionResponse(channel);
    EXPECT_TRUE(absl::StrContains(services, "grpc.health.v1.Health"))
        << services;
  }
  // A unix socket server of the same process still has it.
  TestServer local(Options(dir_));
  ASSERT_TRUE(local.control().WaitUntilServing(absl::Seconds(10)));
  std::string services =
      ReflectionResponse(LocalChannel(local.control().address()));
  EXPECT_TRUE(absl::StrContains(services, "grpc.health.v1.Health")) << services;
}

TEST(ServerTest, MetricsOnLoopbackUnlessPublic) {
  test::TempDir home;
  ServerOptions o = Options(home);
  o.handle_signals = false;
  for (const char* addr :
       {"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "localhost:0", "10.0.0.1:9100"}) {
    o.metrics_listen = addr;
    absl::Status s = RunServer(o, {});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << addr << s;
    EXPECT_TRUE(absl::StrContains(s.message(), "--metrics-public")) << s;
  }
  for (const char* addr : {"127.0.0.1:0", "127.0.0.2:0"}) {
    o.metrics_listen = addr;
    TestServer server(o);
    EXPECT_TRUE(server.control().WaitUntilServing(absl::Seconds(10))) << addr;
    EXPECT_TRUE(server.Stop().ok()) << addr;
  }
  // Asked for explicitly: any interface.
  o.metrics_listen = "0.0.0.0:0";
  o.metrics_public = true;
  TestServer server(o);
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  EXPECT_TRUE(absl::StartsWith(HttpGet(server.control().metrics_url()),
                               "HTTP/1.1 200"));
}

TEST(ParseServerFlagsTest, ParsesTheCommonFlags) {
  ServerOptions o;
  o.service_name = "monitor";
  std::vector<std::string> args = {
      "poolops-monitor", "--home",          "/tmp/h", "--listen",
      "127.0.0.1:7001",  "--tls-cert",      "c.pem",  "--tls-key",
      "k.pem",           "--tls-client-ca", "ca.pem", "--metrics-listen",
      "127.0.0.1:9100",  "--log-level",     "debug",  "--reflection",
      "--metrics-public"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ASSERT_TRUE(ParseServerFlags(argv.size(), argv.data(), &o).ok());
  EXPECT_EQ(o.home, "/tmp/h");
  EXPECT_EQ(o.listen, "127.0.0.1:7001");
  EXPECT_EQ(o.tls_cert_file, "c.pem");
  EXPECT_EQ(o.tls_key_file, "k.pem");
  EXPECT_EQ(o.tls_client_ca_file, "ca.pem");
  EXPECT_EQ(o.metrics_listen, "127.0.0.1:9100");
  EXPECT_EQ(o.log_level, "debug");
  EXPECT_TRUE(o.tcp_reflection);
  EXPECT_TRUE(o.metrics_public);

  ServerOptions defaults;
  std::vector<std::string> none = {"poolops-monitor"};
  std::vector<char*> argv0 = {none[0].data()};
  ASSERT_TRUE(ParseServerFlags(1, argv0.data(), &defaults).ok());
  EXPECT_FALSE(defaults.tcp_reflection);
  EXPECT_FALSE(defaults.metrics_public);
  EXPECT_EQ(defaults.metrics_listen, "127.0.0.1:0");
}

TEST(ParseServerFlagsTest, RejectsUnknownFlags) {
  ServerOptions o;
  std::vector<std::string> args = {"svc", "--bogus"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_EQ(ParseServerFlags(argv.size(), argv.data(), &o).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace poolops
