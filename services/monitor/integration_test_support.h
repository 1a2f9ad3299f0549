// Processes for the monitor's integration tests: the stack simulators
// (poolops-stack-sim roles on loopback), and helpers to run binaries and
// wait for things. Every process is stopped by its PID.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "libs/common/net.h"
#include "libs/common/process_runner.h"

namespace poolops::monitor::testing {

// Starts `argv` with `env` ("NAME=VALUE") added to this process'
// environment, its output appended to `log_file` (none when empty); it dies
// with the test. -1 when it cannot start.
inline pid_t Spawn(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env,
                   const std::string& log_file = "") {
  proc::SpawnOptions options;
  options.log_file = log_file;
  options.die_with_parent = true;
  options.env = proc::EnvPairs(env);
  absl::StatusOr<pid_t> pid = proc::SpawnDetached(argv, options);
  return pid.ok() ? *pid : -1;
}

inline void Stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

inline bool WaitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

inline int FreePort() { return *net::FreeLoopbackPort(); }

// A simulator role of poolops-stack-sim bound to 127.0.0.1.
inline pid_t StartSim(const std::string& role, std::vector<std::string> env) {
  env.push_back("POOLOPS_SIM_BIND=127.0.0.1");
  // The simulators log every ping: keep it out of the test output.
  const char* tmp = std::getenv("TMPDIR");
  return Spawn({POOLOPS_SIM_BINARY, "--role", role}, env,
               std::string(tmp ? tmp : "/tmp") + "/poolops-monitor-sims.log");
}

inline std::string WriteWallet(const std::string& dir, const std::string& name,
                               const std::string& address) {
  std::string path = dir + "/" + name + ".json";
  std::ofstream(path) << R"({"address":")" << address
                      << R"(","crypto":{"cipher":"aes-128-ctr"},"version":3})";
  return path;
}

// A worker simulator pinging the core every 100 ms, with its health
// endpoint on `health_port`.
inline pid_t StartWorker(const std::string& dir, int core_port, int index,
                         int health_port) {
  char address[64];
  std::snprintf(address, sizeof(address), "0x%040x", 0x1000 + index);
  std::string wallet =
      WriteWallet(dir, "worker-" + std::to_string(index), address);
  return StartSim("worker",
                  {"IEXEC_CORE_HOST=127.0.0.1",
                   "IEXEC_CORE_PORT=" + std::to_string(core_port),
                   "IEXEC_WORKER_NAME=worker-" + std::to_string(index),
                   "IEXEC_WORKER_WALLET_PATH=" + wallet,
                   "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT=2",
                   "IEXEC_WORKER_PORT=" + std::to_string(health_port),
                   "POOLOPS_SIM_PING_INTERVAL_MS=100"});
}

// Runs a command, returns its stdout (and its exit code in *code).
inline std::string Capture(const std::string& command, int* code = nullptr) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  if (code) *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace poolops::monitor::testing
