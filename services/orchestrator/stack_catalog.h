// What poolops knows about each stack version and chain: default image tags,
// chain presets, and the simulator role that plays each service.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"

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

// The chain of `spec`: the preset, else the iExec SDK chain.json document
// `chain_json` (the home's chains/<name>.json; may be empty; its entry read
// by libs/iexec's codec, InvalidArgument when it is not a valid entry), then
// the spec's chain_params on top. NotFound when nothing describes the chain.
absl::StatusOr<ChainInfo> ResolveChain(const v1::PoolSpec& spec,
                                       const std::string& chain_json);

// The simulator role (devnet/simulators) playing a compose
// service, or nullopt when none does.
std::optional<std::string> SimulatorRole(const std::string& service);

}  // namespace poolops::orchestrator
