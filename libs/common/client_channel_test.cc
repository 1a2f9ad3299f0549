#include "libs/common/client_channel.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/grpc_test_support.h"
#include "libs/common/health_client.h"
#include "libs/common/server.h"
#include "libs/common/suite.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEnv[] = {"POOLOPS_WALLET_VAULT_ADDRESS",
                                "POOLOPS_CHAIN_GATEWAY_ADDRESS",
                                "POOLOPS_ORCHESTRATOR_ADDRESS",
                                "POOLOPS_MONITOR_ADDRESS",
                                "POOLOPS_TLS_CA",
                                "POOLOPS_TLS_CERT",
                                "POOLOPS_TLS_KEY"};

// Runs RunServer on a thread; stops it when destroyed.
class TestServer {
 public:
  explicit TestServer(ServerOptions options) : options_(std::move(options)) {
    options_.handle_signals = false;
    options_.metrics_listen = "";
    thread_ = std::thread([this] {
      result_ = RunServer(options_, {&service_}, nullptr, &control_);
    });
  }
  ~TestServer() {
    control_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  ServerControl& control() { return control_; }

 private:
  ServerOptions options_;
  test::WhoAmIService service_;  // a TCP server without reflection needs one
  ServerControl control_;
  absl::Status result_;
  std::thread thread_;
};

class ClientChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kEnv) ::unsetenv(name);
    home_ = dir_.path() / "home";
    fs::create_directories(home_ / "run");
  }
  void TearDown() override {
    for (const char* name : kEnv) ::unsetenv(name);
  }
  void WriteConfig(const std::string& yaml) {
    std::ofstream(home_ / "config.yaml") << yaml;
  }
  bool Healthy(const std::shared_ptr<grpc::Channel>& channel) {
    absl::StatusOr<HealthState> h = CheckHealth(*channel, "", absl::Seconds(5));
    return h.ok() && *h == HealthState::kServing;
  }

  test::TempDir dir_;
  fs::path home_;
};

TEST_F(ClientChannelTest, EnvNames) {
  EXPECT_EQ(SuiteAddressEnv("wallet-vault"), "POOLOPS_WALLET_VAULT_ADDRESS");
  EXPECT_EQ(SuiteAddressEnv("chain-gateway"), "POOLOPS_CHAIN_GATEWAY_ADDRESS");
  EXPECT_EQ(SuiteAddressEnv("monitor"), "POOLOPS_MONITOR_ADDRESS");
}

TEST_F(ClientChannelTest, ResolvesEnvThenConfigThenRunFileThenSocket) {
  auto e = ResolveSuiteEndpoint(home_, "monitor");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->address,
            absl::StrCat("unix:", home_.string(), "/run/monitor.sock"));
  EXPECT_FALSE(e->explicit_setting);
  EXPECT_FALSE(e->tls());

  ASSERT_TRUE(
      files::WriteFileAtomic(RunInfoPath(home_ / "run", "monitor"),
                             RunInfoToJson({42, "unix:/tmp/m.sock",
                                            "http://m/metrics", "http://m/"}))
          .ok());
  e = ResolveSuiteEndpoint(home_, "monitor");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->address, "unix:/tmp/m.sock");
  EXPECT_EQ(e->metrics, "http://m/metrics");
  EXPECT_EQ(e->dashboard, "http://m/");
  EXPECT_FALSE(e->explicit_setting);

  WriteConfig(
      "chains: {default: devnet}\n"
      "services:\n  monitor:\n    address: 127.0.0.1:7004\n"
      "    metrics: http://127.0.0.1:7104/metrics\n"
      "    dashboard: http://127.0.0.1:7204/\n");
  e = ResolveSuiteEndpoint(home_, "monitor");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->address, "127.0.0.1:7004");
  EXPECT_EQ(e->metrics, "http://127.0.0.1:7104/metrics");
  EXPECT_EQ(e->dashboard, "http://127.0.0.1:7204/");
  EXPECT_TRUE(e->explicit_setting);
  EXPECT_TRUE(e->tls());
  EXPECT_TRUE(absl::StrContains(e->source, "services.monitor.address"));

  WriteConfig("services:\n  monitor: 127.0.0.1:7014\n");
  e = ResolveSuiteEndpoint(home_, "monitor");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->address, "127.0.0.1:7014");
  EXPECT_TRUE(e->explicit_setting);
  EXPECT_TRUE(absl::EndsWith(e->source, "services.monitor")) << e->source;

  ::setenv("POOLOPS_MONITOR_ADDRESS", "localhost:9", 1);
  e = ResolveSuiteEndpoint(home_, "monitor");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->address, "localhost:9");
  EXPECT_EQ(e->source, "POOLOPS_MONITOR_ADDRESS");
  EXPECT_TRUE(e->explicit_setting);
  // Other services are untouched by it.
  e = ResolveSuiteEndpoint(home_, "wallet-vault");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_FALSE(e->explicit_setting);
}

