// DockerComposeRunner's commands and errors for both compose flavours, on a
// scripted target (no v2 binary exists on this machine; v1 runs for real in
// pool_docker_test).
#include "services/orchestrator/compose_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::orchestrator {
namespace {

using ::testing::HasSubstr;

// Answers each Shell call with the next scripted result; records scripts.
class ScriptedTarget : public Target {
 public:
  std::string Describe() const override { return "ssh://ops@host/srv"; }
  using Target::WriteBundle;
  absl::Status WriteBundle(const std::string&, const std::vector<BundleFile>&,
                           bool) override {
    return absl::OkStatus();
  }
  absl::Status RestoreBackup(const std::string&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<bool> Exists(const std::string&, const std::string&) override {
    return false;
  }
  absl::StatusOr<CommandResult> Shell(const std::string& bundle,
                                      const std::string& script) override {
    calls.push_back({bundle, script});
    if (answers.empty()) return CommandResult{0, ""};
    CommandResult r = answers.front();
    answers.pop_front();
    return r;
  }
  std::deque<CommandResult> answers;
  std::vector<std::pair<std::string, std::string>> calls;
};

const ComposeBundle kBundle{
    "core", "p1-core", {"docker-compose.yml", "tee.yml"}};

TEST(ComposeRunnerTest, PrefersV2AndRemembersItPerTarget) {
  ScriptedTarget t;
  t.answers = {{0, "v2\n"},
               {0, ""},
               {0, "core running\nchain-adapter running\nworker restarting\n"}};
  DockerComposeRunner runner;
  ASSERT_TRUE(runner.Up(&t, kBundle).ok());
  auto running = runner.Running(&t, kBundle);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_THAT(*running, ::testing::ElementsAre("core", "chain-adapter"));
  // Detected once (outside any bundle), then two commands in the bundle.
  ASSERT_EQ(t.calls.size(), 3u);
  EXPECT_EQ(t.calls[0].first, "");
  EXPECT_THAT(t.calls[0].second, HasSubstr("docker compose version"));
  EXPECT_EQ(t.calls[1].first, "core");
  EXPECT_THAT(t.calls[1].second,
              HasSubstr("docker compose -p 'p1-core' -f 'docker-compose.yml' "
                        "-f 'tee.yml' $extra up -d --remove-orphans"));
  // The operator's override joins when it exists.
  EXPECT_THAT(t.calls[1].second, HasSubstr("docker-compose.override.yml"));
  // Restarting containers are not running (docker's State.Status).
  EXPECT_THAT(t.calls[2].second, HasSubstr("ps -q >.poolops-ps"));
  EXPECT_THAT(t.calls[2].second, HasSubstr("{{.State.Status}}"));
}

// For real: sh, flock(1) and a local folder; `echo` stands for compose.
TEST(ComposeScriptTest, ChangesWaitForACommandLeftRunningOnTheBundle) {
  poolops::test::TempDir dir;
  std::unique_ptr<TargetFactory> targets =
      NewTargetFactory(proc::ProcessRunner::Real());
  auto t = targets->Open("local:" + dir.path().string(), "");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(
      (*t)->WriteBundle("core", {{"docker-compose.yml", "", 0644}}).ok());
  const std::string log = (dir.path() / "core/log").string();
  // A compose still running from before (an orchestrator killed under it):
  // it holds the bundle's lock for a while.
  std::thread earlier([&] {
    (*t)->Shell("core", absl::StrCat("exec 9>>", kComposeLockFile,
                                     "; flock 9; echo held >> ", log, "; : > ",
                                     (dir.path() / "core/locked").string(),
                                     "; sleep 1; echo released >> ", log, "\n"))
        .IgnoreError();
  });
  while (!std::filesystem::exists(dir.path() / "core/locked")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto up =
      (*t)->Shell("core", ComposeScript("echo", kBundle,
                                        ">> " + log + " ; echo up >> " + log,
                                        /*exclusive=*/true));
  earlier.join();
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->exit_code, 0) << up->output;
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  // The new command ran after the old one let go, never in between.
  EXPECT_EQ(text.substr(0, text.find('\n', text.find("released")) + 1),
            "held\nreleased\n")
      << text;
  EXPECT_NE(text.find("up\n"), std::string::npos) << text;
  // ps (reading) never waits.
  EXPECT_EQ(ComposeScript("echo", kBundle, "ps", false).find("flock"),
            std::string::npos);
}

TEST(ComposeRunnerTest, FallsBackToV1) {
  ScriptedTarget t;
  t.answers = {{0, "v1\n"}, {0, ""}};
  DockerComposeRunner runner;
  ASSERT_TRUE(runner.Down(&t, kBundle, /*remove_volumes=*/true).ok());
  EXPECT_THAT(t.calls[1].second,
              HasSubstr("docker-compose -p 'p1-core' -f 'docker-compose.yml' "
                        "-f 'tee.yml' $extra down --remove-orphans -v -t 5"));
}

TEST(ComposeRunnerTest, NeitherFlavourIsNamed) {
  ScriptedTarget t;
  t.answers = {{0, "none\n"}};
  DockerComposeRunner runner;
  absl::Status s = runner.Up(&t, kBundle);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("ssh://ops@host/srv"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("docker-compose"));
}

TEST(ComposeRunnerTest, DownOfAFolderThatIsGoneIsDone) {
  ScriptedTarget t;
  t.answers = {{0, "v1\n"}, {3, ""}};
  DockerComposeRunner runner;
  EXPECT_TRUE(runner.Down(&t, kBundle, false).ok());
}

TEST(ComposeFailureTest, DaemonDownSaysSoForBothFlavours) {
  for (const char* out :
       {"Couldn't connect to Docker daemon at http+docker://localhost - is it "
        "running?\n\nIf it's at a non-standard location, specify the URL with "
        "the DOCKER_HOST environment variable.\n",
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
        "Is the docker daemon running?\n"}) {
    absl::Status s = ComposeFailure("local:/srv", "up", "core", out);
    EXPECT_TRUE(absl::IsUnavailable(s)) << s;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("local:/srv: compose up of core failed: the docker "
                          "daemon is not reachable there"));
  }
}

TEST(ComposeFailureTest, V1TracebackWithoutSocketIsCondensed) {
  absl::Status s = ComposeFailure(
      "local:/srv", "up", "core",
      "Traceback (most recent call last):\n  File \"/usr/lib/python3/x.py\", "
      "line 705, in urlopen\n    conn.request()\nFileNotFoundError: [Errno 2] "
      "No such file or directory\n\nDuring handling of the above exception, "
      "another exception occurred:\n\nTraceback (most recent call last):\n"
      "  File \"/usr/bin/docker-compose\", line 33\n"
      "docker.errors.DockerException: Error while fetching server API version: "
      "('Connection aborted.', FileNotFoundError(2, 'No such file or "
      "directory'))\n");
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("the docker daemon is not reachable there"));
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("Traceback")));
  EXPECT_THAT(std::string(s.message()),
              ::testing::EndsWith("'No such file or directory'))"));
}

