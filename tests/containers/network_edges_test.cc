// The network edges of the four service binaries, as processes: every TCP
// listener requires a client certificate from the suite's CA (mutual TLS;
// certificates from compose/gen-certs.sh, a second run of it is "another
// CA"), gRPC reflection is off on TCP unless --reflection, /metrics binds
// loopback only unless --metrics-public and shows no wallet name nor
// address, and every service is non-dumpable with no core files.
#include <arpa/inet.h>
#include <grp.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/grpc_test_support.h"
#include "libs/common/health_client.h"
#include "nlohmann/json.hpp"
#include "tests/containers/exec.h"

namespace {

namespace fs = std::filesystem;
using poolops::test::EnvChanges;
using poolops::test::Exec;
using poolops::test::Result;
using poolops::test::Slurp;

const char* kServices[] = {"wallet-vault", "chain-gateway", "orchestrator",
                           "monitor"};

std::string EnvStem(std::string_view service) {
  std::string s(service);
  for (char& c : s) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return absl::StrCat("POOLOPS_", s);
}

std::string Binary(std::string_view service) {
  return absl::StrCat(POOLOPS_BIN_DIR_PATH, "/poolops-", std::string(service));
}

// GET url (http://127.0.0.1:PORT/PATH) -> the whole response.
std::string HttpGet(const std::string& url) {
  std::string rest = url.substr(std::string("http://").size());
  std::string hostport = rest.substr(0, rest.find('/'));
  int port = std::atoi(hostport.substr(hostport.rfind(':') + 1).c_str());
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = absl::StrCat("GET ", rest.substr(rest.find('/')),
                                   " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    (void)!::write(fd, req.data(), req.size());
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  }
  ::close(fd);
  return out;
}

class NetworkEdgesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-edge-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ::chmod(dir_.c_str(), 0755);  // the unprivileged run below walks it
    certs_ = dir_ / "certs";
    for (const fs::path& out : {certs_, dir_ / "other-ca"}) {
      std::vector<std::string> gen = {
          "bash", absl::StrCat(POOLOPS_SOURCE_DIR, "/compose/gen-certs.sh"),
          "--out", out.string()};
      Result r = Exec(dir_, gen);
      ASSERT_EQ(r.code, 0) << poolops::test::Describe(gen, r);
    }
  }
  void TearDown() override {
    for (pid_t pid : pids_) ::kill(pid, SIGTERM);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path Service(const std::string& file) const {
    return certs_ / "services" / file;
  }

  // The service's TCP arguments: its server certificate, the suite's CA for
  // its callers.
  std::vector<std::string> TcpArgs(const std::string& name) const {
    return {Binary(name),
            "--home",
            (dir_ / "server").string(),
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            Service(name + ".pem").string(),
            "--tls-key",
            Service(name + ".key").string(),
            "--tls-client-ca",
            Service("ca.pem").string()};
  }

  // The client settings a service calls the others with (its own
  // certificate; the vault calls nobody).
  EnvChanges ServiceEnv(const std::string& name) const {
    EnvChanges env = {{"POOLOPS_TLS_CA", Service("ca.pem").string()},
                      {"POOLOPS_TLS_CERT", std::nullopt},
                      {"POOLOPS_TLS_KEY", std::nullopt}};
    if (name != "wallet-vault") {
      env["POOLOPS_TLS_CERT"] = Service(name + "-client.pem").string();
      env["POOLOPS_TLS_KEY"] = Service(name + "-client.key").string();
    }
    for (const char* s : kServices) env[EnvStem(s) + "_ADDRESS"] = std::nullopt;
    return env;
  }

  // Starts argv and waits for run/<name>.json under `home`; its content.
  nlohmann::json Start(const std::string& name, std::vector<std::string> argv,
                       const fs::path& home) {
    fs::path log = dir_ / (name + ".log");
    pids_.push_back(poolops::test::Spawn(argv, ServiceEnv(name), log, log));
    fs::path run_file = home / "run" / (name + ".json");
    for (int i = 0; i < 200 && !fs::exists(run_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    nlohmann::json info =
        nlohmann::json::parse(Slurp(run_file), nullptr, false);
    EXPECT_TRUE(info.is_object()) << name << ": " << Slurp(log);
    return info.is_object() ? info : nlohmann::json::object();
  }

  // One service on TCP with mutual TLS; its run file.
  nlohmann::json StartTcp(const std::string& name,
                          std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = TcpArgs(name);
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Start(name, argv, dir_ / "server");
  }

  // A TLS channel trusting the suite's CA, with a client certificate when
  // `cert` is not empty.
  std::shared_ptr<grpc::Channel> Tls(const std::string& address,
                                     const fs::path& cert = {},
                                     const fs::path& key = {}) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *poolops::files::ReadFile(Service("ca.pem"));
    if (!cert.empty()) {
      ssl.pem_cert_chain = *poolops::files::ReadFile(cert);
      ssl.pem_private_key = *poolops::files::ReadFile(key);
    }
    return grpc::CreateChannel(address, grpc::SslCredentials(ssl));
  }

  static bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
    absl::StatusOr<poolops::HealthState> h =
        poolops::CheckHealth(*channel, "", absl::Seconds(5));
    return h.ok() && *h == poolops::HealthState::kServing;
  }

  Result Poolctl(std::vector<std::string> args, EnvChanges env = {}) {
    std::vector<std::string> argv = {POOLCTL_PATH, "--home",
                                     (dir_ / "client").string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    EnvChanges all = poolctl_env_;
    for (auto& [k, v] : env) all[k] = v;
    return Exec(dir_, argv, all);
  }

  // Runs a binary to its end (it must refuse to start); exit code + output.
  Result Refused(std::vector<std::string> argv) {
    return Exec(dir_, argv, ServiceEnv("monitor"));
  }

  fs::path dir_, certs_;
  std::vector<pid_t> pids_;
  EnvChanges poolctl_env_;
};

TEST_F(NetworkEdgesTest, EveryTcpListenerRequiresTheSuitesClientCertificate) {
  const fs::path poolctl_cert = certs_ / "poolctl" / "client.pem";
  const fs::path poolctl_key = certs_ / "poolctl" / "client.key";
  for (const char* name : kServices) {
    SCOPED_TRACE(name);
    nlohmann::json info = StartTcp(name);
    std::string address = info.value("address", "");
    ASSERT_TRUE(absl::StartsWith(address, "127.0.0.1:")) << address;

    // The suite's client certificates are accepted: poolctl's, a service's.
    EXPECT_TRUE(Serving(Tls(address, poolctl_cert, poolctl_key)));
    EXPECT_TRUE(Serving(Tls(address, Service("monitor-client.pem"),
                            Service("monitor-client.key"))));
    // TLS without a client certificate, one from another CA, plaintext: no.
    EXPECT_FALSE(Serving(Tls(address)));
    EXPECT_FALSE(Serving(Tls(address, dir_ / "other-ca/poolctl/client.pem",
                             dir_ / "other-ca/poolctl/client.key")));
    EXPECT_FALSE(Serving(poolops::LocalChannel(address)));

    // Reflection is off on TCP by default, even for an authenticated caller.
    std::string listed = poolops::test::ReflectionResponse(
        Tls(address, poolctl_cert, poolctl_key));
    EXPECT_FALSE(absl::StrContains(listed, "grpc.health.v1.Health")) << listed;
    poolctl_env_[EnvStem(name) + "_ADDRESS"] = address;
  }

  // poolctl without a client certificate sends nothing and names the
  // settings; with poolctl's certificate it works (and the gateway reaches
  // the vault over mutual TLS with its own certificate).
  poolctl_env_["POOLOPS_TLS_CA"] = (certs_ / "poolctl" / "ca.pem").string();
  poolctl_env_["POOLOPS_BIN_DIR"] = "/nonexistent";  // nothing starts locally
  Result no_cert = Poolctl({"wallet", "list"});
  EXPECT_EQ(no_cert.code, 4) << no_cert.out << no_cert.err;
  EXPECT_TRUE(absl::StrContains(no_cert.out, "POOLOPS_TLS_CERT"))
      << no_cert.out;
  poolctl_env_["POOLOPS_TLS_CERT"] = poolctl_cert.string();
  poolctl_env_["POOLOPS_TLS_KEY"] = poolctl_key.string();
  Result list = Poolctl({"wallet", "list"});
  EXPECT_EQ(list.code, 0) << list.out << list.err;
  poolops::test::ExpectGatewayReachesVault(
      [&](std::vector<std::string> args) { return Poolctl(std::move(args)); });
  // Another CA's poolctl certificate: the vault refuses the handshake.
  Result stranger = Poolctl(
      {"wallet", "list"},
      {{"POOLOPS_TLS_CERT", (dir_ / "other-ca/poolctl/client.pem").string()},
       {"POOLOPS_TLS_KEY", (dir_ / "other-ca/poolctl/client.key").string()}});
  EXPECT_EQ(stranger.code, 6) << stranger.out << stranger.err;

  // The monitor probes a poolops service on TCP with the suite's mutual TLS
  // (its own client certificate); server-only TLS against the system's
  // roots knows neither the suite's CA nor has a certificate to show.
  const std::string vault =
      poolctl_env_["POOLOPS_WALLET_VAULT_ADDRESS"].value();
  Result suite_tls =
      Poolctl({"monitor", "probe", "--grpc", "--suite-tls", vault});
  EXPECT_EQ(suite_tls.code, 0) << suite_tls.out << suite_tls.err;
  EXPECT_EQ(suite_tls.json.value("probeSuccess", false), true) << suite_tls.out;
  Result system_tls = Poolctl({"monitor", "probe", "--grpc", "--tls", vault});
  EXPECT_EQ(system_tls.json.value("probeSuccess", true), false)
      << system_tls.out;
  // Both kinds of TLS at once is a request error, not a failed probe.
  Result both =
      Poolctl({"monitor", "probe", "--grpc", "--tls", "--suite-tls", vault});
  EXPECT_EQ(both.code, 2) << both.out << both.err;
}

TEST_F(NetworkEdgesTest, UnsafeListenersDoNotStart) {
  std::vector<std::string> no_client_ca = TcpArgs("monitor");
  no_client_ca.resize(no_client_ca.size() - 2);  // drop --tls-client-ca
  Result r = Refused(no_client_ca);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "--tls-client-ca")) << r.err;

  Result plain =
      Refused({Binary("monitor"), "--home", (dir_ / "server").string(),
               "--listen", "127.0.0.1:0"});
  EXPECT_EQ(plain.code, 1) << plain.out << plain.err;
  EXPECT_TRUE(absl::StrContains(plain.err, "--tls-cert")) << plain.err;

  for (const char* metrics : {"0.0.0.0:0", "[::]:0"}) {
    Result open =
        Refused({Binary("monitor"), "--home", (dir_ / "server").string(),
                 "--metrics-listen", metrics});
    EXPECT_EQ(open.code, 1) << metrics << open.out << open.err;
    EXPECT_TRUE(absl::StrContains(open.err, "--metrics-public")) << open.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "server" / "run" / "monitor.json"));
}

