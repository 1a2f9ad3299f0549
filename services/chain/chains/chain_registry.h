// The chains of a poolops home: presets (bellecour 134 native legacy gas
// price 0; arbitrum-mainnet 42161 and arbitrum-sepolia-testnet 421614,
// token, EIP-1559), the devnet and custom chains, kept in <home>/chains/ as
// iExec SDK chain.json documents (one per chain: <name>.json), with the
// default chain's name in <home>/chains/default. poolops-only settings that
// the SDK schema would reject (fallback RPCs, confirmations) live in
// <name>.poolops.json next to it. Thread-safe; reads the folder on each call
// so chains written by `devnet up` are seen at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "services/chain/chains/chain_config.h"

namespace poolops::chain {

// The built-in chains.
std::vector<ChainConfig> PresetChains();

// Chain names name files (<home>/chains/<name>.json): [a-z0-9][a-z0-9_-]{0,63},
// so never ".", "..", a path, empty or a control character.
bool IsValidChainName(std::string_view name);

// What differs from `before` to `after` for a person, one line per setting
// ("rpc: http://a -> http://b"); empty when they are the same chain.
std::vector<std::string> ChainChanges(const ChainConfig& before,
                                      const ChainConfig& after);

class ChainRegistry {
 public:
  explicit ChainRegistry(std::filesystem::path home) : home_(std::move(home)) {}

  // Presets overridden by files of the same name, then the others, sorted.
  // A file that cannot be read or parsed is listed with origin "broken" and
  // its error (logged too): one bad file never hides the others.
  absl::StatusOr<std::vector<ChainConfig>> List();
  // "" = the default chain (chains/default, else bellecour). NotFound naming
  // the chain and the known ones.
  absl::StatusOr<ChainConfig> Get(std::string_view name);
  absl::StatusOr<std::string> DefaultName();

  // Validates (IsValidChainName, chain id > 0, http(s) RPCs, hub address)
  // and writes the chain. AlreadyExists naming the chain (a preset or an
  // existing one, broken files included) and what would change, unless
  // `replace`; then the result's `changes` say what changed.
  absl::StatusOr<ChainConfig> Add(const ChainConfig& chain, bool make_default,
                                  bool replace = false);
  // Every chain of an SDK chain.json ({"default", "chains": {...}}); entries
  // of preset names may be empty (the preset) or override fields, over the
  // chain as it is now. Unknown keys are rejected as the SDK does. An entry
  // that would change a preset or an existing chain is AlreadyExists
  // (naming it and the changes) unless `replace`; nothing is written then.
  // Entries equal to what exists are unchanged. The document's default
  // becomes the home's default. A document in SDK 9's strict schema
  // (IsSdk9ChainJson) is SDK 9's: its entries, without `native`/`useGas`,
  // are Arbitrum-like (token RLC, EIP-1559), not SDK 8's legacy defaults.
  absl::StatusOr<std::vector<ChainConfig>> Import(const nlohmann::json& doc,
                                                  std::string_view source,
                                                  bool replace = false);

 private:
  // The chain of that name as it is now (file or preset): nullopt when new;
  // an error when its file is broken.
  std::optional<absl::StatusOr<ChainConfig>> Existing(const std::string& name);

  const std::filesystem::path home_;
  absl::Mutex mu_;  // serialises writers
};

// Which iExec SDK wrote a chain.json: they read an entry without
// `native`/`useGas` differently.
enum class SdkSchema {
  // SDK 8: native when the chain is 134, else token; fees as the chain was
  // (legacy for a new chain).
  kSdk8,
  // SDK 9 knows only Arbitrum-like chains: token RLC, EIP-1559 fees.
  kSdk9,
};

// True when `doc` fits SDK 9's strict schema: top-level keys only among
// default, allowExperimentalNetworks, chains, and chain entry keys only among
// id, host, hub, sms, ipfsGateway, iexecGateway, compass, pocoSubgraph.
// A file of SDK 8's wider schema that happens to fit is read as SDK 9's.
bool IsSdk9ChainJson(const nlohmann::json& doc);

// Parses one SDK chain.json chain entry named `name` over `base` (the
// preset or an empty config), as `schema` reads it (presets and chain 134
// keep their own rules either way). InvalidArgument naming "<source>:
// chains.<name>.<key>".
absl::StatusOr<ChainConfig> ChainFromSdkEntry(
    std::string_view name, const nlohmann::json& entry, ChainConfig base,
    std::string_view source, SdkSchema schema = SdkSchema::kSdk8);
nlohmann::json ChainToSdkEntry(const ChainConfig& chain);

}  // namespace poolops::chain
