// What a transaction must follow on its chain: the chain id it is signed
// for, how its fees are priced and how many confirmations make it final.
// A chain's config (chains/chain_config.h) extends these with its other
// settings; these are all TxSender knows of the chain.
#pragma once

#include <cstdint>

namespace poolops::chain {

enum class FeeMode { kLegacy, kEip1559 };

struct TxChainRules {
  uint64_t chain_id = 0;
  FeeMode fee_mode = FeeMode::kLegacy;
  // Legacy gas price forced by the chain (Bellecour and the devnet: 0);
  // unset: eth_gasPrice.
  bool zero_gas_price = false;
  uint32_t confirmations = 1;
};

}  // namespace poolops::chain
