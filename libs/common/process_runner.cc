#include "libs/common/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace poolops::proc {
namespace {

// Everything the child needs, built before fork: after it only
// async-signal-safe calls are allowed.
struct ExecPlan {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::vector<char*> argv;
  std::vector<char*> envp;

  ExecPlan(const std::vector<std::string>& a,
           const std::vector<std::pair<std::string, std::string>>& overrides,
           bool inherit_env = true)
      : args(a) {
    for (char** e = environ; inherit_env && e != nullptr && *e != nullptr;
         ++e) {
      std::string_view entry(*e);
      bool replaced = false;
      for (const auto& [name, value] : overrides) {
        if (entry.size() > name.size() && entry[name.size()] == '=' &&
            entry.substr(0, name.size()) == name) {
          replaced = true;
        }
      }
      if (!replaced) env.emplace_back(entry);
    }
    for (const auto& [name, value] : overrides)
      env.push_back(absl::StrCat(name, "=", value));
    for (std::string& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (std::string& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

// In the child: closes every descriptor from 3 up but `keep`.
void CloseOthers(int keep) {
  if (keep > 3) ::syscall(SYS_close_range, 3U, unsigned(keep - 1), 0U);
  ::syscall(SYS_close_range, unsigned(keep + 1), ~0U, 0U);
}

// In the child: exec, or report errno on `report` (close-on-exec, so the
// parent reads EOF on success) and exit 127.
[[noreturn]] void ExecOrReport(ExecPlan& plan, int report) {
  ::execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
  int err = errno;
  (void)!::write(report, &err, sizeof(err));
  ::_exit(127);
}

// In the parent: the child's exec errno, or 0 once it exec'd.
int ExecError(int report) {
  int err = 0;
  ssize_t n;
  while ((n = ::read(report, &err, sizeof(err))) < 0 && errno == EINTR) {
  }
  ::close(report);
  return n == sizeof(err) ? err : 0;
}

absl::Status CannotExec(const std::string& program, int err) {
  if (err == ENOENT) {
    return absl::NotFoundError(absl::StrCat(program, ": not found on PATH"));
  }
  return absl::NotFoundError(
      absl::StrCat(program, ": cannot execute: ", std::strerror(err)));
}

int ExitCode(int wstatus) {
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

class RealProcessRunner : public ProcessRunner {
 public:
  absl::StatusOr<RunResult> Run(const std::vector<std::string>& argv,
                                const RunOptions& options) override {
    if (argv.empty()) return absl::InvalidArgumentError("empty command");
    ExecPlan plan(argv, options.env);
    // [0] stdin, [1] stdout, [2] stderr, [3] exec errno
    int pipes[4][2];
    int made = 0;
    for (; made < 4; ++made) {
      if (::pipe2(pipes[made], O_CLOEXEC) != 0) break;
    }
    if (made < 4) {
      int err = errno;
      for (int i = 0; i < made; ++i) {
        ::close(pipes[i][0]);
        ::close(pipes[i][1]);
      }
      return absl::InternalError(absl::StrCat("pipe: ", std::strerror(err)));
    }
    const int err_write = options.merge_stderr ? pipes[1][1] : pipes[2][1];
    pid_t pid = ::fork();
    if (pid < 0) {
      int err = errno;
      for (auto& p : pipes) {
        ::close(p[0]);
        ::close(p[1]);
      }
      return absl::InternalError(absl::StrCat("fork: ", std::strerror(err)));
    }
    if (pid == 0) {
      // Its own process group: a timeout kills what it started too.
      ::setpgid(0, 0);
      ::dup2(pipes[0][0], 0);
      ::dup2(pipes[1][1], 1);
      ::dup2(err_write, 2);
      CloseOthers(pipes[3][1]);
      if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
        int err = errno;
        (void)!::write(pipes[3][1], &err, sizeof(err));
        ::_exit(126);
      }
      ExecOrReport(plan, pipes[3][1]);
    }
    ::close(pipes[0][0]);
    ::close(pipes[1][1]);
    ::close(pipes[2][1]);
    ::close(pipes[3][1]);
    int in_fd = pipes[0][1], out_fd = pipes[1][0], err_fd = pipes[2][0];
    if (int err = ExecError(pipes[3][0]); err != 0) {
      ::close(in_fd);
      ::close(out_fd);
      ::close(err_fd);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      if (!options.cwd.empty() && ::access(options.cwd.c_str(), X_OK) != 0) {
        return absl::NotFoundError(absl::StrCat("cannot run ", argv[0], " in ",
                                                options.cwd, ": ",
                                                std::strerror(err)));
      }
      return CannotExec(argv[0], err);
    }
    // Feed stdin and drain stdout/stderr together: any of them may fill.
    ::signal(SIGPIPE, SIG_IGN);
    size_t written = 0;
    if (options.input.empty()) {
      ::close(in_fd);
      in_fd = -1;
    } else {
      ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
    }
    RunResult result;
    char buffer[8192];
    bool timed_out = false;
    const absl::Time deadline = absl::Now() + options.timeout;
    while (out_fd >= 0 || err_fd >= 0) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        ::kill(-pid, SIGKILL);
        timed_out = true;
        break;
      }
      const int wait_ms =
          left > absl::Hours(1)
              ? 3600 * 1000
              : static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
      pollfd fds[3] = {{out_fd, POLLIN, 0},
                       {err_fd, POLLIN, 0},
                       {in_fd, POLLOUT, 0}};  // negative fds are skipped
      int n = ::poll(fds, 3, wait_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      for (int i = 0; i < 2; ++i) {
        int& fd = i == 0 ? out_fd : err_fd;
        if (fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        ssize_t r = ::read(fd, buffer, sizeof(buffer));
        if (r > 0) {
          (i == 0 ? result.output : result.error)
              .append(buffer, static_cast<size_t>(r));
        } else if (r == 0 || errno != EINTR) {
          ::close(fd);
          fd = -1;
        }
      }
      if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = ::write(in_fd, options.input.data() + written,
                            options.input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        // It stopped reading (closed stdin or exited): the rest is moot.
        if (w < 0 && errno != EAGAIN && errno != EINTR)
          written = options.input.size();
        if (written >= options.input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
      }
    }
    for (int fd : {in_fd, out_fd, err_fd}) {
      if (fd >= 0) ::close(fd);
    }
    // A command may close its output and keep running: the deadline holds
    // for its exit too.
    int wstatus = 0;
    while (true) {
      pid_t done = ::waitpid(pid, &wstatus, timed_out ? 0 : WNOHANG);
      if (done == pid || (done < 0 && errno != EINTR)) break;
      if (done == 0 && !timed_out) {
        if (absl::Now() >= deadline) {
          ::kill(-pid, SIGKILL);
          timed_out = true;
        } else {
          absl::SleepFor(absl::Milliseconds(5));
        }
      }
    }
    result.exit_code = ExitCode(wstatus);
    if (timed_out) {
      const std::string& said = result.output;
      return absl::DeadlineExceededError(absl::StrCat(
          argv[0], " did not finish within ",
          absl::FormatDuration(options.timeout),
          " and was stopped; its output: ",
          said.size() > 2000 ? "..." + said.substr(said.size() - 2000) : said,
          result.error.empty() ? "" : " ",
          result.error.size() > 2000
              ? "..." + result.error.substr(result.error.size() - 2000)
              : result.error));
    }
    return result;
  }
};

// Reaps `pid` if it is our child and has exited; true if it is gone.
bool Reaped(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

// A zombie whose parent has not reaped it yet: exited, as far as we care.
bool Zombie(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  std::getline(in, stat);
  size_t paren = stat.rfind(") ");  // the command may hold spaces and parens
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] == 'Z';
}

}  // namespace

ProcessRunner* ProcessRunner::Real() {
  static RealProcessRunner* runner = new RealProcessRunner();
  return runner;
}

std::vector<std::pair<std::string, std::string>> EnvPairs(
    const std::vector<std::string>& assignments) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(assignments.size());
  for (const std::string& a : assignments) {
    const size_t eq = a.find('=');
    out.emplace_back(a.substr(0, eq),
                     eq == std::string::npos ? "" : a.substr(eq + 1));
  }
  return out;
}

absl::StatusOr<pid_t> SpawnDetached(const std::vector<std::string>& argv,
                                    const SpawnOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  ExecPlan plan(argv, options.env, options.inherit_env);
  const std::string log_path =
      options.log_file.empty() ? "/dev/null" : options.log_file.string();
  int log =
      ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", log_path, ": ", std::strerror(errno)));
  }
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2];
  if (null < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(log);
    if (null >= 0) ::close(null);
    return absl::InternalError(absl::StrCat("spawn: ", std::strerror(err)));
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {log, null, report[0], report[1]}) ::close(fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(err)));
  }
  if (pid == 0) {
    ::setsid();  // outlives the caller's terminal and process group
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // it died before prctl
    }
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    // Keep nothing else of the caller (e.g. a pipe a test reads until EOF).
    CloseOthers(report[1]);
    ExecOrReport(plan, report[1]);
  }
  for (int fd : {log, null, report[1]}) ::close(fd);
  if (int err = ExecError(report[0]); err != 0) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return CannotExec(argv[0], err);
  }
  return pid;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || Reaped(pid)) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  return !Zombie(pid);
}

absl::Status StopProcess(pid_t pid, absl::Duration grace) {
  if (!ProcessAlive(pid)) return absl::OkStatus();
  ::kill(pid, SIGTERM);
  const absl::Time deadline = absl::Now() + grace;
  while (absl::Now() < deadline) {
    if (!ProcessAlive(pid)) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    if (!ProcessAlive(pid)) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::InternalError(absl::StrCat("pid ", pid, " survived SIGKILL"));
}

bool ProcessRuns(pid_t pid, std::string_view program) {
  if (!ProcessAlive(pid)) return false;
  std::ifstream in(absl::StrCat("/proc/", pid, "/cmdline"), std::ios::binary);
  std::string argv0;
  std::getline(in, argv0, '\0');  // empty for a zombie
  return !argv0.empty() &&
         std::filesystem::path(argv0).filename() == std::string(program);
}

absl::Status StopProgram(pid_t pid, std::string_view program,
                         absl::Duration grace) {
  if (!ProcessRuns(pid, program)) return absl::OkStatus();
  return StopProcess(pid, grace);
}

}  // namespace poolops::proc