TEST_F(NetworkEdgesTest, ReflectionOnTcpOnlyWithTheFlagAlwaysOnUnix) {
  nlohmann::json tcp = StartTcp("orchestrator", {"--reflection"});
  std::string listed = poolops::test::ReflectionResponse(
      Tls(tcp.value("address", ""), certs_ / "poolctl" / "client.pem",
          certs_ / "poolctl" / "client.key"));
  EXPECT_TRUE(absl::StrContains(listed, "poolops.orchestrator.v1")) << listed;

  fs::path home = dir_ / "local";
  nlohmann::json unix_info =
      Start("monitor", {Binary("monitor"), "--home", home.string()}, home);
  std::string address = unix_info.value("address", "");
  ASSERT_TRUE(absl::StartsWith(address, "unix:")) << address;
  listed = poolops::test::ReflectionResponse(poolops::LocalChannel(address));
  EXPECT_TRUE(absl::StrContains(listed, "poolops.monitor.v1")) << listed;
}

TEST_F(NetworkEdgesTest, MetricsPagesShowNoWalletNameNorAddress) {
  std::map<std::string, std::string> metrics;
  for (const char* name : kServices) {
    std::vector<std::string> extra = {"--metrics-listen", "127.0.0.1:0"};
    if (std::string(name) == "monitor") {
      // Rounds every second, so the pool below shows up quickly.
      extra.insert(extra.end(),
                   {"--interval", "1s", "--probe-timeout", "500ms"});
    }
    nlohmann::json info = StartTcp(name, extra);
    metrics[name] = info.value("metrics", "");
    ASSERT_TRUE(absl::StartsWith(metrics[name], "http://127.0.0.1:"))
        << name << " " << info.dump();
    poolctl_env_[EnvStem(name) + "_ADDRESS"] = info.value("address", "");
  }
  poolctl_env_["POOLOPS_TLS_CA"] = (certs_ / "poolctl" / "ca.pem").string();
  poolctl_env_["POOLOPS_TLS_CERT"] =
      (certs_ / "poolctl" / "client.pem").string();
  poolctl_env_["POOLOPS_TLS_KEY"] =
      (certs_ / "poolctl" / "client.key").string();
  poolctl_env_["POOLOPS_BIN_DIR"] = "/nonexistent";

  // A wallet in the vault, a chain in the gateway, a monitored pool whose
  // wallets are that name and an address.
  const std::string wallet = "edgewalletalice";
  fs::path pw = dir_ / "pw";
  std::ofstream(pw) << "correct horse battery staple\n";
  ::chmod(pw.c_str(), 0600);
  Result created =
      Poolctl({"wallet", "create", wallet, "--password-file", pw.string()});
  ASSERT_EQ(created.code, 0) << created.out << created.err;
  const std::string address = created.json.value("address", "");
  ASSERT_TRUE(absl::StartsWith(address, "0x")) << created.out;
  Result chain =
      Poolctl({"chain", "add", "closed", "--rpc", "http://127.0.0.1:9", "--hub",
               "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", "--chain-id",
               "1337", "--native"});
  ASSERT_EQ(chain.code, 0) << chain.out << chain.err;
  Result pool =
      Poolctl({"--chain", "closed", "monitor", "add-pool", "edgepool", "--core",
               "http://127.0.0.1:9", "--wallet", wallet + ":scheduler",
               "--wallet", address + ":worker"});
  ASSERT_EQ(pool.code, 0) << pool.out << pool.err;

  // The monitor's page covers the pool's wallets (by role) once a round ran.
  std::string page;
  for (int i = 0; i < 120; ++i) {
    page = HttpGet(metrics["monitor"]);
    if (absl::StrContains(page, "component=\"wallet/worker\"")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(absl::StrContains(page, "component=\"wallet/scheduler\""))
      << page;
  EXPECT_TRUE(absl::StrContains(page, "component=\"wallet/worker\"")) << page;

  const std::regex hex_address("0[xX][0-9a-fA-F]{40}");
  for (const char* name : kServices) {
    SCOPED_TRACE(name);
    std::string text = HttpGet(metrics[name]);
    ASSERT_TRUE(absl::StartsWith(text, "HTTP/1.1 200")) << text;
    EXPECT_FALSE(absl::StrContains(text, wallet)) << text;
    EXPECT_FALSE(std::regex_search(text, hex_address)) << text;
    std::string lower = absl::AsciiStrToLower(text);
    EXPECT_FALSE(absl::StrContains(lower, absl::AsciiStrToLower(address)))
        << text;
  }
}

// /proc/PID/* belongs to root when a process is not dumpable: visible when
// the service runs as another user than root (nobody: the test is root).
TEST_F(NetworkEdgesTest, ServicesAreNotDumpableAndWriteNoCore) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a service as nobody";
  const uid_t uid = 65534;
  for (const char* name : kServices) {
    SCOPED_TRACE(name);
    fs::path home = dir_ / absl::StrCat("nobody-", name);
    fs::create_directory(home);
    ::chmod(home.c_str(), 0700);
    ASSERT_EQ(::chown(home.c_str(), uid, uid), 0);
    fs::path log = dir_ / (std::string(name) + ".nobody.log");
    pid_t pid = ::fork();
    if (pid == 0) {
      // The log is opened as root, in the test's folder.
      if (!std::freopen(log.c_str(), "w", stdout) ||
          !std::freopen(log.c_str(), "a", stderr)) {
        ::_exit(126);
      }
      if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 ||
          ::setuid(uid) != 0) {
        ::_exit(125);
      }
      ::setenv("HOME", home.c_str(), 1);
      ::execl(Binary(name).c_str(), Binary(name).c_str(), "--home",
              home.c_str(), "--metrics-listen", "", nullptr);
      ::_exit(127);
    }
    pids_.push_back(pid);
    fs::path run_file = home / "run" / (std::string(name) + ".json");
    for (int i = 0; i < 200 && !fs::exists(run_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(fs::exists(run_file)) << name << ": " << Slurp(log);

    std::string status = Slurp(absl::StrCat("/proc/", pid, "/status"));
    EXPECT_TRUE(absl::StrContains(status, absl::StrCat("\nUid:\t", uid, "\t")))
        << status;
    struct stat st;
    ASSERT_EQ(::stat(absl::StrCat("/proc/", pid, "/status").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u) << "the service is dumpable";
    std::string limits = Slurp(absl::StrCat("/proc/", pid, "/limits"));
    EXPECT_TRUE(std::regex_search(
        limits, std::regex("Max core file size +0 +0 +bytes")))
        << limits;
  }
}

}  // namespace