TEST(ComposeFailureTest, MissingImageSaysSo) {
  absl::Status s = ComposeFailure(
      "local:/srv", "up", "w0",
      "Pulling w0 (iexechub/worker:9.9)...\n"
      "ERROR: pull access denied for iexechub/worker, repository does not "
      "exist or may require 'docker login'\n");
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("an image is missing"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("iexechub/worker:9.9"));
}

TEST(ComposeFailureTest, ImageThatCannotBePulledIsNamed) {
  absl::Status s = ComposeFailure(
      "local:/srv", "up", "core",
      "Creating volume \"p-core_mongodb-data\" with default driver\n"
      "Pulling mongo (poolops-sim/mongo:no-such-tag)...\n"
      "Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: dial tcp "
      "127.0.0.1:9: connect: connection refused\n");
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(
      std::string(s.message()),
      HasSubstr("an image is missing (poolops-sim/mongo:no-such-tag): it "
                "is not on the host and could not be pulled"));
}

TEST(ComposeFailureTest, APullThatWorkedIsNotBlamed) {
  absl::Status s = ComposeFailure(
      "local:/srv", "up", "core",
      "Pulling core (iexechub/iexec-core:7.1.0)...\n7.1.0: Pulling from "
      "iexechub/iexec-core\nCreating p-core_core_1 ... error\nERROR: for core  "
      "Cannot start service core: driver failed programming external "
      "connectivity: Bind for 0.0.0.0:7001 failed: port is already "
      "allocated\n");
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("image")));
  EXPECT_THAT(std::string(s.message()), HasSubstr("port is already allocated"));
}

TEST(ComposeFailureTest, OtherFailuresKeepTheOutput) {
  absl::Status s = ComposeFailure("local:/srv", "up", "core", "boom\n");
  EXPECT_TRUE(absl::IsUnavailable(s));
  EXPECT_EQ(s.message(), "local:/srv: compose up of core failed: boom");
}

}  // namespace
}  // namespace poolops::orchestrator
