// What poolops knows about each stack version and chain: default image tags,
// chain presets, and the simulator role that plays each service.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/chain_client.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// "v7.1" / "v8.3": the folder under compose/templates.
std::string StackDir(v1::StackVersion version);

// Default tags and fixed versions of a stack: variable name -> value
// (CORE_TAG, WORKER_TAG, ..., and v8.3's CORE_MONGO_TAG, NGINX_PROXY_TAG...).
const std::map<std::string, std::string>& StackDefaults(
    v1::StackVersion version);

// The chain as the stacks need it.
struct ChainInfo {
  std::string name;         // CHAIN (what the SDK in the publisher calls it)
  std::string chain_id;     // CHAIN_ID
  std::string rpc;          // CHAIN_URL
  std::string public_rpc;   // PUBLIC_CHAIN_URL
  std::string hub;          // CHAIN_HUB_ADDRESS
  bool sidechain = false;   // CHAIN_IS_SIDECHAIN
  uint32_t block_time = 5;  // CHAIN_BLOCK_TIME
  std::string market_api_host;
  std::string sms_host;
  std::string result_host;
  std::string start_block = "0";  // CHAIN_LAST_BLOCK
  std::string sms_scone_url;
  std::string sms_gramine_url;
};

// Built-in chains for a stack version: "bellecour" today.
std::optional<ChainInfo> ChainPreset(const std::string& name,
                                     v1::StackVersion version);

// The chain of `spec`: the preset, else `known` (what chain-gateway says of
// the chain; nullopt when it knows none), then the spec's chain_params on
// top. NotFound when nothing describes the chain.
absl::StatusOr<ChainInfo> ResolveChain(const v1::PoolSpec& spec,
                                       const std::optional<ChainFacts>& known);

// ResolveChain with what `gateway` (may be null: none to ask) says of a
// chain that is not a preset; a preset is never asked for. When the gateway
// cannot answer (unreachable, past its deadline, a broken chain file), the
// error keeps its code and says so, naming chain-gateway.
absl::StatusOr<ChainInfo> LookUpChain(const v1::PoolSpec& spec,
                                      ChainClient* gateway);

// The simulator role (devnet/simulators) playing a compose
// service, or nullopt when none does.
std::optional<std::string> SimulatorRole(const std::string& service);

}  // namespace poolops::orchestrator
