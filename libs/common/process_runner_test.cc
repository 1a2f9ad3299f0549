#include "libs/common/process_runner.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::proc {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a spawned child wrote to its log, once it wrote anything (2 s).
std::string FirstLog(const std::filesystem::path& log_file) {
  std::string log;
  for (int i = 0; i < 200 && log.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = Slurp(log_file);
  }
  return log;
}

// Gone: no such process, or a zombie nobody reaps yet.
bool Gone(pid_t pid) {
  for (int i = 0; i < 150; ++i) {
    std::string stat = Slurp(absl::StrCat("/proc/", pid, "/stat"));
    if (stat.empty() || stat.find(") Z ") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

RunResult MustRun(const std::vector<std::string>& argv,
                  const RunOptions& options = {}) {
  absl::StatusOr<RunResult> r = ProcessRunner::Real()->Run(argv, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : RunResult{-1, "", ""};
}

TEST(ProcessRunnerTest, FeedsLargeInputWhileDrainingLargeOutput) {
  // 4 MiB in and out: neither pipe may block the other.
  RunOptions options;
  options.input = std::string(4 << 20, 'x');
  RunResult r = MustRun({"cat"}, options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.size(), options.input.size());
  EXPECT_EQ(r.output, options.input);
}

TEST(ProcessRunnerTest, ExitCodesAndSignalsAreResults) {
  EXPECT_EQ(MustRun({"sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(MustRun({"true"}).exit_code, 0);
  EXPECT_EQ(MustRun({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + SIGTERM);
}

TEST(ProcessRunnerTest, StdoutAndStderrApartOrMerged) {
  const std::vector<std::string> argv = {"sh", "-c",
                                         "echo out; echo err >&2; echo out2"};
  RunResult apart = MustRun(argv);
  EXPECT_EQ(apart.output, "out\nout2\n");
  EXPECT_EQ(apart.error, "err\n");
  RunOptions merged;
  merged.merge_stderr = true;
  RunResult together = MustRun(argv, merged);
  EXPECT_EQ(together.output, "out\nerr\nout2\n");
  EXPECT_EQ(together.error, "");
}

TEST(ProcessRunnerTest, AMissingBinaryIsNotFound) {
  absl::StatusOr<RunResult> r =
      ProcessRunner::Real()->Run({"/no/such/binary"}, {});
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  r = ProcessRunner::Real()->Run({"poolops-no-such-program-on-path"}, {});
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_NE(std::string(r.status().message()).find("not found on PATH"),
            std::string::npos);
  // A program that runs and exits 127 itself is a result.
  EXPECT_EQ(MustRun({"sh", "-c", "exit 127"}).exit_code, 127);
}

TEST(ProcessRunnerTest, EnvironmentIsAddedToAndReplacesTheCallers) {
  ::setenv("POOLOPS_PR_INHERITED", "kept", 1);
  ::setenv("POOLOPS_PR_REPLACED", "old", 1);
  RunOptions options;
  options.env = {{"POOLOPS_PR_REPLACED", "new"}, {"POOLOPS_PR_ADDED", "a b"}};
  RunResult r = MustRun({"sh", "-c",
                         "echo $POOLOPS_PR_INHERITED $POOLOPS_PR_REPLACED "
                         "$POOLOPS_PR_ADDED; env | grep -c "
                         "'^POOLOPS_PR_REPLACED='"},
                        options);
  EXPECT_EQ(r.output, "kept new a b\n1\n");
  ::unsetenv("POOLOPS_PR_INHERITED");
  ::unsetenv("POOLOPS_PR_REPLACED");
}

TEST(ProcessRunnerTest, RunsInTheGivenFolder) {
  test::TempDir dir;
  RunOptions options;
  options.cwd = dir.path().string();
  EXPECT_EQ(MustRun({"pwd"}, options).output, dir.path().string() + "\n");
  options.cwd = (dir.path() / "missing").string();
  EXPECT_TRUE(
      absl::IsNotFound(ProcessRunner::Real()->Run({"pwd"}, options).status()));
}

TEST(ProcessRunnerTest, ACommandPastItsTimeoutIsStoppedWithItsChildren) {
  test::TempDir dir;
  const std::filesystem::path pidfile = dir.path() / "child.pid";
  RunOptions options;
  options.timeout = absl::Milliseconds(500);
  // A shell whose child would outlive it (as compose under `sh -s`).
  const absl::Time start = absl::Now();
  absl::StatusOr<RunResult> r = ProcessRunner::Real()->Run(
      {"sh", "-c",
       "echo started; sleep 60 & echo $! > " + pidfile.string() + "; wait"},
      options);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  ASSERT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  const std::string message(r.status().message());
  EXPECT_NE(message.find("did not finish within 500ms"), std::string::npos)
      << message;
  EXPECT_NE(message.find("started"), std::string::npos) << message;
  pid_t child = std::stoi(Slurp(pidfile));
  EXPECT_TRUE(Gone(child)) << "sleep " << child << " still runs";
}

// Closing its output does not take a command past the deadline: it is
// stopped all the same.
TEST(ProcessRunnerTest, ACommandThatClosesItsOutputIsStillStoppedAtItsTimeout) {
  RunOptions options;
  options.timeout = absl::Milliseconds(300);
  absl::StatusOr<RunResult> r = ProcessRunner::Real()->Run(
      {"sh", "-c", "exec >/dev/null 2>&1; sleep 60"}, options);
  ASSERT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
}

TEST(ProcessRunnerTest, AChildThatIgnoresItsInputStillEnds) {
  RunOptions options;
  options.input = std::string(8 << 20, 'x');  // more than any pipe holds
  options.timeout = absl::Seconds(30);
  RunResult r = MustRun({"sh", "-c", "exit 4"}, options);
  EXPECT_EQ(r.exit_code, 4);
}

TEST(SpawnDetachedTest, WritesItsLogAndStopsOnSigterm) {
  test::TempDir dir;
  SpawnOptions options;
  options.log_file = dir.path() / "log";
  absl::StatusOr<pid_t> pid = SpawnDetached(
      {"/bin/sh", "-c", "echo hello; echo oops >&2; exec sleep 60"}, options);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_TRUE(ProcessAlive(*pid));
  // Its own session: a signal to our group does not reach it.
  EXPECT_EQ(::getsid(*pid), *pid);
  std::string log;
  for (int i = 0; i < 200 && log != "hello\noops\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = Slurp(options.log_file);
  }
  EXPECT_EQ(log, "hello\noops\n");
  EXPECT_TRUE(StopProcess(*pid, absl::Seconds(5)).ok());
  EXPECT_FALSE(ProcessAlive(*pid));
  EXPECT_TRUE(StopProcess(*pid, absl::Seconds(5)).ok());  // already gone
}

TEST(SpawnDetachedTest, EnvironmentChangesReachTheChildOnly) {
  test::TempDir dir;
  SpawnOptions options;
  options.log_file = dir.path() / "log";
  options.env = {{"POOLOPS_SPAWN_TEST", "a value; with $(spaces)"},
                 {"HOME", "/elsewhere"}};
  absl::StatusOr<pid_t> pid = SpawnDetached(
      {"/bin/sh", "-c", "echo \"$POOLOPS_SPAWN_TEST|$HOME\""}, options);
  ASSERT_TRUE(pid.ok()) << pid.status();
  const std::string log = FirstLog(options.log_file);
  EXPECT_EQ(log, "a value; with $(spaces)|/elsewhere\n");
  EXPECT_EQ(std::getenv("POOLOPS_SPAWN_TEST"), nullptr);
  EXPECT_TRUE(StopProcess(*pid, absl::Seconds(5)).ok());
}

TEST(SpawnDetachedTest, WithoutInheritanceTheChildGetsItsEnvOnly) {
  test::TempDir dir;
  ::setenv("POOLOPS_SPAWN_CALLERS", "leaked", 1);
  SpawnOptions options;
  options.log_file = dir.path() / "log";
  options.env = EnvPairs({"ONLY=this=that", "EMPTY"});
  options.inherit_env = false;
  absl::StatusOr<pid_t> pid = SpawnDetached(
      {"/bin/sh", "-c",
       "echo \"$ONLY|${EMPTY-unset}|${POOLOPS_SPAWN_CALLERS-}|${HOME-}\""},
      options);
  ::unsetenv("POOLOPS_SPAWN_CALLERS");
  ASSERT_TRUE(pid.ok()) << pid.status();
  const std::string log = FirstLog(options.log_file);
  EXPECT_EQ(log, "this=that|||\n");
  EXPECT_TRUE(StopProcess(*pid, absl::Seconds(5)).ok());
}

TEST(SpawnDetachedTest, PidsFromFilesAreTrustedOnlyForTheirProgram) {
  // This test binary is alive but is not anvil: never reported nor signalled.
  EXPECT_FALSE(ProcessRuns(getpid(), "anvil"));
  EXPECT_TRUE(StopProgram(getpid(), "anvil", absl::Seconds(1)).ok());
  EXPECT_FALSE(ProcessRuns(0, "anvil"));
  EXPECT_TRUE(StopProcess(0, absl::Seconds(1)).ok());
  absl::StatusOr<pid_t> pid = SpawnDetached({"/bin/sleep", "30"});
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_TRUE(ProcessRuns(*pid, "sleep"));
  EXPECT_TRUE(StopProgram(*pid, "sleep", absl::Seconds(5)).ok());
  // Stopped: a zombie of ours is reaped and is not running it any more.
  EXPECT_FALSE(ProcessRuns(*pid, "sleep"));
  EXPECT_FALSE(ProcessAlive(*pid));
}

TEST(SpawnDetachedTest, StopKillsWhatIgnoresSigtermAfterTheGrace) {
  test::TempDir dir;
  SpawnOptions options;
  options.log_file = dir.path() / "log";
  absl::StatusOr<pid_t> pid = SpawnDetached(
      {"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"},
      options);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(FirstLog(options.log_file), "ready\n");  // its trap is set
  const absl::Time start = absl::Now();
  EXPECT_TRUE(StopProcess(*pid, absl::Milliseconds(300)).ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  EXPECT_FALSE(ProcessAlive(*pid));
}

TEST(SpawnDetachedTest, AMissingBinaryOrLogFolderIsAnError) {
  test::TempDir dir;
  EXPECT_TRUE(absl::IsNotFound(SpawnDetached({"/no/such/binary"}).status()));
  SpawnOptions options;
  options.log_file = dir.path() / "missing" / "log";
  EXPECT_TRUE(
      absl::IsPermissionDenied(SpawnDetached({"/bin/true"}, options).status()));
}

TEST(SpawnDetachedTest, KeepsNoneOfTheCallersDescriptors) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // not close-on-exec
  absl::StatusOr<pid_t> pid = SpawnDetached({"/bin/sleep", "60"});
  ASSERT_TRUE(pid.ok()) << pid.status();
  ::close(fds[1]);
  // The child does not hold the write end: EOF at once.
  char c;
  EXPECT_EQ(::read(fds[0], &c, 1), 0);
  ::close(fds[0]);
  EXPECT_TRUE(StopProcess(*pid, absl::Seconds(5)).ok());
}

TEST(ProcessAliveTest, NoPidIsAlive) {
  EXPECT_FALSE(ProcessAlive(0));
  EXPECT_FALSE(ProcessAlive(-1));
  EXPECT_TRUE(ProcessAlive(::getpid()));
}

}  // namespace
}  // namespace poolops::proc
