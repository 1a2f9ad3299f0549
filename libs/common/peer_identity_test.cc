#include "libs/common/peer_identity.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/grpc_test_support.h"
#include "libs/common/health_client.h"
#include "libs/common/server.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops {
namespace {

using test::WhoAmI;

class Served {
 public:
  explicit Served(ServerOptions o) : options_(std::move(o)) {
    options_.handle_signals = false;
    options_.metrics_listen = "";
    thread_ = std::thread([this] {
      result_ = RunServer(options_, {&service_}, nullptr, &control_);
    });
  }
  ~Served() {
    control_.Stop();
    thread_.join();
  }
  ServerControl& control() { return control_; }

 private:
  ServerOptions options_;
  test::WhoAmIService service_;
  ServerControl control_;
  absl::Status result_;
  std::thread thread_;
};

bool Sh(const std::filesystem::path& dir, const std::string& cmd) {
  return std::system(
             absl::StrCat("cd ", dir.string(), " && ", cmd, " 2>/dev/null")
                 .c_str()) == 0;
}

TEST(PeerIdentityTest, UnixSocketCallerIsUnix) {
  test::TempDir home;
  ServerOptions o;
  o.service_name = "wallet-vault";
  o.home = home.path().string();
  Served server(o);
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));
  absl::StatusOr<std::string> who =
      WhoAmI(LocalChannel(server.control().address()));
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(*who, "unix");
}

TEST(PeerIdentityTest, MutualTlsCallerIsItsCertificatesCommonName) {
  test::TempDir dir;
  const std::string ec =
      "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1";
  ASSERT_TRUE(Sh(dir.path(), absl::StrCat("openssl req -x509 ", ec,
                                          " -subj /CN=localhost -addext "
                                          "subjectAltName=IP:127.0.0.1 -keyout "
                                          "server.key -out server.pem")));
  ASSERT_TRUE(
      Sh(dir.path(), absl::StrCat("openssl req -x509 ", ec,
                                  " -subj /CN=chain-gateway -keyout client.key "
                                  "-out client.pem")));
  auto file = [&](const char* name) { return (dir.path() / name).string(); };
  ServerOptions o;
  o.service_name = "wallet-vault";
  o.home = (dir.path() / "home").string();
  o.listen = "127.0.0.1:0";
  o.tls_cert_file = file("server.pem");
  o.tls_key_file = file("server.key");
  o.tls_client_ca_file = file("client.pem");  // self-signed: its own CA
  Served server(o);
  ASSERT_TRUE(server.control().WaitUntilServing(absl::Seconds(10)));

  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *files::ReadFile(file("server.pem"));
  ssl.pem_cert_chain = *files::ReadFile(file("client.pem"));
  ssl.pem_private_key = *files::ReadFile(file("client.key"));
  absl::StatusOr<std::string> who = WhoAmI(grpc::CreateChannel(
      server.control().address(), grpc::SslCredentials(ssl)));
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(*who, "chain-gateway");
}

}  // namespace
}  // namespace poolops