TEST_F(ClientChannelTest, BadSettingsAreNamed) {
  EXPECT_EQ(ResolveSuiteEndpoint(home_, "nope").status().code(),
            absl::StatusCode::kInvalidArgument);

  ::setenv("POOLOPS_CHAIN_GATEWAY_ADDRESS", "no-port", 1);
  absl::Status s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "POOLOPS_CHAIN_GATEWAY_ADDRESS"))
      << s;

  ::unsetenv("POOLOPS_CHAIN_GATEWAY_ADDRESS");
  WriteConfig("services:\n  chain-gateway:\n    address: [1, 2]\n");
  s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "services.chain-gateway.address"))
      << s;

  WriteConfig("services: [unclosed\n");
  s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "config.yaml")) << s;

  // TCP without a CA: refused before any connection, naming the setting.
  WriteConfig("");
  ::setenv("POOLOPS_CHAIN_GATEWAY_ADDRESS", "127.0.0.1:7002", 1);
  s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "POOLOPS_TLS_CA")) << s;

  ::setenv("POOLOPS_TLS_CA", (dir_.path() / "missing.pem").c_str(), 1);
  s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "POOLOPS_TLS_CA")) << s;

  std::ofstream(dir_.path() / "ca.pem") << "x";
  ::setenv("POOLOPS_TLS_CA", (dir_.path() / "ca.pem").c_str(), 1);
  ::setenv("POOLOPS_TLS_CERT", (dir_.path() / "ca.pem").c_str(), 1);
  s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.message(), "POOLOPS_TLS_KEY")) << s;

  fs::path key = dir_.path() / "client.key";
  std::ofstream(key) << "k";
  ::chmod(key.c_str(), 0644);
  ::setenv("POOLOPS_TLS_KEY", key.c_str(), 1);
  s = SuiteChannel(home_, "chain-gateway").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(s.message(), "POOLOPS_TLS_KEY")) << s;
}

TEST_F(ClientChannelTest, UnixSocketFromTheRunFile) {
  ServerOptions o;
  o.service_name = "wallet-vault";
  o.home = home_.string();
  TestServer server(o);
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  // TLS settings do not matter for a unix socket.
  ::setenv("POOLOPS_TLS_CA", "/nonexistent", 1);
  auto channel = SuiteChannel(home_, "wallet-vault");
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_TRUE(Healthy(*channel));
}

