// The embedded default: a local iExec chain in the poolops home. anvil with
// PoCo deployed by poolops itself (5.5.0 native or token as Bellecour; 6.1.0
// as on Arbitrum), the chain state saved on the way
// down and restored on the next Up (seconds instead of a redeployment),
// funded dev accounts whose keys are files 0600, and chain "devnet"
// registered in <home>/chains as an iExec SDK chain.json.
//
// The local market (poolops-devnet-market, next to the running binary or in
// $POOLOPS_BIN_DIR) serves the iExec market API for the chain.
//
// Files: <home>/devnet/{devnet.json, state.json, anvil.json, accounts/}, the
// logs in <home>/logs/{anvil,market}.log, <home>/chains/devnet.json (+
// devnet.poolops.json: its fee mode) and <home>/chains/default (the default
// chain's name).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "devnet/poco_deployer.h"

namespace poolops::devnet {

struct DevAccount {
  eth::Address address;
  std::filesystem::path private_key_file;  // 0600
};

struct DevnetState {
  bool running = false;
  int pid = 0;
  uint16_t port = 0;
  std::string rpc;
  uint64_t chain_id = 65535;
  std::string flavour = "native";
  PocoDeployment deployment;
  std::string market;  // the local market's URL (poolops-devnet-market)
  int market_pid = 0;
  std::filesystem::path chain_json;   // the iExec SDK 8's chain.json
  std::filesystem::path chain_json9;  // SDK 9's (arbitrum flavour), else empty
  std::vector<DevAccount> accounts;
  bool deployed_now = false;  // this Up deployed PoCo (cold start)
};

struct DevnetOptions {
  std::filesystem::path home;
  uint16_t port = 0;
  uint64_t chain_id = 65535;
  Flavour flavour = Flavour::kNative;  // a saved chain of another is redeployed
  std::function<void(std::string_view)> progress;  // may be empty
};

// Idempotent: a running devnet is returned as is. A saved state that fails
// the deployment checks (or that anvil cannot load) is discarded and PoCo
// redeployed, with a progress line saying so.
absl::StatusOr<DevnetState> DevnetUp(const DevnetOptions& options);
// Stops anvil (which saves the chain state); NotFound when nothing runs.
absl::Status DevnetDown(const std::filesystem::path& home);
// Stops anvil and forgets the chain: the next Up deploys afresh.
absl::Status DevnetReset(const std::filesystem::path& home);
// What devnet.json says, with `running` checked against the process.
absl::StatusOr<DevnetState> DevnetStatus(const std::filesystem::path& home);

}  // namespace poolops::devnet
