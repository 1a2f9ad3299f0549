#include "libs/common/service_main.h"

#include <cstdio>
#include <string>

#include "absl/synchronization/mutex.h"
#include "libs/common/home.h"
#include "libs/common/logging.h"
#include "libs/common/process_hardening.h"
#include "spdlog/spdlog.h"

namespace poolops {

int ServiceMain(
    int argc, char** argv, std::string_view service_name,
    const std::function<absl::Status(const ServerOptions&)>& serve) {
  // First, before any key, password or config is read.
  if (absl::Status s = HardenProcess(); !s.ok()) {
    std::fprintf(stderr, "poolops-%s: %s\n", std::string(service_name).c_str(),
                 s.ToString().c_str());
    return 1;
  }
  // absl's Mutex deadlock detection (on in Debian's build of absl) keeps a
  // lock graph for every Mutex: a debugging aid that costs each signature a
  // few per cent of CPU. Tests keep it; the services run without it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  ServerOptions options;
  options.service_name = std::string(service_name);
  if (!ParseServerFlags(argc, argv, &options).ok()) return 2;
  // The home first: refused when others may write to it, created 0700
  // before anything (the log file) is put in it.
  if (absl::Status s = Home::Open(options.home).status(); !s.ok()) {
    std::fprintf(stderr, "poolops-%s: %s\n", options.service_name.c_str(),
                 std::string(s.message()).c_str());
    return 2;
  }
  if (absl::Status s =
          InitLogging(options.service_name, options.home, options.log_level);
      !s.ok()) {
    std::fprintf(stderr, "poolops-%s: %s\n", options.service_name.c_str(),
                 s.ToString().c_str());
    return 2;
  }
  if (absl::Status s = serve(options); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  return 0;
}

}  // namespace poolops
