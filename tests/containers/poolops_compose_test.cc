// poolops itself in containers, for real: certificates from
// compose/gen-certs.sh, images from compose/build-images.sh, the four services
// from compose/poolops.yml (host network, loopback TCP, mutual TLS on every
// listener), then the built poolctl against them through the env settings of
// libs/common/client_channel.h. Needs DOCKER_HOST (scripts/dockerd.sh); fails
// instead of skipping when CI=true. Removes the containers, volume and images
// it made.
//  - SuiteOverTlsInContainers: the services over mutual TLS.
//  - PoolUpThroughContainerizedOrchestrator: a devnet pool (simulators, host
//    network) deployed by the orchestrator in its container: the core on a
//    local: target through the daemon's socket, the worker on an ssh://
//    target (a real sshd on loopback) with the mounted read-only ssh folder;
//    its status from the containerized monitor, then down.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/net.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/ssh_server_test_support.h"
#include "tests/containers/exec.h"

namespace {

namespace fs = std::filesystem;

using poolops::test::Describe;
using poolops::test::EnvChanges;
using poolops::test::Exec;
using poolops::test::Result;
using poolops::test::Slurp;

bool HaveDocker(const fs::path& dir) {
  const char* host = std::getenv("DOCKER_HOST");
  return host != nullptr && *host != '\0' &&
         Exec(dir, {"docker", "info", "--format", "{{.ServerVersion}}"}).code ==
             0 &&
         Exec(dir, {"docker-compose", "version"}).code == 0;
}

const char* kServices[] = {"wallet-vault", "chain-gateway", "orchestrator",
                           "monitor"};

std::string EnvStem(std::string_view service) {
  std::string s(service);
  for (char& c : s) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return absl::StrCat("POOLOPS_", s);
}

// The uid a container's service runs as: the child of its init (init: true).
std::string ServiceUid(const fs::path& dir, const std::string& container) {
  Result pid =
      Exec(dir, {"docker", "inspect", "-f", "{{.State.Pid}}", container});
  std::string init_pid(absl::StripAsciiWhitespace(pid.out));
  std::string children =
      Slurp(absl::StrCat("/proc/", init_pid, "/task/", init_pid, "/children"));
  std::string child = children.substr(0, children.find(' '));
  std::ifstream status(absl::StrCat("/proc/", child, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "Uid:")) {
      std::string uids(absl::StripAsciiWhitespace(line.substr(4)));
      return uids.substr(0, uids.find('\t'));
    }
  }
  return "";
}

// The path of a unix:// DOCKER_HOST, empty for anything else.
std::string DockerSocket() {
  const char* host = std::getenv("DOCKER_HOST");
  absl::string_view h = host == nullptr ? "" : host;
  return absl::ConsumePrefix(&h, "unix://") ? std::string(h) : std::string();
}

class PoolopsContainersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-ctr-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    tag_ = absl::StrCat("test", ::getpid());
    project_ = absl::StrCat("poolopsctr", ::getpid());
  }
  void TearDown() override {
    if (pool_up_) {
      Result down = Poolctl({"pool", "down", pool_, "--remove-data"});
      EXPECT_EQ(down.code, 0) << down.out << down.err;
    }
    if (!pool_.empty()) {
      // Whatever a failed `pool up` or `pool down` left behind.
      std::vector<std::string> left = PoolContainers();
      if (!left.empty()) {
        std::vector<std::string> rm = {"docker", "rm", "-f"};
        rm.insert(rm.end(), left.begin(), left.end());
        Exec(dir_, rm);
      }
    }
    if (started_) {
      Result down = Compose({"down", "-v", "--timeout", "5"});
      EXPECT_EQ(down.code, 0) << down.out << down.err;
    }
    if (devnet_) {
      Result down = DevPoolctl({"devnet", "down"});
      EXPECT_EQ(down.code, 0) << down.out << down.err;
    }
    if (built_) {
      std::vector<std::string> rmi = {"docker", "rmi", "-f"};
      for (const char* s : kServices) {
        rmi.push_back(absl::StrCat("poolops/", s, ":", tag_));
      }
      rmi.push_back(absl::StrCat("poolops/base:", tag_));
      Result sims =
          Exec(dir_, {"docker", "images", "-q", "--filter",
                      absl::StrCat("reference=poolops-sim/*:", tag_)});
      for (absl::string_view id :
           absl::StrSplit(sims.out, '\n', absl::SkipEmpty())) {
        rmi.emplace_back(id);
      }
      Result r = Exec(dir_, rmi);
      EXPECT_EQ(r.code, 0) << Describe(rmi, r);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Result Compose(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "docker-compose", "-f",
        absl::StrCat(POOLOPS_SOURCE_DIR, "/compose/poolops.yml"), "-p",
        project_};
    argv.insert(argv.end(), args.begin(), args.end());
    return Exec(dir_, argv, compose_env_);
  }

  // poolctl --home <its own home> --json ARGS, with `env` over poolctl_env_.
  Result Poolctl(std::vector<std::string> args, EnvChanges env = {}) {
    std::vector<std::string> argv = {POOLCTL_PATH, "--home",
                                     (dir_ / "home").string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    env.insert(poolctl_env_.begin(), poolctl_env_.end());
    return Exec(dir_, argv, env);
  }

  // poolctl on the host with a home of its own and no suite: the devnet
  // (anvil, market) and the simulator images.
  Result DevPoolctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {POOLCTL_PATH, "--home",
                                     (dir_ / "devhome").string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return Exec(dir_, argv);
  }

  // The ids of the containers of pool_'s compose projects (`<pool>-...`).
  std::vector<std::string> PoolContainers() {
    Result ps =
        Exec(dir_, {"docker", "ps", "-a", "--format",
                    "{{.ID}} {{.Label \"com.docker.compose.project\"}}"});
    std::vector<std::string> out;
    for (absl::string_view line :
         absl::StrSplit(ps.out, '\n', absl::SkipEmpty())) {
      std::pair<std::string, std::string> f = absl::StrSplit(line, ' ');
      if (absl::StartsWith(f.second, absl::StrCat(pool_, "-"))) {
        out.push_back(f.first);
      }
    }
    return out;
  }

  // Certificates, images and compose/poolops.yml up on free loopback ports;
  // every service healthy over TCP + TLS as poolctl sees it.
  void StartSuite() {
    // Certificates: the services' folder owned by the images' user.
    fs::path certs = dir_ / "certs";
    std::vector<std::string> gen = {
        "bash", absl::StrCat(POOLOPS_SOURCE_DIR, "/compose/gen-certs.sh"),
        "--out", certs.string()};
    const bool root = ::geteuid() == 0;
    if (root) {
      gen.insert(gen.end(), {"--owner", "10001:10001"});
    } else {
      compose_env_["POOLOPS_UID"] = std::to_string(::getuid());
      compose_env_["POOLOPS_GID"] = std::to_string(::getgid());
      // The named volume would be the image user's: a folder of ours instead.
      fs::create_directory(dir_ / "ctr-home");
      compose_env_["POOLOPS_HOME_VOLUME"] = (dir_ / "ctr-home").string();
    }
    Result r = Exec(dir_, gen);
    ASSERT_EQ(r.code, 0) << Describe(gen, r);
    struct stat st;
    ASSERT_EQ(::stat((certs / "services" / "wallet-vault.key").c_str(), &st),
              0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    certs_ = certs;

    // The orchestrator's docker: this test's daemon, through its socket and
    // the socket's group. Local targets under stacks/, the ssh folder empty;
    // both the containers' user's.
    std::string socket = DockerSocket();
    ASSERT_FALSE(socket.empty()) << "DOCKER_HOST is not unix://";
    ASSERT_EQ(::stat(socket.c_str(), &st), 0) << socket;
    compose_env_["POOLOPS_DOCKER_SOCKET"] = socket;
    compose_env_["POOLOPS_DOCKER_GID"] = std::to_string(st.st_gid);
    stacks_ = dir_ / "stacks";
    for (const fs::path& d : {stacks_, dir_ / "ssh"}) {
      fs::create_directory(d);
      ::chmod(d.c_str(), 0700);
      if (root) {
        ASSERT_EQ(::chown(d.c_str(), 10001, 10001), 0) << d;
      }
    }
    compose_env_["POOLOPS_STACKS_DIR"] = stacks_.string();
    compose_env_["POOLOPS_SSH_DIR"] = (dir_ / "ssh").string();

    std::vector<std::string> build = {
        "bash", absl::StrCat(POOLOPS_SOURCE_DIR, "/compose/build-images.sh"),
        fs::path(POOLOPS_BIN_DIR_PATH).parent_path().string(), tag_};
    built_ = true;
    r = Exec(dir_, build);
    ASSERT_EQ(r.code, 0) << Describe(build, r);

    compose_env_["POOLOPS_TAG"] = tag_;
    compose_env_["POOLOPS_CERTS"] = (certs / "services").string();
    for (const char* s : kServices) {
      uint16_t port = *poolops::net::FreeLoopbackPort();
      uint16_t metrics = *poolops::net::FreeLoopbackPort();
      compose_env_[absl::StrCat(EnvStem(s), "_PORT")] = std::to_string(port);
      compose_env_[absl::StrCat(EnvStem(s), "_METRICS_PORT")] =
          std::to_string(metrics);
      address_[s] = absl::StrCat("127.0.0.1:", port);
      poolctl_env_[absl::StrCat(EnvStem(s), "_ADDRESS")] = address_[s];
    }
    poolctl_env_["POOLOPS_TLS_CA"] = (certs / "poolctl" / "ca.pem").string();
    poolctl_env_["POOLOPS_TLS_CERT"] =
        (certs / "poolctl" / "client.pem").string();
    poolctl_env_["POOLOPS_TLS_KEY"] =
        (certs / "poolctl" / "client.key").string();
    poolctl_env_["POOLOPS_BIN_DIR"] = "/nonexistent";  // nothing starts locally
    // The monitor's status page on a loopback port of the host, named in
    // poolctl's config.yaml (a container's address is not in a run file).
    const uint16_t page_port = *poolops::net::FreeLoopbackPort();
    compose_env_["POOLOPS_MONITOR_DASHBOARD_PORT"] = std::to_string(page_port);
    dashboard_ = absl::StrCat("http://127.0.0.1:", page_port, "/");
    fs::create_directories(dir_ / "home");
    fs::permissions(dir_ / "home", fs::perms::owner_all);
    std::ofstream(dir_ / "home" / "config.yaml")
        << "services:\n  monitor: {dashboard: \"" << dashboard_ << "\"}\n";
    fs::permissions(dir_ / "home" / "config.yaml",
                    fs::perms::owner_read | fs::perms::owner_write);

    started_ = true;
    r = Compose({"up", "-d"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;

    Result status;
    for (int i = 0; i < 120; ++i) {
      status = Poolctl({"services", "status"});
      bool all = status.code == 0 && status.json.contains("services");
      for (const auto& s :
           status.json.value("services", nlohmann::json::array())) {
        all = all && s["healthy"] == true;
      }
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ASSERT_EQ(status.code, 0) << status.out << status.err;
    ASSERT_EQ(status.json["services"].size(), 4u) << status.out;
    for (size_t i = 0; i < 4; ++i) {
      const nlohmann::json& s = status.json["services"][i];
      EXPECT_EQ(s["name"], kServices[i]);
      EXPECT_EQ(s["address"], address_[kServices[i]]);
      EXPECT_EQ(s["healthy"], true) << s;
      if (s["name"] == "monitor")
        EXPECT_EQ(s.value("dashboard", ""), dashboard_);
    }
    // The page answers there (the container's monitor serves it).
    Result page = Exec(dir_, {"python3", "-c",
                              "import sys,urllib.request as u;"
                              "o=u.build_opener(u.ProxyHandler({}));"
                              "print(o.open(sys.argv[1],timeout=10).status)",
                              dashboard_ + "api/pools"});
    EXPECT_EQ(page.out, "200\n") << page.err;
    if (HasFailure()) {
      Result logs = Compose({"logs", "--no-color"});
      FAIL() << logs.out << logs.err;
    }
  }

  fs::path dir_, certs_, stacks_;
  std::string tag_, project_, pool_, dashboard_;
  bool built_ = false, started_ = false, devnet_ = false, pool_up_ = false;
  std::map<std::string, std::string> address_;
  EnvChanges compose_env_, poolctl_env_;
  // Declared last: destroyed after TearDown has taken the pool down.
  std::unique_ptr<poolops::orchestrator::SshTestServer> sshd_;
};

TEST_F(PoolopsContainersTest, SuiteOverTlsInContainers) {
  if (!HaveDocker(dir_))
    POOLOPS_MISSING_TOOL("no DOCKER_HOST with a daemon (scripts/dockerd.sh)");
  StartSuite();
  if (HasFatalFailure()) return;
  const fs::path certs = certs_;

  // The vault, over mutual TLS: a wallet made in the container's home.
  fs::path pw = dir_ / "pw";
  std::ofstream(pw) << "correct horse battery staple\n";
  ::chmod(pw.c_str(), 0600);
  Result created =
      Poolctl({"wallet", "create", "ctr", "--password-file", pw.string()});
  ASSERT_EQ(created.code, 0) << created.out << created.err;
  Result wallets = Poolctl({"wallet", "list"});
  ASSERT_EQ(wallets.code, 0) << wallets.out << wallets.err;
  ASSERT_EQ(wallets.json["wallets"].size(), 1u) << wallets.out;
  EXPECT_EQ(wallets.json["wallets"][0]["name"], "ctr");
  EXPECT_EQ(wallets.json["wallets"][0]["address"], created.json["address"]);

  // The gateway, over TLS: its chain presets.
  Result chains = Poolctl({"chain", "list"});
  ASSERT_EQ(chains.code, 0) << chains.out << chains.err;
  EXPECT_FALSE(chains.json["chains"].empty()) << chains.out;
  // The gateway's own calls to the vault (mutual TLS with the services'
  // client certificate): a wallet name resolved by the vault. An unknown name
  // is the vault's NOT_FOUND; an unreachable vault would be UNAVAILABLE.
  poolops::test::ExpectGatewayReachesVault(
      [&](std::vector<std::string> args) { return Poolctl(std::move(args)); });
  if (HasFatalFailure()) return;

  // The monitor, over TLS: with no pool monitored yet it answers NOT_FOUND
  // (or, before `poolctl status` exists, poolctl says INVALID_ARGUMENT);
  // never UNAVAILABLE.
  Result pool_status = Poolctl({"status"});
  EXPECT_NE(pool_status.code, 6) << pool_status.out << pool_status.err;
  if (pool_status.code == 0) {
    EXPECT_TRUE(pool_status.json.contains("overall")) << pool_status.out;
  }

  // A service's own client certificate (CN = its name) is accepted too.
  Result as_service =
      Poolctl({"wallet", "list"},
              {{"POOLOPS_TLS_CERT",
                (certs / "services" / "chain-gateway-client.pem").string()},
               {"POOLOPS_TLS_KEY",
                (certs / "services" / "chain-gateway-client.key").string()}});
  EXPECT_EQ(as_service.code, 0) << as_service.out << as_service.err;

  // Every service requires a client certificate: without one poolctl sends
  // nothing (naming the settings), and none counts as healthy.
  poolops::test::EnvChanges no_cert = {{"POOLOPS_TLS_CERT", std::nullopt},
                                       {"POOLOPS_TLS_KEY", std::nullopt}};
  Result refused = Poolctl({"wallet", "list"}, no_cert);
  EXPECT_EQ(refused.code, 4) << refused.out << refused.err;
  EXPECT_TRUE(absl::StrContains(
      refused.json["error"]["message"].get<std::string>(), "POOLOPS_TLS_CERT"))
      << refused.out;
  Result partial = Poolctl({"services", "status"}, no_cert);
  ASSERT_EQ(partial.code, 0) << partial.out << partial.err;
  for (const auto& s : partial.json["services"]) {
    EXPECT_EQ(s["healthy"], false) << partial.out;
  }

  // Without the CA nothing is sent at all, and the setting is named.
  Result no_ca = Poolctl({"chain", "list"}, {{"POOLOPS_TLS_CA", std::nullopt}});
  EXPECT_EQ(no_ca.code, 4) << no_ca.out << no_ca.err;
  EXPECT_TRUE(absl::StrContains(
      no_ca.json["error"]["message"].get<std::string>(), "POOLOPS_TLS_CA"))
      << no_ca.out;
  // poolctl started nothing locally for services set elsewhere.
  EXPECT_FALSE(fs::exists(dir_ / "home" / "run" / "wallet-vault.json"));

  // The binaries run as the images' non-root user.
  for (const char* s : kServices) {
    Result id = Compose({"ps", "-q", s});
    std::string container(absl::StripAsciiWhitespace(id.out));
    ASSERT_FALSE(container.empty()) << s;
    std::string uid = ServiceUid(dir_, container);
    EXPECT_EQ(uid, ::geteuid() == 0 ? "10001" : std::to_string(::getuid()))
        << s;
  }
}

// The orchestrator in its container deploys a devnet pool: the bundles are
// written under the stacks folder (mounted at the same path) and started by
// the image's docker-compose through the mounted socket; the containerized
// monitor reports the pool ok; `pool down` leaves no container.
TEST_F(PoolopsContainersTest, PoolUpThroughContainerizedOrchestrator) {
  if (!HaveDocker(dir_))
    POOLOPS_MISSING_TOOL("no DOCKER_HOST with a daemon (scripts/dockerd.sh)");
  // The devnet on the host (anvil, PoCo, the market on loopback) and the
  // stack simulator images.
  devnet_ = true;
  Result r = DevPoolctl({"devnet", "up"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  r = DevPoolctl({"devnet", "images", "--tag", tag_});
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  StartSuite();
  if (HasFatalFailure()) return;
  // The containerized gateway learns the devnet; the orchestrator asks it
  // for the chain (GetChain over mutual TLS). The devnet runs with gas
  // price 0, and the spec asks no stake and a price of 0: the wallets the
  // vault creates need no funds (the examples stake, with `funding:`).
  fs::path chain_json = dir_ / "devhome" / "chains" / "devnet.json";
  r = Poolctl({"chain", "import", chain_json.string()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  // The ssh:// target: a real sshd on loopback (this machine, its docker
  // through DOCKER_HOST sent with SetEnv); the container's ~/.ssh holds the
  // key, the host key in known_hosts (checked strictly) and the config.
  absl::StatusOr<std::unique_ptr<poolops::orchestrator::SshTestServer>> sshd =
      poolops::orchestrator::SshTestServer::Start(dir_,
                                                  std::getenv("DOCKER_HOST"));
  ASSERT_TRUE(sshd.ok()) << sshd.status();
  sshd_ = *std::move(sshd);
  fs::path ssh = dir_ / "ssh";
  fs::copy_file(dir_ / "sshd" / "client_key", ssh / "id_ed25519");
  std::ofstream(ssh / "known_hosts") << "[127.0.0.1]:" << sshd_->port() << " "
                                     << Slurp(dir_ / "sshd" / "host_key.pub");
  std::ofstream(ssh / "config")
      << "Host 127.0.0.1\n  IdentityFile ~/.ssh/id_ed25519\n"
      << "  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n"
      << "  UserKnownHostsFile ~/.ssh/known_hosts\n  LogLevel ERROR\n"
      << "  SetEnv DOCKER_HOST=" << std::getenv("DOCKER_HOST") << "\n";
  for (const char* f : {"id_ed25519", "known_hosts", "config"}) {
    ::chmod((ssh / f).c_str(), 0600);
    if (::geteuid() == 0) {
      ASSERT_EQ(::chown((ssh / f).c_str(), 10001, 10001), 0) << f;
    }
  }

  pool_ = absl::StrCat("ctr", ::getpid());
  const std::string target =
      absl::StrCat("local:", (stacks_ / "bundles").string());
  const std::string remote = sshd_->TargetFor((dir_ / "remote").string());
  uint16_t core = *poolops::net::FreeLoopbackPort(),
           adapter = *poolops::net::FreeLoopbackPort(),
           grafana = *poolops::net::FreeLoopbackPort();
  fs::path spec = dir_ / "pool.yaml";
  std::ofstream(spec) << absl::StrCat(
      "name: ", pool_, "\nchain: devnet\nstack_version: v7.1\n",
      "network_mode: host\n", "workerpool: {owner_wallet: ", pool_,
      "-core, description: ", pool_, "}\n", "stake: {minimum: '0'}\n",
      "images: {simulators: true, simulator_tag: ", tag_, "}\n",
      "core: {target: '", target, "', host: 127.0.0.1, core_port: ", core,
      ", chain_adapter_port: ", adapter, ", grafana_port: ", grafana, "}\n",
      "orders: {publisher: poolops, price: '0', max_open_orders: 1}\n",
      "workers:\n  - {name: w0, target: '", remote, "', wallet: ", pool_,
      "-w0, cpu: 1, results_dir: ", (stacks_ / "results").string(), "}\n");

  pool_up_ = true;
  Result up = Poolctl({"pool", "up", "-f", spec.string()});
  if (up.code != 0) {
    Result logs = Compose({"logs", "--no-color", "orchestrator"});
    FAIL() << up.out << up.err << logs.out;
  }
  EXPECT_EQ(up.json["pool"], pool_) << up.out;
  EXPECT_TRUE(absl::StartsWith(up.json.value("workerpool", ""), "0x"))
      << up.out;
  // The core's bundle is on the host, where the daemon read its bind mounts;
  // the worker's came through ssh.
  EXPECT_TRUE(fs::exists(stacks_ / "bundles" / "core" / "docker-compose.yml"));
  EXPECT_TRUE(fs::exists(dir_ / "remote" / "w0" / "docker-compose.yml"));
  EXPECT_FALSE(PoolContainers().empty());

  // The monitor probes every few seconds: its verdict, bounded.
  Result status;
  for (int i = 0; i < 60; ++i) {
    status = Poolctl({"status", pool_});
    if (status.code == 0 && status.json.value("overall", "") == "ok") break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  ASSERT_EQ(status.code, 0) << status.out << status.err;
  EXPECT_EQ(status.json["overall"], "ok") << status.out;
  std::map<std::string, nlohmann::json> component;
  for (const nlohmann::json& c : status.json["components"]) {
    component[c["name"].get<std::string>()] = c;
  }
  // The wallet's balances come from the monitor's own TLS calls to the
  // gateway.
  const std::string wallet = absl::StrCat("wallet/", pool_, "-core");
  for (const std::string& name :
       std::vector<std::string>{"core", "workers", "market", "chain", wallet}) {
    ASSERT_TRUE(component.count(name)) << name << " in " << status.out;
    EXPECT_EQ(component[name]["status"], "ok") << component[name];
  }
  EXPECT_EQ(component["workers"]["detail"], "1 of 1 workers alive")
      << component["workers"];
  EXPECT_TRUE(absl::StartsWith(component["market"]["detail"].get<std::string>(),
                               "1 open order"))
      << component["market"];

  Result down = Poolctl({"pool", "down", pool_, "--remove-data"});
  pool_up_ = down.code != 0;
  ASSERT_EQ(down.code, 0) << down.out << down.err;
  EXPECT_TRUE(PoolContainers().empty());
}

}  // namespace
