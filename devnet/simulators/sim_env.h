// The environment a simulator reads, as a map, so tests pass their own.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace poolops::sim {

using Env = std::map<std::string, std::string>;

// The process environment.
Env ProcessEnv();
// The value, or fallback when unset or empty (compose writes `VAR=` for
// "use the default", e.g. IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT).
std::string EnvOr(const Env& env, const std::string& name,
                  const std::string& fallback);
absl::StatusOr<int> EnvInt(const Env& env, const std::string& name,
                           int fallback);
// Spring-style booleans: true/false in any case.
absl::StatusOr<bool> EnvBool(const Env& env, const std::string& name,
                             bool fallback);

}  // namespace poolops::sim
