// What every poolops service does to itself before it handles a secret: no
// core dumps (RLIMIT_CORE 0) and not dumpable (PR_SET_DUMPABLE 0: no core
// file, no ptrace or /proc/PID/mem by other processes of the same user), so
// an unlocked key or a password in memory does not end up on disk or in
// another process.
#pragma once

#include "absl/status/status.h"

namespace poolops {

// Applies both settings to the calling process; Internal naming the one that
// failed. Children inherit RLIMIT_CORE; dumpable resets on exec.
absl::Status HardenProcess();

}  // namespace poolops
