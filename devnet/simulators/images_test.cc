#include "devnet/simulators/images.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_join.h"

namespace poolops::sim {
namespace {

class RecordingRunner : public proc::ProcessRunner {
 public:
  absl::StatusOr<proc::RunResult> Run(
      const std::vector<std::string>& argv,
      const proc::RunOptions& options) override {
    commands.push_back(absl::StrJoin(argv, " "));
    context_had_binary = std::filesystem::exists(
        std::filesystem::path(argv.back()) / "poolops-stack-sim");
    legacy_builder = options.env.size() == 1 &&
                     options.env[0].first == "DOCKER_BUILDKIT" &&
                     options.env[0].second == "0";
    return proc::RunResult{exit_code, "sha256:x", ""};
  }
  std::vector<std::string> commands;
  bool context_had_binary = false;
  bool legacy_builder = false;
  int exit_code = 0;
};

TEST(ImagesTest, OneImagePerRoleFromTheSameBinary) {
  EXPECT_EQ(SimulatorImageName("core", "7.1.0"), "poolops-sim/core:7.1.0");
  std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/bin") << "x";
  std::ofstream(dir + "/Dockerfile") << "FROM scratch";
  RecordingRunner runner;
  ImageBuildOptions options{
      "docker", dir + "/bin", dir + "/Dockerfile", "7.1.0", {"core", "worker"}};
  ASSERT_TRUE(BuildSimulatorImages(options, &runner).ok());
  ASSERT_EQ(runner.commands.size(), 2u);
  EXPECT_NE(runner.commands[0].find(
                "build --quiet --build-arg ROLE=core "
                "--build-arg VERSION=7.1.0 -t poolops-sim/core:7.1.0"),
            std::string::npos);
  EXPECT_NE(runner.commands[1].find("-t poolops-sim/worker:7.1.0"),
            std::string::npos);
  EXPECT_TRUE(runner.context_had_binary);
  EXPECT_TRUE(runner.legacy_builder);
  runner.exit_code = 1;  // docker build failed
  absl::Status failed = BuildSimulatorImages(options, &runner);
  EXPECT_TRUE(absl::IsInternal(failed)) << failed;
  EXPECT_NE(std::string(failed.message()).find("sha256:x"), std::string::npos);
  runner.exit_code = 0;
  options.roles = {"nginx"};
  EXPECT_FALSE(BuildSimulatorImages(options, &runner).ok());
  options.roles = {"core"};
  options.binary = dir + "/missing";
  EXPECT_FALSE(BuildSimulatorImages(options, &runner).ok());
}

}  // namespace
}  // namespace poolops::sim
