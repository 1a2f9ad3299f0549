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

// The transaction rules (chain id, fees, confirmations) are its base, so
// that a TxSender takes them as they are (tx/tx_chain_rules.h).
struct ChainConfig : TxChainRules {
  std::string name;
  std::vector<std::string> rpcs;  // first preferred, others for failover
  eth::Address hub;
  bool native = false;  // RLC is the chain coin (Bellecour, devnet)
  std::string market;   // market API (iexecGateway) base URL, may be empty
  std::string origin;   // "preset", "devnet", "custom"; "broken" (List only)

  // Answers of the registry, not settings:
  // List: why the chain's file cannot be used (origin "broken").
  std::string error;
  // Add/Import with replace: what changed about the chain of that name
  // ("rpc: http://a -> http://b").
  std::vector<std::string> changes;
};

}  // namespace poolops::chain
