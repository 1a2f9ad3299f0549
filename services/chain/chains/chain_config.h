// A chain as chain-gateway knows it: presets (bellecour, arbitrum-mainnet,
// arbitrum-sepolia-testnet), the devnet, and custom chains added by the
// operator or imported from an iExec SDK chain.json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libs/eth/address.h"
#include "services/chain/tx/tx_chain_rules.h"

namespace poolops::chain {

struct ChainConfig {
  std::string name;
  uint64_t chain_id = 0;
  std::vector<std::string> rpcs;  // first preferred, others for failover
  eth::Address hub;
  bool native = false;  // RLC is the chain coin (Bellecour, devnet)
  std::string market;   // market API (iexecGateway) base URL, may be empty
  FeeMode fee_mode = FeeMode::kLegacy;
  // Legacy gas price forced by the chain (Bellecour and the devnet: 0);
  // unset: eth_gasPrice.
  bool zero_gas_price = false;
  uint32_t confirmations = 1;
  std::string origin;  // "preset", "devnet", "custom"; "broken" (List only)

  // Answers of the registry, not settings:
  // List: why the chain's file cannot be used (origin "broken").
  std::string error;
  // Add/Import with replace: what changed about the chain of that name
  // ("rpc: http://a -> http://b").
  std::vector<std::string> changes;
};

}  // namespace poolops::chain
