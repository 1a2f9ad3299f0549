// The config server of a 9.x stack. No image exists: on real hosts poolops
// serves the chain config as a static file with the stock nginx image
// (./config-server/chain.json mounted at /usr/share/nginx/html/config/chain,
// nginx on 8888). The simulator plays that nginx for every stack.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/public_chain_config.h"
#include "devnet/simulators/sim_env.h"

namespace poolops::sim {

inline constexpr char kConfigServerFile[] =
    "/usr/share/nginx/html/config/chain";

// POOLOPS_SIM_CONFIG_FILE, default kConfigServerFile.
std::string ConfigServerFile(const Env& env);

// Reads the file and validates it as the 9.x core will
// (ParsePublicChainConfig); the error names the file and the bad field.
absl::StatusOr<PublicChainConfig> CheckConfigServerFile(
    const std::string& path);

// GET /config/chain: the file's bytes as they are now (nginx reads the file
// per request), application/json; 404 when unreadable and for other paths.
HttpResponse HandleConfigServer(const std::string& path,
                                const HttpRequest& request);

}  // namespace poolops::sim
