// The one way poolops starts other programs: a command run to its end (its
// input on stdin, its output captured, a timeout that stops it with
// everything it started), or a program started detached with its output in
// a log file and stopped later by pid. Never through a shell; anything
// secret travels on stdin, never in argv (other users can read argv).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops::proc {

struct RunOptions {
  std::string input;  // written to stdin, which then closes
  std::string cwd;    // empty: the caller's
  // Past it the command and everything it started (its process group) get
  // SIGKILL and Run answers DeadlineExceeded.
  absl::Duration timeout = absl::InfiniteDuration();
  // Set (or replaced) in the child on top of the caller's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // stderr into `output` in the order written (as a terminal shows them);
  // otherwise it lands in `error`.
  bool merge_stderr = false;
};

struct RunResult {
  int exit_code = 0;   // 128 + signal when a signal ended it
  std::string output;  // stdout (and stderr when merged)
  std::string error;   // stderr when not merged
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // argv[0] is looked up on PATH unless it holds a '/'. NotFound when it
  // cannot be executed; a non-zero exit is a result, not an error.
  virtual absl::StatusOr<RunResult> Run(const std::vector<std::string>& argv,
                                        const RunOptions& options) = 0;
  // fork/exec; shared, stateless.
  static ProcessRunner* Real();
};

struct SpawnOptions {
  std::filesystem::path log_file;  // stdout and stderr appended; empty: none
  // SIGKILL when the caller dies (test helpers: never outlive the test).
  bool die_with_parent = false;
  // Set (or replaced) in the child on top of the caller's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // False: the child gets `env` only, nothing of the caller's (a test that
  // must not depend on the environment it was started from).
  bool inherit_env = true;
};

// "NAME=VALUE" assignments as env pairs (no '=': an empty value).
std::vector<std::pair<std::string, std::string>> EnvPairs(
    const std::vector<std::string>& assignments);

// Starts argv (argv[0] as for Run) in its own session, stdin from
// /dev/null, none of the caller's other descriptors; returns its pid once
// it has exec'd (NotFound when it could not).
absl::StatusOr<pid_t> SpawnDetached(const std::vector<std::string>& argv,
                                    const SpawnOptions& options = {});

// True while `pid` runs (a zombie, or our exited child, reaped here, is not).
bool ProcessAlive(pid_t pid);

// SIGTERM, then SIGKILL after `grace`; returns once it is gone (or after 2 s
// more: Internal).
absl::Status StopProcess(pid_t pid, absl::Duration grace);

// True when `pid` is alive and runs a binary named `program` (argv[0]'s file
// name, from /proc): a pid read from a file may since belong to another
// process, which must be neither reported as ours nor signalled.
bool ProcessRuns(pid_t pid, std::string_view program);

// StopProcess for a pid read from a file: does nothing unless it runs
// `program`.
absl::Status StopProgram(pid_t pid, std::string_view program,
                         absl::Duration grace);

}  // namespace poolops::proc
