// Arbitrary bytes as an iExec SDK chain.json, every chain entry parsed as
// `poolctl chain import` does (over the preset of its name when there is
// one). Must never crash, hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"
#include "services/chain/gateway/chain_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 16)) return 0;
  nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  auto chains = doc.find("chains");
  if (chains == doc.end() || !chains->is_object()) return 0;
  for (const auto& [name, entry] : chains->items()) {
    poolops::chain::ChainConfig base;
    for (const poolops::chain::ChainConfig& p : poolops::chain::PresetChains())
      if (p.name == name) base = p;
    auto c = poolops::chain::ChainFromSdkEntry(name, entry, base, "fuzz.json");
    if (c.ok()) (void)poolops::chain::ChainToSdkEntry(*c).dump();
  }
  return 0;
}
