// The simulator roles: one per service of the iExec core and worker stacks
// (v7.1: STACKS.md 4.1, 4.2; v9.3 adds the config server), their real ports
// and port variables.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "devnet/simulators/sim_env.h"

namespace poolops::sim {

struct RoleSpec {
  std::string name;
  std::string port_env;  // the real service's port variable ("" if none)
  int default_port = 0;  // 0: the real service listens nowhere
  std::string about;
};

const std::vector<RoleSpec>& AllRoles();
absl::StatusOr<RoleSpec> FindRole(const std::string& name);
// POOLOPS_SIM_PORT, then the role's own variable, then its default; 0 means
// "do not listen" (the worker listens only when IEXEC_WORKER_PORT is set).
absl::StatusOr<int> RolePort(const RoleSpec& role, const Env& env);

}  // namespace poolops::sim
