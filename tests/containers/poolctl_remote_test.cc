// The suite "elsewhere" without docker: the four service binaries listening
// on 127.0.0.1 TCP with mutual TLS (certificates from
// compose/gen-certs.sh), started as processes with their own home; poolctl
// reaches them with another home through the env settings of
// libs/common/client_channel.h. Checks what the containers test cannot see
// cheaply: `services up|down` start and stop nothing for services set
// explicitly, and the gateway finds the vault's TCP address in its run file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
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

class PoolctlRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-rmt-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    certs_ = dir_ / "certs";
    std::vector<std::string> gen = {
        "bash", absl::StrCat(POOLOPS_SOURCE_DIR, "/compose/gen-certs.sh"),
        "--out", certs_.string()};
    Result r = Exec(dir_, gen);
    ASSERT_EQ(r.code, 0) << poolops::test::Describe(gen, r);
  }
  void TearDown() override {
    for (pid_t pid : pids_) ::kill(pid, SIGTERM);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Starts one service on 127.0.0.1:0 with TLS and waits for its run file;
  // returns its address.
  std::string Start(const std::string& name) {
    fs::path services = certs_ / "services";
    std::vector<std::string> argv = {
        absl::StrCat(POOLOPS_BIN_DIR_PATH, "/poolops-", name),
        "--home",
        (dir_ / "server").string(),
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "",
        "--tls-cert",
        (services / (name + ".pem")).string(),
        "--tls-key",
        (services / (name + ".key")).string(),
        "--tls-client-ca",
        (services / "ca.pem").string()};
    // Each service calls the others with its own certificate (CN = its name).
    EnvChanges env = {
        {"POOLOPS_TLS_CA", (services / "ca.pem").string()},
        {"POOLOPS_TLS_CERT", (services / (name + "-client.pem")).string()},
        {"POOLOPS_TLS_KEY", (services / (name + "-client.key")).string()}};
    for (const char* s : kServices) env[EnvStem(s) + "_ADDRESS"] = std::nullopt;
    fs::path log = dir_ / (name + ".log");
    pids_.push_back(poolops::test::Spawn(argv, env, log, log));
    fs::path run_file = dir_ / "server" / "run" / (name + ".json");
    for (int i = 0; i < 200 && !fs::exists(run_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    nlohmann::json info =
        nlohmann::json::parse(Slurp(run_file), nullptr, false);
    EXPECT_TRUE(info.is_object()) << Slurp(log);
    return info.is_object() ? info.value("address", "") : "";
  }

  Result Poolctl(std::vector<std::string> args, EnvChanges env = {}) {
    std::vector<std::string> argv = {POOLCTL_PATH, "--home",
                                     (dir_ / "client").string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    env.insert(poolctl_env_.begin(), poolctl_env_.end());
    return Exec(dir_, argv, env);
  }

  fs::path dir_, certs_;
  std::vector<pid_t> pids_;
  EnvChanges poolctl_env_;
};

TEST_F(PoolctlRemoteTest, ExplicitTcpServicesAreUsedNotManaged) {
  // The vault first: the gateway reads its address from run/wallet-vault.json.
  for (const char* s : kServices) {
    std::string address = Start(s);
    ASSERT_TRUE(absl::StartsWith(address, "127.0.0.1:")) << s << address;
    poolctl_env_[EnvStem(s) + "_ADDRESS"] = address;
  }
  poolctl_env_["POOLOPS_TLS_CA"] = (certs_ / "poolctl" / "ca.pem").string();
  poolctl_env_["POOLOPS_TLS_CERT"] =
      (certs_ / "poolctl" / "client.pem").string();
  poolctl_env_["POOLOPS_TLS_KEY"] =
      (certs_ / "poolctl" / "client.key").string();
  poolctl_env_["POOLOPS_BIN_DIR"] = "/nonexistent";  // any start would fail

  Result up = Poolctl({"services", "up", "--timeout", "10"});
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  for (size_t i = 0; i < 4; ++i) {
    const nlohmann::json& s = up.json["services"][i];
    EXPECT_EQ(s["name"], kServices[i]);
    EXPECT_EQ(s["address"], poolctl_env_[EnvStem(kServices[i]) + "_ADDRESS"]);
    EXPECT_EQ(s["healthy"], true) << s;
  }
  EXPECT_FALSE(absl::StrContains(up.err, "starting")) << up.err;

  // The gateway signs through the vault it found in the run file, over
  // mutual TLS: the vault's own NOT_FOUND comes back.
  poolops::test::ExpectGatewayReachesVault(
      [&](std::vector<std::string> args) { return Poolctl(std::move(args)); });
  if (HasFatalFailure()) return;

  Result no_cert = Poolctl(
      {"wallet", "list"},
      {{"POOLOPS_TLS_CERT", std::nullopt}, {"POOLOPS_TLS_KEY", std::nullopt}});
  // Mutual TLS everywhere: nothing is sent without a client certificate.
  EXPECT_EQ(no_cert.code, 4) << no_cert.out << no_cert.err;
  EXPECT_TRUE(absl::StrContains(
      no_cert.json["error"]["message"].get<std::string>(), "POOLOPS_TLS_CERT"))
      << no_cert.out;
  Result list = Poolctl({"wallet", "list"});
  EXPECT_EQ(list.code, 0) << list.out << list.err;

  // `services down` stops nothing that runs elsewhere.
  Result down = Poolctl({"services", "down"});
  ASSERT_EQ(down.code, 0) << down.out << down.err;
  for (const auto& s : down.json["services"]) EXPECT_EQ(s["healthy"], true);
  for (pid_t pid : pids_) EXPECT_EQ(::kill(pid, 0), 0) << pid;
  EXPECT_TRUE(fs::exists(dir_ / "server" / "run" / "wallet-vault.json"));
}

}  // namespace