// A CA, a server certificate for 127.0.0.1 and two client certificates: one
// from that CA, one self-signed (a stranger). Keys 0600 as openssl writes them.
class TlsChannelTest : public ClientChannelTest {
 protected:
  void SetUp() override {
    ClientChannelTest::SetUp();
    pki_ = dir_.path() / "pki";
    fs::create_directories(pki_);
    const std::string ec =
        "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    ASSERT_TRUE(Sh(absl::StrCat("openssl req -x509 ", ec,
                                " -days 1 -subj /CN=test-ca -keyout ca.key "
                                "-out ca.pem")));
    Issue("server", "/CN=localhost",
          "-addext subjectAltName=IP:127.0.0.1,DNS:localhost");
    Issue("client", "/CN=poolctl", "");
    ASSERT_TRUE(Sh(absl::StrCat("openssl req -x509 ", ec,
                                " -days 1 -subj /CN=stranger "
                                "-keyout stranger.key -out stranger.pem")));
  }
  bool Sh(const std::string& cmd) {
    std::string full =
        absl::StrCat("cd ", pki_.string(), " && ", cmd, " 2>/dev/null");
    return std::system(full.c_str()) == 0;
  }
  void Issue(const std::string& name, const std::string& subject,
             const std::string& ext) {
    ASSERT_TRUE(Sh(absl::StrCat(
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-subj ",
        subject, " ", ext, " -keyout ", name, ".key -out ", name,
        ".csr && openssl x509 -req -in ", name,
        ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
        "-copy_extensions copyall -out ",
        name, ".pem")));
    ::chmod((pki_ / (name + ".key")).c_str(), 0600);
  }
  std::string Pki(const std::string& file) { return (pki_ / file).string(); }

  ServerOptions TcpOptions() {
    ServerOptions o;
    o.service_name = "wallet-vault";
    o.home = (dir_.path() / "server-home").string();
    o.listen = "127.0.0.1:0";
    o.tls_cert_file = Pki("server.pem");
    o.tls_key_file = Pki("server.key");
    o.tls_client_ca_file = Pki("ca.pem");  // always mutual TLS
    return o;
  }

  fs::path pki_;
};

TEST_F(TlsChannelTest, MutualTlsAcceptsTheClientCertAndRefusesNone) {
  TestServer server(TcpOptions());
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  ::setenv("POOLOPS_WALLET_VAULT_ADDRESS", server.control().address().c_str(),
           1);
  ::setenv("POOLOPS_TLS_CA", Pki("ca.pem").c_str(), 1);

  // Without a client certificate nothing is sent: the settings are named.
  absl::Status without = SuiteChannel(home_, "wallet-vault").status();
  EXPECT_EQ(without.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(without.message(), "POOLOPS_TLS_CERT"))
      << without;
  EXPECT_TRUE(absl::StrContains(without.message(), "tls.key")) << without;

  ::setenv("POOLOPS_TLS_CERT", Pki("stranger.pem").c_str(), 1);
  ::setenv("POOLOPS_TLS_KEY", Pki("stranger.key").c_str(), 1);
  ::chmod(Pki("stranger.key").c_str(), 0600);
  auto stranger = SuiteChannel(home_, "wallet-vault");
  ASSERT_TRUE(stranger.ok()) << stranger.status();
  EXPECT_FALSE(Healthy(*stranger));

  ::setenv("POOLOPS_TLS_CERT", Pki("client.pem").c_str(), 1);
  ::setenv("POOLOPS_TLS_KEY", Pki("client.key").c_str(), 1);
  auto with = SuiteChannel(home_, "wallet-vault");
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_TRUE(Healthy(*with));
}

TEST_F(TlsChannelTest, ConfigYamlWithPathsFromTheHome) {
  TestServer server(TcpOptions());
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  fs::copy(pki_, home_ / "certs");
  WriteConfig(absl::StrCat("services:\n  wallet-vault:\n    address: \"",
                           server.control().address(),
                           "\"\ntls:\n  ca: certs/ca.pem\n"
                           "  cert: certs/client.pem\n"
                           "  key: certs/client.key\n"));
  auto channel = SuiteChannel(home_, "wallet-vault");
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_TRUE(Healthy(*channel));
}

TEST_F(TlsChannelTest, ServerTlsNeedsTheRightCa) {
  TestServer server(TcpOptions());
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  ::setenv("POOLOPS_WALLET_VAULT_ADDRESS", server.control().address().c_str(),
           1);
  ::setenv("POOLOPS_TLS_CA", Pki("ca.pem").c_str(), 1);
  ::setenv("POOLOPS_TLS_CERT", Pki("client.pem").c_str(), 1);
  ::setenv("POOLOPS_TLS_KEY", Pki("client.key").c_str(), 1);
  auto channel = SuiteChannel(home_, "wallet-vault");
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_TRUE(Healthy(*channel));

  ::setenv("POOLOPS_TLS_CA", Pki("stranger.pem").c_str(), 1);
  auto wrong_ca = SuiteChannel(home_, "wallet-vault");
  ASSERT_TRUE(wrong_ca.ok()) << wrong_ca.status();
  EXPECT_FALSE(Healthy(*wrong_ca));
}

}  // namespace
}  // namespace poolops
