// What poolops knows about each stack version and chain: default image tags,
// chain presets, and the simulator role that plays each service.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/chain_client.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// "v7.1" / "v8.3" / "v9.3": the folder under compose/templates.
std::string StackDir(v1::StackVersion version);

// Default tags and fixed versions of a stack: variable name -> value
// (CORE_TAG, WORKER_TAG, ..., and v8.3's CORE_MONGO_TAG, NGINX_PROXY_TAG...).
const std::map<std::string, std::string>& StackDefaults(
    v1::StackVersion version);

// The chain as the stacks need it.
struct ChainInfo {
  std::string name;        // CHAIN (what the SDK in the publisher calls it)
  std::string chain_id;    // CHAIN_ID
  std::string rpc;         // CHAIN_URL
  std::string public_rpc;  // PUBLIC_CHAIN_URL
  std::string hub;         // CHAIN_HUB_ADDRESS
  bool sidechain = false;  // CHAIN_IS_SIDECHAIN
  // CHAIN_BLOCK_TIME: whole seconds for v7.1/v8.3, ISO-8601 for v9.3.
  absl::Duration block_time = absl::Seconds(5);
  std::string market_api_host;
  std::string sms_host;
  std::string result_host;
  std::string start_block = "0";  // CHAIN_LAST_BLOCK
  std::string sms_scone_url;
  std::string sms_gramine_url;
  std::string sms_tdx_url;  // v9.3 platform registry (tdx feature)
  // Where the chain comes from: "preset", or chain-gateway's origin
  // ("devnet", "custom"); "custom" when only chain_params describe it.
  // What devnet-only options (funding) are checked against.
  std::string origin;
};

// What the renderer and validation need to know of a stack version.
struct StackTraits {
  std::string dir;              // StackDir
  std::string worker_service;   // the worker's compose service
  bool builtin_https = false;   // v8.3: nginx-proxy + acme in the base file
  bool config_server = false;   // v9.3: core and workers read /config/chain
  bool iso_block_time = false;  // v9.3: CHAIN_BLOCK_TIME is ISO-8601
  bool sgx = true;              // scone/gramine (tee feature, tags)
  bool iexec_publisher = true;  // iExec's order-publisher image fits
  // Core-host services that publish a port, by the spec's ports (bridge).
  bool published_ports = true;
};
const StackTraits& TraitsOf(v1::StackVersion version);

// Built-in chains for a stack version: bellecour for v7.1/v8.3,
// arbitrum-mainnet and arbitrum-sepolia-testnet for v9.3.
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

// The core's database, as each stack version's core compose file runs it.
inline constexpr char kCoreDatabaseService[] = "mongo";
inline constexpr char kCoreDatabasePort[] = "13002";

}  // namespace poolops::orchestrator
