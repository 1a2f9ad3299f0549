// The simulator images for real: builds them, starts a core and two worker
// simulators with docker-compose (host network, init), checks /metrics.
// Needs DOCKER_HOST (scripts/dockerd.sh); fails instead of skipping when
// CI=true.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "devnet/simulators/http_client.h"
#include "devnet/simulators/images.h"
#include "libs/common/net.h"

namespace poolops::sim {
namespace {

int FreePort() { return *net::FreeLoopbackPort(); }

std::string WorkerService(const std::string& name, const std::string& wallet,
                          int core_port, int cpus) {
  return absl::StrCat(
      "  ", name, ":\n    image: poolops-sim/worker:test\n",
      "    network_mode: host\n    init: true\n    environment:\n",
      "      - IEXEC_CORE_HOST=127.0.0.1\n      - IEXEC_CORE_PORT=", core_port,
      "\n",
      "      - IEXEC_CORE_PROTOCOL=http\n      - IEXEC_WORKER_NAME=", name,
      "\n", "      - IEXEC_WORKER_WALLET_PATH=/", wallet, "\n",
      "      - IEXEC_WORKER_WALLET_PASSWORD=changeme\n",
      "      - IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT=", cpus, "\n",
      "      - POOLOPS_SIM_PING_INTERVAL_MS=200\n", "    volumes:\n      - ./",
      wallet, ":/", wallet, ":ro\n");
}

// The command's combined output, or an error naming it when it failed.
absl::StatusOr<std::string> RunOk(const std::vector<std::string>& argv) {
  proc::RunOptions options;
  options.merge_stderr = true;
  absl::StatusOr<proc::RunResult> r =
      proc::ProcessRunner::Real()->Run(argv, options);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "),
                                            " failed (exit ", r->exit_code,
                                            "): ", r->output));
  }
  return r->output;
}

bool Succeeds(const std::vector<std::string>& argv) { return RunOk(argv).ok(); }

TEST(SimDockerTest, ComposeCoreAndTwoWorkers) {
  const char* docker_host = std::getenv("DOCKER_HOST");
  const char* ci = std::getenv("CI");
  bool in_ci = ci != nullptr && std::string(ci) == "true";
  bool have_docker =
      docker_host != nullptr && *docker_host != '\0' &&
      Succeeds({"docker", "info", "--format", "{{.ServerVersion}}"}) &&
      Succeeds({"docker-compose", "version"});
  if (!have_docker) {
    if (in_ci)
      FAIL() << "CI=true but no docker daemon (source scripts/dockerd.sh)";
    GTEST_SKIP() << "no DOCKER_HOST with a daemon (scripts/dockerd.sh)";
  }
  ImageBuildOptions options{"docker",
                            POOLOPS_SIM_BINARY,
                            POOLOPS_SIM_DOCKERFILE,
                            "test",
                            {"core", "worker"}};
  absl::Status built =
      BuildSimulatorImages(options, proc::ProcessRunner::Real());
  ASSERT_TRUE(built.ok()) << built;

  namespace fs = std::filesystem;
  std::string dir_template =
      (fs::temp_directory_path() / "poolops-sim-compose.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr);
  fs::path dir(dir_template);
  std::ofstream(dir / "wallet-0.json")
      << R"({"address":"7e5f4552091a69125d5dfcb7b8c2659029395bdf","version":3})";
  std::ofstream(dir / "wallet-1.json")
      << R"({"address":"2b5ad5c4795c026514f8317c7a215e218dccd6cf","version":3})";
  int core_port = FreePort();
  std::ofstream(dir / "docker-compose.yml")
      << "version: '3.4'\nservices:\n"
      << "  core:\n    image: poolops-sim/core:test\n    network_mode: host\n"
      << "    init: true\n    environment:\n"
      << "      - POOLOPS_SIM_BIND=127.0.0.1\n"
      << "      - IEXEC_CORE_PORT=" << core_port << "\n"
      << WorkerService("worker0", "wallet-0.json", core_port, 2)
      << WorkerService("worker1", "wallet-1.json", core_port, 3);
  std::string compose_file = (dir / "docker-compose.yml").string();
  std::string project = absl::StrCat("poolopssim", ::getpid());
  auto compose = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"docker-compose", "-f", compose_file, "-p",
                                     project};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunOk(argv);
  };
  auto up = compose({"up", "-d"});
  ASSERT_TRUE(up.ok()) << up.status();

  nlohmann::json metrics;
  for (int i = 0; i < 150; ++i) {
    auto r = HttpCall("GET", "127.0.0.1", core_port, "/metrics", "",
                      absl::Seconds(2));
    if (r.ok() && r->status == 200) {
      metrics = nlohmann::json::parse(r->body, nullptr, false);
      if (metrics.is_object() && metrics["aliveWorkers"] == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(metrics["aliveWorkers"], 2) << metrics.dump();
  EXPECT_EQ(metrics["aliveTotalCpu"], 5) << metrics.dump();
  if (HasFailure()) {
    auto logs = compose({"logs", "--no-color"});
    ADD_FAILURE() << (logs.ok() ? *logs : logs.status().ToString());
  }
  auto down = compose({"down", "--timeout", "5"});
  EXPECT_TRUE(down.ok()) << down.status();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace poolops::sim
