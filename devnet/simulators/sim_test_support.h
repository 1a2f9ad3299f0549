// Helpers of the simulators' loopback tests: the static binary as a child
// process with nothing of the test's environment (as in its container),
// bounded polling of its HTTP endpoints, wallet files. Inline in one header
// so that unity batches never see two copies.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "devnet/simulators/http_client.h"
#include "libs/common/net.h"
#include "libs/common/process_runner.h"

namespace poolops::sim {

inline int FreePort() { return *net::FreeLoopbackPort(); }

inline std::string WriteWallet(const std::string& name,
                               const std::string& address) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << R"({"address":")" << address
                      << R"(","crypto":{"cipher":"aes-128-ctr"},"version":3})";
  return path;
}

// The simulator `role` with `env` ("NAME=VALUE") only; it dies with the
// test; its output goes to `log_file` when set. -1 when it cannot start.
inline pid_t Spawn(const std::vector<std::string>& env, const std::string& role,
                   const std::string& log_file = "") {
  proc::SpawnOptions options;
  options.die_with_parent = true;
  options.env = proc::EnvPairs(env);
  options.inherit_env = false;
  options.log_file = log_file;
  absl::StatusOr<pid_t> pid =
      proc::SpawnDetached({POOLOPS_SIM_BINARY, "--role", role}, options);
  return pid.ok() ? *pid : -1;
}

// SIGTERM, then expects a clean exit (0).
inline void StopProcess(pid_t pid) {
  ASSERT_GT(pid, 0) << "the simulator did not start";  // never kill(-1)
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// Waits for the child to end by itself; its exit code, -1 if signalled.
inline int ExitCode(pid_t pid) {
  if (pid <= 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json GetJson(int port, const std::string& path) {
  auto r = HttpCall("GET", "127.0.0.1", port, path, "", absl::Seconds(2));
  if (!r.ok() || r->status != 200) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, false);
}

// Polls until pred(json) holds (processes start asynchronously); bounded.
template <typename Pred>
bool WaitFor(int port, const std::string& path, Pred pred, int tries = 200) {
  for (int i = 0; i < tries; ++i) {
    nlohmann::json j = GetJson(port, path);
    if (!j.is_null() && !j.is_discarded() && pred(j)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

}  // namespace poolops::sim
