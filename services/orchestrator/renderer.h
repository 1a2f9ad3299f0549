// Renders a pool spec into bundles: one per host and role (the core, each
// worker), each a folder of .env (0600, only the variables its compose files
// read), docker-compose.yml plus feature overlays (used with -f), the wallet
// keystore (0600) and a manifest. Templates come from compose/templates,
// embedded at build time. Pure: no I/O; thread-safe after Create.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/compose_file.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/secrets.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {

struct BundleFile {
  std::string path;  // relative to the bundle folder
  std::string content;
  uint32_t mode = 0644;
};

struct Bundle {
  std::string name;     // "core" or the worker's name: the folder name
  std::string role;     // "core" | "worker"
  std::string target;   // the spec's target (the bundle goes to <path>/<name>)
  std::string project;  // compose project name: <pool>-<name>
  std::vector<std::string> compose_files;  // in `-f` order
  std::vector<BundleFile> files;
  // The .env values in file order (merging workers re-writes them).
  std::vector<std::pair<std::string, std::string>> env;
};

struct RenderInput {
  v1::PoolSpec spec;  // as written; defaults are applied by Render
  ChainInfo chain;
  PoolSecrets secrets;
  std::map<std::string, WalletKeystore> wallets;  // by wallet name
  std::string workerpool_address;  // may be empty before registration
};

class Renderer {
 public:
  // Parses every embedded template once.
  static absl::StatusOr<Renderer> Create();
  // FailedPrecondition when a wallet or password is missing;
  // InvalidArgument when a value cannot be written safely (env_values.h).
  absl::StatusOr<std::vector<Bundle>> Render(const RenderInput& input) const;

 private:
  explicit Renderer(std::map<std::string, ComposeFile> templates)
      : templates_(std::move(templates)) {}
  std::map<std::string, ComposeFile> templates_;  // by template path
};

// Template files embedded from compose/templates: path ("v7.1/core/
// docker-compose.yml") -> content.
const std::map<std::string, std::string_view>& EmbeddedTemplates();

}  // namespace poolops::orchestrator
