// The one rule for tests that need a tool the machine may lack (sshd,
// docker-compose, a docker daemon, prometheus, anvil, the npm assets): they
// skip on a developer's machine, and fail under CI (CI=true), where a
// skipped test would let CI go green without running it.
#pragma once

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace poolops::test {

// True under CI (CI=true): nothing a test needs may be missing.
inline bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace poolops::test

// Ends the current test (a void function: a TEST body, SetUp) because a
// tool is missing: a skip, or under CI a failure. `why` is anything
// streamable that names the tool and how to get it.
#define POOLOPS_MISSING_TOOL(why)                                   \
  do {                                                              \
    if (::poolops::test::UnderCi())                                 \
      FAIL() << why << " (CI=true: a missing tool fails the test)"; \
    GTEST_SKIP() << why;                                            \
  } while (0)
