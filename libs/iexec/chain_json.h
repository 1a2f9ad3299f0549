// The iExec chains poolops knows by name (presets) and the iExec SDK's
// chain.json entry ({"chains": {"<name>": {id, host, hub, ...}}}) read and
// written as the SDK 8.24 does: unknown keys refused, the chain id a string
// of digits. Outside input: never throws; errors are InvalidArgumentError
// naming "<where>.<key>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "nlohmann/json.hpp"

namespace poolops::iexec {

// A public iExec chain: Bellecour (134, RLC native, gas price 0) and the
// Arbitrum chains (token RLC, EIP-1559).
struct ChainPreset {
  std::string name;
  uint64_t chain_id = 0;
  std::string rpc;
  eth::Address hub;
  bool native = false;
  std::string market;  // the market API (the SDK's iexecGateway)
};

// bellecour, arbitrum-mainnet, arbitrum-sepolia-testnet (sorted by name).
const std::vector<ChainPreset>& ChainPresets();
std::optional<ChainPreset> FindChainPreset(std::string_view name);

// One chain.json chain entry: the keys poolops reads, each present or not.
// The SDK's other keys (sms, resultProxy, ipfsGateway, ...) are accepted and
// left to the SDK.
struct SdkChainEntry {
  std::optional<uint64_t> id;
  std::optional<std::string> host;  // http(s) RPC URL
  std::optional<eth::Address> hub;
  std::optional<std::string> iexec_gateway;  // http(s) market API URL
  std::optional<bool> native;
  std::optional<bool> use_gas;

  friend bool operator==(const SdkChainEntry&, const SdkChainEntry&) = default;
};

// `where` prefixes errors, e.g. "chain.json: chains.bellecour".
absl::StatusOr<SdkChainEntry> ParseSdkChainEntry(const nlohmann::json& entry,
                                                 std::string_view where);
// The entry as the SDK reads it (absent fields left out; hub EIP-55).
nlohmann::json SdkChainEntryToJson(const SdkChainEntry& entry);

}  // namespace poolops::iexec
