// The service binary and poolctl end to end: poolops-monitor started on a
// temporary home, targets added with `poolctl monitor add-pool`, read with
// `poolctl status` and `poolctl monitor watch`, kept across a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "nlohmann/json.hpp"
#include "services/monitor/integration_test_support.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;
using namespace poolops::monitor::testing;
using json = nlohmann::json;

class MonitorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Short: unix socket paths are limited to 107 bytes.
    char tmpl[] = "/tmp/pmon-XXXXXX";
    home_ = ::mkdtemp(tmpl);
    core_port_ = FreePort();
    core_ = StartSim("core", {"IEXEC_CORE_PORT=" + std::to_string(core_port_)});
    worker_ = StartWorker(home_, core_port_, 1, FreePort());
    StartMonitor();
  }
  void TearDown() override {
    Stop(monitor_);
    Stop(worker_);
    Stop(core_);
    std::filesystem::remove_all(home_);
  }

  void StartMonitor() {
    monitor_ = Spawn({POOLOPS_MONITOR_BINARY, "--home", home_, "--interval",
                      "500ms", "--probe-timeout", "300ms"},
                     {}, home_ + "/monitor.log");
    ASSERT_TRUE(WaitFor(
        [&] { return std::filesystem::exists(home_ + "/run/monitor.json"); },
        std::chrono::seconds(20)));
  }

  json Poolctl(const std::string& args, int* code = nullptr) {
    std::string out =
        Capture(std::string(POOLOPS_POOLCTL_BINARY) + " --home " + home_ +
                    " --json " + args + " 2>>" + home_ + "/poolctl.err",
                code);
    return json::parse(out, nullptr, false);
  }

  std::string home_;
  int core_port_ = 0;
  pid_t core_ = 0, worker_ = 0, monitor_ = 0;
};

TEST_F(MonitorServiceTest, AddPoolStatusWatchAndRestart) {
  int code = -1;
  std::string core = "http://127.0.0.1:" + std::to_string(core_port_);
  json added = Poolctl("monitor add-pool sim --core " + core +
                           " --worker worker-1 --core-health none",
                       &code);
  ASSERT_EQ(code, 0) << added.dump();
  EXPECT_EQ(added["pool"], "sim");
  EXPECT_EQ(added["targets"]["core"], core);

  // The worker pings within 100 ms; the status comes from the next rounds.
  json status;
  ASSERT_TRUE(WaitFor(
      [&] {
        status = Poolctl("status sim", &code);
        return code == 0 && status["overall"] == "ok";
      },
      std::chrono::seconds(15)))
      << status.dump();
  ASSERT_TRUE(status["components"].is_array());
  bool saw_workers = false;
  for (const json& c : status["components"]) {
    EXPECT_TRUE(c.contains("name") && c.contains("status") &&
                c.contains("detail"));
    if (c["name"] == "workers") {
      saw_workers = true;
      EXPECT_EQ(c["detail"], "1 of 1 workers alive");
    }
  }
  EXPECT_TRUE(saw_workers);
  // The only pool: POOL may be left out.
  EXPECT_EQ(Poolctl("status")["pool"], "sim");

  // watch --count 1: the current status as one JSON line.
  std::string line = Capture(std::string(POOLOPS_POOLCTL_BINARY) + " --home " +
                             home_ + " --json monitor watch sim --count 1");
  json watched = json::parse(line, nullptr, false);
  ASSERT_FALSE(watched.is_discarded()) << line;
  EXPECT_EQ(watched["overall"], "ok");

  // Targets file: 0600, survives a restart.
  struct stat st;
  ASSERT_EQ(::stat((home_ + "/monitor/targets.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  Stop(monitor_);
  StartMonitor();
  status = Poolctl("status sim", &code);
  EXPECT_EQ(code, 0) << status.dump();
  EXPECT_EQ(status["pool"], "sim");

  // Errors follow the CLI contract.
  json missing = Poolctl("status nope", &code);
  EXPECT_EQ(code, 3);
  EXPECT_EQ(missing["error"]["code"], "NOT_FOUND");
  json bad = Poolctl("monitor add-pool bad --core ftp://x", &code);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(bad["error"]["message"].get<std::string>(), HasSubstr("--core"));

  // One-shot probe with its debug log.
  json probe =
      Poolctl("monitor probe " + core + "/metrics --field aliveWorkers", &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(probe["probeSuccess"], true);
  EXPECT_EQ(probe["values"]["aliveWorkers"], "1");
  EXPECT_THAT(probe["debugLog"].get<std::string>(), HasSubstr("GET /metrics"));

  // Targets from a JSON file (the PoolTargets JSON mapping).
  std::ofstream(home_ + "/file.json")
      << R"({"pool":"from-file","core":")" << core
      << R"(","coreHealth":"none","workers":[{"name":"worker-1"}],)"
      << R"("expectedWorkers":1})";
  json from_file = Poolctl("monitor add-pool --from-file " + home_ +
                               "/file.json",
                           &code);
  EXPECT_EQ(code, 0) << from_file.dump();
  EXPECT_EQ(from_file["targets"]["source"], "file");
  EXPECT_EQ(Poolctl("monitor pools")["pools"].size(), 2u);
  // Several pools: status needs a name, and says which.
  json ambiguous = Poolctl("status", &code);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(ambiguous["error"]["message"].get<std::string>(),
              HasSubstr("from-file, sim"));

  json removed = Poolctl("monitor remove-pool sim", &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(Poolctl("monitor pools")["pools"].size(), 1u);
}

}  // namespace
}  // namespace poolops::monitor
