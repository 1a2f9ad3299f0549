// poolctl services up|down|status: the local suite as detached processes,
// one per service, each found through its run/<service>.json.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "libs/common/client_channel.h"
#include "libs/common/health_client.h"
#include "libs/common/home.h"
#include "libs/common/process_runner.h"
#include "libs/common/suite.h"

namespace poolops::cli {
namespace {

namespace fs = std::filesystem;

struct ServiceState {
  std::string name;
  std::string address;
  std::string metrics;
  std::string dashboard;  // the monitor's status page
  int pid = 0;            // 0: not running
  bool healthy = false;
  bool remote = false;  // address set explicitly: not started or stopped here
};

nlohmann::json ToJson(const std::vector<ServiceState>& states) {
  nlohmann::json services = nlohmann::json::array();
  for (const ServiceState& s : states) {
    nlohmann::json j = {{"name", s.name},
                        {"address", s.address},
                        {"healthy", s.healthy},
                        {"metrics", s.metrics}};
    if (s.name == "monitor") j["dashboard"] = s.dashboard;
    j["pid"] = s.pid ? nlohmann::json(s.pid) : nlohmann::json();
    services.push_back(std::move(j));
  }
  return {{"services", services}};
}

std::string Human(const std::vector<ServiceState>& states) {
  std::string out;
  for (const ServiceState& s : states) {
    absl::StrAppend(
        &out, s.name,
        std::string(15 - std::min<size_t>(14, s.name.size()), ' '),
        s.healthy ? "healthy  " : (s.pid ? "starting " : "stopped  "),
        s.address, s.metrics.empty() ? "" : "  ", s.metrics,
        s.dashboard.empty() ? "" : "  page ", s.dashboard, "\n");
  }
  return out;
}

fs::path DefaultSocket(const fs::path& home, std::string_view service) {
  return home / "run" / absl::StrCat(std::string(service), ".sock");
}

bool IsRemote(const fs::path& home, std::string_view service) {
  absl::StatusOr<SuiteEndpoint> endpoint = ResolveSuiteEndpoint(home, service);
  return endpoint.ok() && endpoint->explicit_setting;
}

// What run/<service>.json says, checked against the process and its health.
ServiceState Probe(const fs::path& home, const SuiteService& svc) {
  ServiceState state;
  state.name = std::string(svc.name);
  state.address = absl::StrCat("unix:", DefaultSocket(home, svc.name).string());
  // Set explicitly (env or config.yaml, see client_channel.h): it runs
  // elsewhere (another host, containers); only its health is ours to see.
  if (absl::StatusOr<SuiteEndpoint> endpoint =
          ResolveSuiteEndpoint(home, svc.name);
      endpoint.ok() && endpoint->explicit_setting) {
    state.remote = true;
    state.address = endpoint->address;
    state.metrics = endpoint->metrics;
    state.dashboard = endpoint->dashboard;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        EndpointChannel(home, *endpoint);
    absl::StatusOr<HealthState> health =
        channel.ok() ? CheckHealth(**channel, "", absl::Seconds(5))
                     : absl::StatusOr<HealthState>(channel.status());
    state.healthy = health.ok() && *health == HealthState::kServing;
    return state;
  }
  absl::StatusOr<RunInfo> info = ReadRunInfo(home / "run", svc.name);
  // The pid in a run file may have been recycled: only a process running
  // the service's binary is it.
  if (!info.ok() || !proc::ProcessRuns(info->pid, svc.binary)) {
    return state;
  }
  state.pid = info->pid;
  state.address = info->address;
  state.metrics = info->metrics;
  state.dashboard = info->dashboard;
  // A local service may listen on TCP (its run file says so): that is mutual
  // TLS like any TCP edge, with the client settings of client_channel.h.
  SuiteEndpoint endpoint{info->address,
                         RunInfoPath(home / "run", svc.name).string(), false,
                         info->metrics};
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      EndpointChannel(home, endpoint);
  absl::StatusOr<HealthState> health =
      channel.ok()
          ? CheckHealth(**channel, "",
                        endpoint.tls() ? absl::Seconds(5) : absl::Seconds(2))
          : absl::StatusOr<HealthState>(channel.status());
  state.healthy = health.ok() && *health == HealthState::kServing;
  return state;
}

fs::path BinDir() {
  if (const char* env = std::getenv("POOLOPS_BIN_DIR"); env && *env) {
    return env;
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : self.parent_path();
}

// Last line of a log, to name the cause in start errors.
std::string LastLogLine(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::vector<ServiceState> ProbeAll(const fs::path& home) {
  std::vector<ServiceState> states;
  for (const SuiteService& svc : kSuite) states.push_back(Probe(home, svc));
  return states;
}

absl::Status Up(const Context& ctx, absl::Duration timeout) {
  absl::StatusOr<Home> home = Home::Open(ctx.Home());
  if (!home.ok()) return home.status();
  // One `up` at a time per home (Context::Channel may start the suite from
  // several poolctl processes at once); released when the fd closes.
  fs::path lock_path = home->run_dir() / "suite.lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX) != 0) {
    if (lock_fd >= 0) ::close(lock_fd);
    return absl::PermissionDeniedError(
        absl::StrCat("cannot lock ", lock_path.string()));
  }
  struct LockGuard {
    int fd;
    ~LockGuard() { ::close(fd); }
  } lock_guard{lock_fd};
  fs::path bin_dir = BinDir();
  struct Started {
    const SuiteService* svc;
    int pid;  // 0: was already running
  };
  std::vector<Started> started;
  // Start everything first, then wait: the services start in parallel.
  for (const SuiteService& svc : kSuite) {
    ServiceState state = Probe(home->root(), svc);
    if (state.pid != 0 || state.remote) {  // running or elsewhere: wait
      started.push_back({&svc, 0});
      continue;
    }
    fs::path binary = bin_dir / svc.binary;
    if (::access(binary.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot start ", std::string(svc.name), ": ", binary.string(),
          " is missing or not executable (set POOLOPS_BIN_DIR to the folder "
          "of the poolops binaries)"));
    }
    fs::path log =
        home->logs_dir() / absl::StrCat(std::string(svc.name), ".log");
    // Detached (own session) with stdio on the log; only --home in argv.
    absl::StatusOr<pid_t> pid = proc::SpawnDetached(
        {binary.string(), "--home", home->root().string()}, {log});
    if (!pid.ok()) return pid.status();
    ctx.Progress(absl::StrCat("starting ", std::string(svc.name), " (pid ",
                              *pid, ", log ", log.string(), ")"));
    started.push_back({&svc, *pid});
  }
  absl::Time deadline = absl::Now() + timeout;
  for (const Started& s : started) {
    std::string name(s.svc->name);
    fs::path log = home->logs_dir() / absl::StrCat(name, ".log");
    while (true) {
      if (Probe(home->root(), *s.svc).healthy) break;
      if (s.pid != 0) {
        int wstatus = 0;
        if (::waitpid(s.pid, &wstatus, WNOHANG) == s.pid) {
          std::string last = LastLogLine(log);
          return absl::UnavailableError(absl::StrCat(
              name, " exited during start (",
              WIFEXITED(wstatus) ? absl::StrCat("status ", WEXITSTATUS(wstatus))
                                 : absl::StrCat("signal ", WTERMSIG(wstatus)),
              "); see ", log.string(), last.empty() ? "" : ": ", last));
        }
      }
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            name, " did not report healthy within ",
            absl::FormatDuration(timeout), "; see ", log.string()));
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    if (s.pid != 0) ctx.Progress(absl::StrCat(name, " is healthy"));
  }
  return absl::OkStatus();
}

absl::Status Down(const Context& ctx, absl::Duration timeout) {
  fs::path home = ctx.Home();
  // SIGTERM to all at once (each takes ~1.5 s to stop its metrics server),
  // callers first, the vault last.
  struct Stopping {
    std::string name;
    int pid;
  };
  std::vector<Stopping> stopping;
  for (auto it = kSuite.rbegin(); it != kSuite.rend(); ++it) {
    if (IsRemote(home, it->name)) continue;
    absl::StatusOr<RunInfo> info = ReadRunInfo(home / "run", it->name);
    if (info.ok() && proc::ProcessRuns(info->pid, it->binary)) {
      std::string name(it->name);
      ctx.Progress(absl::StrCat("stopping ", name, " (pid ", info->pid, ")"));
      ::kill(info->pid, SIGTERM);
      stopping.push_back({name, info->pid});
    }
  }
  auto wait_all = [&](absl::Duration limit) {
    absl::Time deadline = absl::Now() + limit;
    bool any_alive = true;
    while (any_alive && absl::Now() < deadline) {
      any_alive = false;
      for (const Stopping& s : stopping) {
        any_alive = any_alive || proc::ProcessAlive(s.pid);
      }
      if (any_alive) absl::SleepFor(absl::Milliseconds(50));
    }
  };
  wait_all(timeout);
  bool killed = false;
  for (const Stopping& s : stopping) {
    if (proc::ProcessAlive(s.pid)) {
      ctx.Progress(absl::StrCat(s.name, " ignored SIGTERM for ",
                                absl::FormatDuration(timeout),
                                ": sending SIGKILL"));
      ::kill(s.pid, SIGKILL);
      killed = true;
    }
  }
  if (killed) wait_all(absl::Seconds(5));
  for (const Stopping& s : stopping) {
    if (proc::ProcessAlive(s.pid)) {
      return absl::InternalError(
          absl::StrCat(s.name, " (pid ", s.pid, ") survived SIGKILL"));
    }
  }
  // What stopped, killed or crashed services may have left.
  for (const SuiteService& svc : kSuite) {
    if (IsRemote(home, svc.name)) continue;
    std::error_code ec;
    fs::remove(RunInfoPath(home / "run", svc.name), ec);
    fs::remove(DefaultSocket(home, svc.name), ec);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EnsureSuiteRunning(const Context& ctx, absl::Duration timeout) {
  return Up(ctx, timeout);
}

void AddServicesCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "services", "Start, stop and check the local suite",
      [&ctx, exit_code](CLI::App* services) {
        auto timeout_seconds = std::make_shared<int>(30);
        CLI::App* up = services->add_subcommand(
            "up", "Start the four services (idempotent); wait until healthy");
        up->add_option("--timeout", *timeout_seconds,
                       "Seconds to wait for each service to report healthy")
            ->capture_default_str();
        up->callback([&ctx, exit_code, timeout_seconds] {
          absl::Status s = Up(ctx, absl::Seconds(*timeout_seconds));
          if (!s.ok()) {
            *exit_code = ctx.Fail(s);
            return;
          }
          auto states = ProbeAll(ctx.Home());
          *exit_code = ctx.Ok(ToJson(states), Human(states));
        });

        auto stop_seconds = std::make_shared<int>(10);
        CLI::App* down = services->add_subcommand(
            "down",
            "Stop the local suite (SIGTERM, then SIGKILL after --timeout)");
        down->add_option("--timeout", *stop_seconds,
                         "Seconds a service gets to stop before SIGKILL")
            ->capture_default_str();
        down->callback([&ctx, exit_code, stop_seconds] {
          absl::Status s = Down(ctx, absl::Seconds(*stop_seconds));
          if (!s.ok()) {
            *exit_code = ctx.Fail(s);
            return;
          }
          auto states = ProbeAll(ctx.Home());
          *exit_code = ctx.Ok(ToJson(states), Human(states));
        });

        CLI::App* status =
            services->add_subcommand("status", "Health of each service");
        status->callback([&ctx, exit_code] {
          auto states = ProbeAll(ctx.Home());
          *exit_code = ctx.Ok(ToJson(states), Human(states));
        });
      });
}

}  // namespace poolops::cli
