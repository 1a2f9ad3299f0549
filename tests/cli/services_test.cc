// Runs the built poolctl against a temp home: `services up|status|down`, the
// --json error contract. Real processes; every test stops what it started.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/process_runner.h"
#include "nlohmann/json.hpp"

namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
  nlohmann::json json;  // null unless stdout is one JSON object
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-cli-XXXXXX";  // short: socket paths
    home_ = ::mkdtemp(tmpl.data());
    ::setenv("POOLOPS_BIN_DIR", POOLOPS_BIN_DIR_PATH, 1);
    ::unsetenv("POOLOPS_HOME");
  }
  void TearDown() override {
    Run("--json services down");
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  // poolctl --home HOME <args>; stdout and stderr captured separately.
  Result Run(const std::string& args) {
    fs::path out = home_ / ".out", err = home_ / ".err";
    std::string cmd =
        absl::StrCat(POOLCTL_PATH, " --home ", home_.string(), " ", args, " >",
                     out.string(), " 2>", err.string());
    int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    r.json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    return r;
  }

  fs::path home_;
};

// GET on a loopback http URL; returns the raw response.
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
    std::string req =
        absl::StrCat("GET ", rest.substr(rest.find('/')), " HTTP/1.0\r\n\r\n");
    (void)!::write(fd, req.data(), req.size());
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  }
  ::close(fd);
  return out;
}

const char* kNames[] = {"wallet-vault", "chain-gateway", "orchestrator",
                        "monitor"};

TEST_F(ServicesTest, UpStatusIdempotentUpDown) {
  Result up = Run("--json services up");
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  ASSERT_TRUE(up.json.is_object()) << up.out;
  const nlohmann::json& services = up.json["services"];
  ASSERT_EQ(services.size(), 4u) << up.out;
  for (size_t i = 0; i < 4; ++i) {
    const nlohmann::json& s = services[i];
    EXPECT_EQ(s["name"], kNames[i]);
    EXPECT_EQ(s["healthy"], true) << s;
    EXPECT_EQ(s["address"], absl::StrCat("unix:", home_.string(), "/run/",
                                         kNames[i], ".sock"));
    std::string metrics = s["metrics"];
    ASSERT_TRUE(absl::StartsWith(metrics, "http://127.0.0.1:")) << metrics;
    std::string response = HttpGet(metrics);
    EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 200")) << response;
    EXPECT_TRUE(absl::StrContains(
        response,
        absl::StrCat("poolops_service_info{service=\"", kNames[i], "\"} 1")))
        << response;
    EXPECT_TRUE(fs::exists(home_ / "logs" / absl::StrCat(kNames[i], ".log")));
  }
  EXPECT_TRUE(absl::StrContains(up.err, "starting wallet-vault")) << up.err;

  Result again = Run("services up --json");  // global flag after the command
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(again.json["services"][i]["pid"], services[i]["pid"]);
    EXPECT_EQ(again.json["services"][i]["metrics"], services[i]["metrics"]);
  }
  EXPECT_FALSE(absl::StrContains(again.err, "starting")) << again.err;

  Result status = Run("--json services status");
  ASSERT_EQ(status.code, 0);
  for (const auto& s : status.json["services"]) EXPECT_EQ(s["healthy"], true);

  Result down = Run("--json services down");
  ASSERT_EQ(down.code, 0) << down.out << down.err;
  for (const auto& s : down.json["services"]) {
    EXPECT_EQ(s["healthy"], false);
    EXPECT_TRUE(s["pid"].is_null());
  }
  for (const char* name : kNames) {
    EXPECT_FALSE(fs::exists(home_ / "run" / absl::StrCat(name, ".json")));
    EXPECT_FALSE(fs::exists(home_ / "run" / absl::StrCat(name, ".sock")));
  }
  for (const auto& s : services) {
    int pid = s["pid"];
    // Gone, or a zombie its parent (here: init) has not reaped yet.
    EXPECT_FALSE(poolops::proc::ProcessAlive(pid)) << "pid " << pid << " still alive";
  }

  Result after = Run("--json services status");
  ASSERT_EQ(after.code, 0);
  for (const auto& s : after.json["services"]) EXPECT_EQ(s["healthy"], false);
  EXPECT_EQ(Run("--json services down").code, 0);  // idempotent
}

TEST_F(ServicesTest, StaleRunFilesDoNotFoolStatusOrUp) {
  fs::create_directories(home_ / "run");
  // A pid that is surely gone: a child that already exited and was reaped.
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::ofstream(home_ / "run" / "monitor.json")
      << "{\"pid\":" << dead
      << ",\"address\":\"unix:/nonexistent.sock\",\"metrics\":\"\"}";
  Result status = Run("--json services status");
  ASSERT_EQ(status.code, 0);
  EXPECT_EQ(status.json["services"][3]["healthy"], false);

  Result up = Run("--json services up");
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  EXPECT_EQ(up.json["services"][3]["healthy"], true);
}

