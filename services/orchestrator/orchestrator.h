// The orchestrator's domain entry point for a spec: load (parse + validate),
// render the bundles, plan the changes. No gRPC here: the service adapter
// (orchestrator_service.h) maps these to the API. Thread-safe when its
// dependencies are.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/random.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/chain_client.h"
#include "services/orchestrator/renderer.h"
#include "services/orchestrator/secrets.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/state_store.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {

struct Dependencies {
  WalletSource* wallets = nullptr;  // null: render/plan fail for wallets
  SecretStore* secrets = nullptr;
  StateStore* state = nullptr;  // null: plan compares with nothing
  Random* random = Random::Secure();
  // Asked for the chains that are not presets (GetChain): chain-gateway in
  // production. Null: only presets and the spec's chain_params.
  ChainClient* chains = nullptr;
};

// Asked between wallet creations (each one a scrypt in the vault): true
// once the caller is gone (an RPC cancelled or past its deadline), so that
// a render or `up` nobody waits for stops creating wallets. Empty: never.
using CancelCheck = std::function<bool()>;

struct LoadedSpec {
  v1::PoolSpec spec;  // as written
  SpecLocations locations;
  std::filesystem::path dir;              // relative local targets resolve here
  std::vector<v1::Violation> violations;  // empty: valid
  // The secrets of *_file fields the request carried, by path as written
  // (SpecSource.secret_files); empty for a stored revision's spec.
  std::map<std::string, std::string> secrets;
  // Not ok when chain-gateway could not be asked for the spec's chain
  // (Unavailable, DeadlineExceeded): also a violation on `chain`, but
  // LoadValid answers with this code so that callers can retry.
  absl::Status chain_lookup;
  // The spec's chain as Load resolved it (presets, chain-gateway, the spec's
  // chain_params), so that Render does not ask the gateway again; empty for
  // a stored revision (LoadStored) or a chain that did not resolve.
  std::optional<ChainInfo> chain;
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
  // message", one per line) when there are any; the chain lookup's own code
  // (Unavailable...) when chain-gateway could not be asked.
  absl::StatusOr<LoadedSpec> LoadValid(const v1::SpecSource& source) const;
  // A stored revision's spec (validated when it was applied): LoadValid
  // without asking chain-gateway, so that down, history, rollback and the
  // unlock keeper work while the gateway is away.
  absl::StatusOr<LoadedSpec> LoadStored(const v1::SpecSource& source) const;
  // LoadStored of the spec a revision was applied with; DataLoss when the
  // record cannot be read.
  absl::StatusOr<LoadedSpec> LoadRevision(const RevisionRecord& revision) const;

  // What Render does about wallets missing from the vault.
  enum class MissingWallets {
    kFail,         // FailedPrecondition naming the field
    kCreate,       // create them with generated passwords (kept in the
                   // secret store): the first step of `up`, which render
                   // also takes so that its output is complete
    kPlaceholder,  // render without them (plan: only those files differ)
  };
  // Which secrets the bundles hold.
  enum class Secrets {
    kAll,           // every password and keystore: what `up` deploys
    kSuppliedOnly,  // the Render RPC: only what the request itself carried;
                    // other passwords and every keystore are placeholders
                    // saying where they live
  };
  // Cancelled (saying how many wallets were made) when `cancelled` says
  // so before a wallet is created.
  absl::StatusOr<RenderResult> Render(const LoadedSpec& spec,
                                      MissingWallets missing,
                                      Secrets secrets = Secrets::kAll,
                                      const CancelCheck& cancelled = {}) const;
  absl::StatusOr<RenderResult> Render(const LoadedSpec& spec,
                                      bool create_wallets,
                                      const CancelCheck& cancelled = {}) const {
    return Render(
        spec, create_wallets ? MissingWallets::kCreate : MissingWallets::kFail,
        Secrets::kAll, cancelled);
  }

  // Unlocks the workerpool owner's wallet for a day when its password is
  // known (the spec's file, or generated by `up`): chain-gateway signs the
  // registration, the stake and the publisher's orders with it. Returns a
  // line saying what was done; an owner whose password poolops does not
  // know is left as the operator unlocked it.
  absl::StatusOr<std::string> UnlockOwner(const LoadedSpec& spec) const;

  // Merges PublishingOwnerPolicy (owner_policy.h) into the owner wallet's
  // vault policy: what chain-gateway may then get it to sign. Returns a line
  // saying what changed.
  absl::StatusOr<std::string> RestrictOwnerPolicy(
      const LoadedSpec& spec, const ChainInfo& chain,
      const std::string& workerpool) const;

  // The actions `up` would take; changes nothing.
  absl::StatusOr<std::vector<v1::Action>> Plan(const LoadedSpec& spec) const;

  const Renderer& renderer() const { return *renderer_; }
  const Dependencies& deps() const { return deps_; }

 private:
  absl::StatusOr<LoadedSpec> LoadSpec(const v1::SpecSource& source,
                                      bool look_up_chain) const;
  absl::StatusOr<LoadedSpec> Valid(absl::StatusOr<LoadedSpec> loaded) const;
  Dependencies deps_;
  std::unique_ptr<Renderer> renderer_;
  absl::Status renderer_status_;
};

// "pool.yaml:7 core.host: required ..." lines.
std::string ViolationsText(const std::vector<v1::Violation>& violations);

}  // namespace poolops::orchestrator
