#include "devnet/simulators/sim_stack.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace poolops::sim {

absl::StatusOr<SimStack> StackFromEnv(const Env& env) {
  std::string value = EnvOr(env, "POOLOPS_SIM_STACK", "v7.1");
  if (value == "v7.1") return SimStack::kV71;
  if (value == "v8.3") return SimStack::kV83;
  if (value == "v9.3") return SimStack::kV93;
  return absl::InvalidArgumentError(
      absl::StrCat("POOLOPS_SIM_STACK='", value,
                   "': the simulators play v7.1 (the default), v8.3 or v9.3"));
}

std::string StackName(SimStack stack) {
  switch (stack) {
    case SimStack::kV71:
      return "v7.1";
    case SimStack::kV83:
      return "v8.3";
    case SimStack::kV93:
      return "v9.3";
  }
  return "?";
}

absl::Status RefuseV8OnlyVariables(
    const Env& env, const std::string& service,
    const std::vector<V8OnlyVariable>& variables) {
  std::vector<std::string> found;
  for (const V8OnlyVariable& v : variables) {
    if (env.count(v.name) == 0) continue;
    found.push_back(absl::StrCat(service, " does not read ", v.name,
                                 " (a v8 variable; ", v.instead, ")"));
  }
  if (found.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(absl::StrJoin(found, "; "), " [POOLOPS_SIM_STACK=v9.3]"));
}

}  // namespace poolops::sim
