#include "devnet/simulators/config_server_simulator.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace poolops::sim {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HttpResponse NotFound() {
  // nginx's own 404 page.
  return {404, "text/html",
          "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
          "<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n"};
}

}  // namespace

std::string ConfigServerFile(const Env& env) {
  return EnvOr(env, "POOLOPS_SIM_CONFIG_FILE", kConfigServerFile);
}

absl::StatusOr<PublicChainConfig> CheckConfigServerFile(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(text.status().message(),
                     " (the chain config the rendered bundle mounts; "
                     "POOLOPS_SIM_CONFIG_FILE overrides the path)"));
  }
  absl::StatusOr<PublicChainConfig> config = ParsePublicChainConfig(*text);
  if (!config.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

HttpResponse HandleConfigServer(const std::string& path,
                                const HttpRequest& request) {
  if (request.method != "GET" || request.path != "/config/chain") {
    return NotFound();
  }
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return NotFound();
  return {200, "application/json", *std::move(text)};
}

}  // namespace poolops::sim
