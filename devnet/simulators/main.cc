// poolops-stack-sim: plays one service of the iExec core or worker stack
// (a simulator, not the real service). Usage:
//   poolops-stack-sim --role <role>     (or POOLOPS_SIM_ROLE=<role>)
//   poolops-stack-sim --list-roles
//   mongodump --archive / mongorestore --archive --drop (as those names)
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "devnet/simulators/mongo_store.h"
#include "devnet/simulators/role_runner.h"
#include "devnet/simulators/roles.h"
#include "devnet/simulators/sim_env.h"

int main(int argc, char** argv) {
  using namespace poolops::sim;
  // The image also installs this binary as mongodump and mongorestore.
  if (int code = RunMongoTool(argc, argv); code >= 0) return code;
  Env env = ProcessEnv();
  std::string role = EnvOr(env, "POOLOPS_SIM_ROLE", "");
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--role" && i + 1 < argc) {
      role = argv[++i];
    } else if (arg.rfind("--role=", 0) == 0) {
      role = arg.substr(7);
    } else if (arg == "--list-roles") {
      for (const RoleSpec& r : AllRoles()) {
        std::printf("%-34s %s\n", r.name.c_str(), r.about.c_str());
      }
      return 0;
    } else {
      std::fprintf(stderr, "poolops-stack-sim: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (role.empty()) {
    std::fprintf(stderr,
                 "poolops-stack-sim: --role is required (--list-roles)\n");
    return 2;
  }
  // Block the stop signals in every thread, then wait for them here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::Notification stop;
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    stop.Notify();
  });
  waiter.detach();
  absl::Status status = RunRole(role, env, &stop);
  if (!status.ok()) {
    std::fprintf(stderr, "[%s simulator] error: %s\n", role.c_str(),
                 status.ToString().c_str());
    return 1;
  }
  return 0;
}
