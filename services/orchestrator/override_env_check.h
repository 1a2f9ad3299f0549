// The operator's override.env (a bundle folder's own variables, appended to
// the .env poolops writes) checked against the stack it now feeds. Compose
// ignores a variable no compose file reads, and the 9.x services refuse
// values 8.x took: on a v9.3 bundle, a v8 name, a container variable put
// here, a gas price multiplier of 0 or a block time in seconds are errors
// naming the line and the fix. Older stacks are not checked.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// The largest override.env read (a bound on what a host hands back).
inline constexpr size_t kMaxOverrideEnvBytes = 64 * 1024;

// "override.env:<line>: <NAME>: <why and the fix>", in line order. `read`:
// the variables the bundle's compose files read.
std::vector<std::string> CheckOverrideEnv(v1::StackVersion version,
                                          std::string_view text,
                                          const std::set<std::string>& read);

}  // namespace poolops::orchestrator
