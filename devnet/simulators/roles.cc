#include "devnet/simulators/roles.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace poolops::sim {

const std::vector<RoleSpec>& AllRoles() {
  static const auto* roles = new std::vector<RoleSpec>{
      {"core", "IEXEC_CORE_PORT", 13000,
       "iexec-core: /metrics, /actuator/health, /version, /workers/config, "
       "POST /workers/ping"},
      {"worker", "IEXEC_WORKER_PORT", 0,
       "iexec-worker: pings the core; /actuator/health if IEXEC_WORKER_PORT "
       "is set"},
      {"blockchain-adapter", "IEXEC_BLOCKCHAIN_ADAPTER_API_PORT", 13010,
       "iexec-blockchain-adapter-api: /config/chain (v7.1, v8.3), "
       "/actuator/health (v9.3)"},
      {"config-server", "", 8888,
       "the 9.x config server (nginx serving chain.json): /config/chain"},
      {"grafana", "GF_SERVER_HTTP_PORT", 3000, "grafana: /api/health"},
      {"mongodb-proxy", "", 3333, "grafana-proxy: listens"},
      {"mongo", "", 13002, "core mongo (mongod --port 13002): listens"},
      {"blockchain-adapter-mongo", "", 13012,
       "adapter mongo (mongod --port 13012): listens"},
      {"mongo-express", "VCAP_APP_PORT", 13003, "core mongo_ui: HTTP 200"},
      {"blockchain-adapter-mongo-express", "VCAP_APP_PORT", 13013,
       "adapter mongo ui: HTTP 200"},
      {"order-publisher", "", 0,
       "order-publisher-std: polls CORE_URL/metrics every CHECK_SLEEP_TIME s "
       "and logs what it would publish"},
  };
  return *roles;
}

absl::StatusOr<RoleSpec> FindRole(const std::string& name) {
  std::vector<std::string> names;
  for (const RoleSpec& role : AllRoles()) {
    if (role.name == name) return role;
    names.push_back(role.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown simulator role '", name,
                   "'; roles: ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<int> RolePort(const RoleSpec& role, const Env& env) {
  int port = role.default_port;
  if (!role.port_env.empty()) {
    absl::StatusOr<int> own = EnvInt(env, role.port_env, port);
    if (!own.ok()) return own.status();
    port = *own;
  }
  absl::StatusOr<int> forced = EnvInt(env, "POOLOPS_SIM_PORT", port);
  if (!forced.ok()) return forced.status();
  if (*forced < 0 || *forced > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port out of range: ", *forced));
  }
  return *forced;
}

}  // namespace poolops::sim
