// A docker compose and health fake for the apply tests: containers are
// "up" per bundle, real local targets hold the files.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/orchestrator/compose_file.h"
#include "services/orchestrator/compose_runner.h"
#include "services/orchestrator/health_probe.h"
#include "services/orchestrator/up_run.h"

namespace poolops::orchestrator {

// Containers are "up" per (target, bundle); the core is healthy while its
// bundle is up; each up worker bundle counts as one alive worker unless it
// is named in `never_ping`.
class FakeCompose : public ComposeRunner, public HealthProbe {
 public:
  absl::Status Up(Target* t, const ComposeBundle& b) override {
    if (hold != nullptr) {
      std::call_once(entered_once_, [this] { entered.Notify(); });
      hold->WaitForNotification();
    }
    absl::MutexLock lock(&mu_);
    if (fail_up.count(b.name)) return absl::UnavailableError("image missing");
    up_.insert(b.name);
    if (b.name == "core") {
      std::string& data = Database(b.project);
      if (!core_writes.empty()) data = core_writes;
    }
    actions_.push_back("up " + b.name);
    ++ups;
    return absl::OkStatus();
  }
  absl::Status Down(Target*, const ComposeBundle& b,
                    bool remove_volumes) override {
    absl::MutexLock lock(&mu_);
    up_.erase(b.name);
    database_up_.erase(b.project);
    if (remove_volumes) databases_.erase(b.project);
    actions_.push_back("down " + b.name);
    ++downs;
    return absl::OkStatus();
  }
  // The services of the bundle's compose files, unless its .env holds a
  // line of `crash_env` (a worker that exits on that version).
  absl::StatusOr<std::vector<std::string>> Running(
      Target* t, const ComposeBundle& b) override {
    {
      absl::MutexLock lock(&mu_);
      if (!up_.count(b.name)) return std::vector<std::string>{};
    }
    absl::StatusOr<CommandResult> env = t->Shell(b.name, "cat .env");
    if (!env.ok()) return env.status();
    for (const std::string& line : crash_env) {
      if (absl::StrContains(env->output, line + "\n")) {
        return std::vector<std::string>{};
      }
    }
    std::vector<std::string> services;
    for (const std::string& file : b.files) {
      absl::StatusOr<CommandResult> text = t->Shell(b.name, "cat " + file);
      if (!text.ok()) return text.status();
      absl::StatusOr<ComposeFile> f = ComposeFile::Parse(text->output, file);
      if (!f.ok()) return f.status();
      for (const std::string& s : f->ServiceNames()) services.push_back(s);
    }
    return services;
  }
  // The database service alone: a fresh volume holds its own data.
  absl::Status UpServices(Target*, const ComposeBundle& b,
                          const std::vector<std::string>& services) override {
    absl::MutexLock lock(&mu_);
    actions_.push_back(
        absl::StrCat("up ", b.name, " ", absl::StrJoin(services, " ")));
    Database(b.project);
    database_up_.insert(b.project);
    return absl::OkStatus();
  }
  // mongodump/mongorestore --archive on the project's database, which
  // exists from the first up of its bundle (or of its database) until a
  // down that removes volumes.
  absl::StatusOr<std::string> Exec(Target*, const ComposeBundle& b,
                                   const std::string& service,
                                   const std::vector<std::string>& command,
                                   const std::string& input) override {
    absl::MutexLock lock(&mu_);
    if (fail_exec || service != "mongo" || command.empty() ||
        (!up_.count(b.name) && !database_up_.count(b.project))) {
      return absl::UnavailableError(absl::StrCat(service, " is not running"));
    }
    actions_.push_back(absl::StrCat("exec ", b.name, " ", command[0]));
    if (command[0] == "mongodump") return Database(b.project);
    if (command[0] == "mongod") {
      return absl::StrCat("db version v", mongo_version, "\nBuild Info: {}\n");
    }
    if (command[0] == "mongorestore") {
      Database(b.project) = input;
      return std::string();
    }
    return absl::InvalidArgumentError("unknown command");
  }
  std::string database(const std::string& project) {
    absl::MutexLock lock(&mu_);
    return Database(project);
  }
  absl::StatusOr<CoreMetrics> Core(const std::string&, uint32_t) override {
    absl::MutexLock lock(&mu_);
    if (!up_.count("core") || core_never_healthy) {
      return absl::UnavailableError("connection refused");
    }
    CoreMetrics m;
    for (const std::string& b : up_) {
      if (b != "core" && !never_ping.count(b)) ++m.alive_workers;
    }
    return m;
  }
  absl::Status Watch(const PoolWatch& w) override {
    absl::MutexLock lock(&mu_);
    watched = w;
    return absl::OkStatus();
  }
  std::set<std::string> up() {
    absl::MutexLock lock(&mu_);
    return up_;
  }
  // Every compose up and down that went through, in order.
  std::vector<std::string> TakeActions() {
    absl::MutexLock lock(&mu_);
    return std::exchange(actions_, {});
  }

  std::set<std::string> fail_up, never_ping, crash_env;
  absl::Notification* hold = nullptr;  // Up waits for it when set
  absl::Notification entered;          // an Up is waiting on `hold`
  bool core_never_healthy = false;
  bool fail_exec = false;  // every Exec: the database unreachable
  std::string core_writes;
  std::string mongo_version =
      "4.4.29";  // what `mongod --version` says  // set: what every core up
                 // leaves in its database
  int ups = 0, downs = 0;
  PoolWatch watched;  // what the monitor was last told

 private:
  std::string& Database(const std::string& project)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto [it, added] = databases_.emplace(project, "");
    if (added) it->second = absl::StrCat("data of volume ", ++volumes_);
    return it->second;
  }
  std::once_flag entered_once_;
  absl::Mutex mu_;
  std::set<std::string> up_;
  std::vector<std::string> actions_;
  std::map<std::string, std::string> databases_;  // by compose project
  std::set<std::string> database_up_;
  int volumes_ = 0;
};

// Gates and waits in milliseconds, for FakeCompose; backups under
// `backup_dir`.
inline ApplyOptions FastApplyOptions(std::filesystem::path backup_dir) {
  ApplyOptions opts;
  opts.core_healthy_timeout = absl::Milliseconds(300);
  opts.workers_alive_timeout = absl::Milliseconds(300);
  opts.poll_interval = absl::Milliseconds(20);
  opts.worker_settle = absl::Milliseconds(40);
  opts.core_alive_window = absl::Milliseconds(40);
  opts.backup_dir = std::move(backup_dir);
  return opts;
}

}  // namespace poolops::orchestrator
