#include "libs/common/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace poolops {
namespace {

// In a forked child (the settings are the process's): what HardenProcess
// leaves, as a bit per failed check in the exit code.
int HardenedChildFailures() {
  pid_t pid = ::fork();
  if (pid == 0) {
    int failures = 0;
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) failures |= 1;  // baseline
    if (!HardenProcess().ok()) failures |= 2;
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) failures |= 4;
    struct rlimit core;
    if (::getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 ||
        core.rlim_max != 0) {
      failures |= 8;
    }
    ::_exit(failures);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

TEST(ProcessHardeningTest, NotDumpableAndNoCoreFiles) {
  EXPECT_EQ(HardenedChildFailures(), 0)
      << "bits: 1 not dumpable before, 2 error, 4 still dumpable, "
         "8 RLIMIT_CORE not {0,0}";
}

}  // namespace
}  // namespace poolops
