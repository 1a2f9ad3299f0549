// The orchestrator's domain entry point for a spec: load (parse + validate),
// render the bundles, plan the changes. No gRPC here: the service adapter
// (orchestrator_service.h) maps these to the API. Thread-safe when its
// dependencies are.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/random.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/renderer.h"
#include "services/orchestrator/secrets.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/state_store.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {

struct Dependencies {
  WalletSource* wallets = nullptr;  // null: render/plan fail for wallets
  SecretStore* secrets = nullptr;
  StateStore* state = nullptr;      // null: plan compares with nothing
  Random* random = Random::Secure();
  // The iExec SDK chain.json of a chain ("" when unknown): the home's
  // chains/<name>.json in production.
  std::function<std::string(const std::string& chain)> chain_json;
};

struct LoadedSpec {
  v1::PoolSpec spec;  // as written
  SpecLocations locations;
  std::filesystem::path dir;  // relative paths resolve here
  std::vector<v1::Violation> violations;  // empty: valid
};

struct RenderResult {
  std::vector<Bundle> bundles;
  std::vector<std::string> notes;
  ChainInfo chain;
  std::map<std::string, WalletKeystore> wallets;
  std::string workerpool;  // "" before registration
};

class Orchestrator {
 public:
  explicit Orchestrator(Dependencies deps);

  // Parses (yaml) or takes (spec) the source and validates it. A YAML syntax
  // error is InvalidArgument; every other problem is a violation.
  absl::StatusOr<LoadedSpec> Load(const v1::SpecSource& source) const;
  // Load, then InvalidArgument listing every violation ("file:line field:
  // message", one per line) when there are any.
  absl::StatusOr<LoadedSpec> LoadValid(const v1::SpecSource& source) const;

  // What Render does about wallets missing from the vault.
  enum class MissingWallets {
    kFail,         // FailedPrecondition naming the field
    kCreate,       // create them with generated passwords (kept in the
                   // secret store): the first step of `up`, which render
                   // also takes so that its output is complete
    kPlaceholder,  // render without them (plan: only those files differ)
  };
  absl::StatusOr<RenderResult> Render(const LoadedSpec& spec,
                                      MissingWallets missing) const;
  absl::StatusOr<RenderResult> Render(const LoadedSpec& spec,
                                      bool create_wallets) const {
    return Render(spec, create_wallets ? MissingWallets::kCreate
                                       : MissingWallets::kFail);
  }

  // The actions `up` would take; changes nothing.
  absl::StatusOr<std::vector<v1::Action>> Plan(const LoadedSpec& spec) const;

  const Renderer& renderer() const { return *renderer_; }
  const Dependencies& deps() const { return deps_; }

 private:
  Dependencies deps_;
  std::unique_ptr<Renderer> renderer_;
  absl::Status renderer_status_;
};

// "pool.yaml:7 core.host: required ..." lines.
std::string ViolationsText(const std::vector<v1::Violation>& violations);

}  // namespace poolops::orchestrator
