// Arbitrary bytes as an iExec SDK chain.json, every chain entry parsed as
// `poolctl chain import` does (over the preset of its name when there is
// one). Must never crash, hang or allocate without bound. Accepted: a
// chain.json with chains, every one of them imported.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "libs/common/bounded_json.h"
#include "nlohmann/json.hpp"
#include "services/chain/chains/chain_registry.h"
#include "tests/fuzz/fuzz_target.h"

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  if (size > (1 << 16)) return false;
  // As chain-gateway's ImportChains reads it: bounded first.
  absl::StatusOr<nlohmann::json> parsed = poolops::ParseBoundedJson(
      std::string_view(reinterpret_cast<const char*>(data), size),
      {.max_bytes = 1 << 20, .max_depth = 16}, "fuzz.json");
  if (!parsed.ok() || !parsed->is_object()) return false;
  const nlohmann::json& doc = *parsed;
  auto chains = doc.find("chains");
  if (chains == doc.end() || !chains->is_object()) return false;
  bool all = !chains->empty();
  for (const auto& [name, entry] : chains->items()) {
    poolops::chain::ChainConfig base;
    bool preset = false;
    for (const poolops::chain::ChainConfig& p : poolops::chain::PresetChains())
      if (p.name == name) base = p, preset = true;
    // As the import: an SDK chain poolops does not know (mainnet...) with an
    // empty entry carries nothing to import.
    if (!preset && entry.is_object() && entry.empty()) continue;
    auto c = poolops::chain::ChainFromSdkEntry(name, entry, base, "fuzz.json");
    if (c.ok())
      (void)poolops::chain::ChainToSdkEntry(*c).dump();
    else
      all = false;
  }
  return all;
}
