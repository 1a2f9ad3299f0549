// Runs commands for the tests in this folder: fork/exec with env changes,
// stdout and stderr captured in files (poolctl --json prints one object on
// stdout), or detached in the background for services.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace poolops::test {

using EnvChanges = std::map<std::string, std::optional<std::string>>;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
  nlohmann::json json;  // null unless stdout is one JSON object
};

// Polls `done` every 200 ms until it holds or `limit` passes; its last
// answer.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts argv with `env` changes (nullopt = unset), stdout to `out` and
// stderr to `err`; returns the pid.
inline pid_t Spawn(const std::vector<std::string>& argv, const EnvChanges& env,
                   const std::filesystem::path& out,
                   const std::filesystem::path& err) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [name, value] : env) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
    ::setenv("DOCKER_BUILDKIT", "0", 1);  // the legacy builder: no buildx here
    if (!std::freopen(out.c_str(), "w", stdout) ||
        !std::freopen(err.c_str(), "w", stderr)) {
      ::_exit(126);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// Runs argv to the end; its output goes through files under `dir`.
inline Result Exec(const std::filesystem::path& dir,
                   const std::vector<std::string>& argv,
                   const EnvChanges& env = {}) {
  std::filesystem::path out = dir / "run.out", err = dir / "run.err";
  pid_t pid = Spawn(argv, env, out, err);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  r.json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  return r;
}

inline std::string Describe(const std::vector<std::string>& argv,
                            const Result& r) {
  return absl::StrCat(absl::StrJoin(argv, " "), " -> ", r.code, "\n", r.out,
                      r.err);
}

// The chain-gateway's own call to the wallet-vault, seen through `poolctl`
// (a callable: args -> Result): a chain whose RPC nobody serves, then a
// wallet only the vault can name. The vault's NOT_FOUND coming back proves
// the gateway reached it; an unreachable vault would be UNAVAILABLE.
template <typename Poolctl>
void ExpectGatewayReachesVault(Poolctl&& poolctl) {
  Result added =
      poolctl({"chain", "add", "closed", "--rpc", "http://127.0.0.1:9", "--hub",
               "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", "--chain-id",
               "1337", "--native"});
  ASSERT_EQ(added.code, 0) << added.out << added.err;
  Result show = poolctl({"--chain", "closed", "wallet", "show", "nosuch"});
  EXPECT_EQ(show.code, 3) << show.out << show.err;
  EXPECT_EQ(show.json["error"]["message"], "wallet nosuch not found")
      << show.out;
}

}  // namespace poolops::test
