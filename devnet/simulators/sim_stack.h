// Which iExec stack a simulator plays (POOLOPS_SIM_STACK, set by the
// orchestrator on every simulated service), and the v9.3 refusal of the
// variables only v8 services read: the real 9.x services ignore unknown
// names silently, the simulators stop so that a wrong render shows on the
// devnet.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "devnet/simulators/sim_env.h"

namespace poolops::sim {

// v7.1 and v8.3 behave alike (today's simulators); v9.3 reads the 9.x names.
enum class SimStack { kV71, kV83, kV93 };

// "v7.1" when POOLOPS_SIM_STACK is unset or empty; anything but v7.1, v8.3
// and v9.3 is an error.
absl::StatusOr<SimStack> StackFromEnv(const Env& env);
std::string StackName(SimStack stack);

// A variable a v8 service read and its 9.x service does not.
struct V8OnlyVariable {
  std::string name;
  std::string instead;  // what to render instead, e.g. "use IEXEC_CORE_URL"
};

// FailedPrecondition naming every `variables` entry present in env (even
// with an empty value), in the list's order:
//   "<service> does not read IEXEC_CORE_HOST (a v8 variable; use
//   IEXEC_CORE_URL) [POOLOPS_SIM_STACK=v9.3]"
absl::Status RefuseV8OnlyVariables(
    const Env& env, const std::string& service,
    const std::vector<V8OnlyVariable>& variables);

}  // namespace poolops::sim