TEST_F(ServicesTest, BadFlagGivesTheJsonErrorAndExit2) {
  Result r = Run("--json services up --bogus");
  EXPECT_EQ(r.code, 2);
  ASSERT_TRUE(r.json.is_object()) << r.out;
  EXPECT_EQ(r.json["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_TRUE(absl::StrContains(r.json["error"]["message"].get<std::string>(),
                                "--bogus"))
      << r.out;
  EXPECT_TRUE(absl::StrContains(r.err, "error:")) << r.err;
  // Nothing was started.
  EXPECT_FALSE(fs::exists(home_ / "run" / "monitor.json"));
}

TEST_F(ServicesTest, UnknownCommandIsInvalidArgument) {
  Result r = Run("--json frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json["error"]["code"], "INVALID_ARGUMENT");
}

TEST_F(ServicesTest, MissingSubcommandPrintsHelp) {
  Result r = Run("services");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(absl::StrContains(r.err, "up")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "status")) << r.err;
}

TEST_F(ServicesTest, MissingBinariesAreNamed) {
  ::setenv("POOLOPS_BIN_DIR", "/nonexistent-bin", 1);
  Result r = Run("--json services up");
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.json["error"]["code"], "FAILED_PRECONDITION");
  EXPECT_TRUE(absl::StrContains(r.json["error"]["message"].get<std::string>(),
                                "/nonexistent-bin/poolops-wallet-vault"))
      << r.out;
}

TEST_F(ServicesTest, VersionAndHomeFromEnvironment) {
  Result v = Run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_TRUE(absl::StartsWith(v.out, "poolctl ")) << v.out;
  // --home wins over $POOLOPS_HOME; without it the env is used.
  ::setenv("POOLOPS_HOME", home_.c_str(), 1);
  std::string cmd = absl::StrCat(POOLCTL_PATH, " --json services status");
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0);
  EXPECT_TRUE(absl::StrContains(out, home_.string() + "/run/monitor.sock"))
      << out;
}

TEST_F(ServicesTest, ServiceStopsCleanlyOnSigterm) {
  std::string bin = absl::StrCat(POOLOPS_BIN_DIR_PATH, "/poolops-monitor");
  std::string home = home_.string();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(bin.c_str(), bin.c_str(), "--home", home.c_str(), "--log-level",
            "warn", nullptr);
    ::_exit(127);
  }
  fs::path run_file = home_ / "run" / "monitor.json";
  for (int i = 0; i < 200 && !fs::exists(run_file); ++i) ::usleep(50000);
  ASSERT_TRUE(fs::exists(run_file));
  ASSERT_TRUE(fs::exists(home_ / "run" / "monitor.sock"));
  EXPECT_TRUE(
      absl::StrContains(Slurp(run_file), absl::StrCat("\"pid\":", pid)));
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(fs::exists(run_file));
  EXPECT_FALSE(fs::exists(home_ / "run" / "monitor.sock"));
}

// --home on a folder others may write to is refused with a clear error, by
// poolctl and by the services alike, and its mode is left as it was.
TEST_F(ServicesTest, AHomeOthersMayWriteToIsRefusedNotChmoded) {
  ASSERT_EQ(::chmod(home_.c_str(), 0777), 0);
  Result r = Run("--json wallet list");
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_EQ(r.json["error"]["code"], "FAILED_PRECONDITION") << r.out;
  EXPECT_NE(r.err.find("writable by others (mode 0777)"), std::string::npos)
      << r.err;
  fs::path err = fs::temp_directory_path() /
                 absl::StrCat("poolops-vault-err-", ::getpid());
  std::string cmd =
      absl::StrCat(POOLOPS_BIN_DIR_PATH, "/poolops-wallet-vault --home ",
                   home_.string(), " 2>", err.string());
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
  std::string said = Slurp(err);
  fs::remove(err);
  EXPECT_NE(said.find("writable by others (mode 0777)"), std::string::npos)
      << said;
  struct stat st {};
  ASSERT_EQ(::stat(home_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0777u);
  EXPECT_FALSE(fs::exists(home_ / "keystore"));
  ASSERT_EQ(::chmod(home_.c_str(), 0700), 0);
}

TEST_F(ServicesTest, SecondInstanceIsRefusedClearly) {
  ASSERT_EQ(Run("--json services up").code, 0);
  std::string cmd =
      absl::StrCat(POOLOPS_BIN_DIR_PATH, "/poolops-monitor --home ",
                   home_.string(), " 2>&1");
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_TRUE(absl::StrContains(out, "already serving")) << out;
  // The running one is untouched.
  Result st = Run("--json services status");
  EXPECT_EQ(st.json["services"][3]["healthy"], true) << st.out;
}

}  // namespace
