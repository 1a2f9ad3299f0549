// One simulator's wallet on one chain, for the on-chain duties the real
// core and workers have (scheduler_duties.h, worker_duties.h): the keystore
// the stack mounts, decrypted with the password the stack passes
// (IEXEC_CORE_WALLET_PASSWORD, IEXEC_WORKER_WALLET_PASSWORD), as the real
// services do; the node and the hub from the chain configuration.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "devnet/traffic/escrow.h"
#include "devnet/traffic/key_sender.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::sim {

struct ChainAccess {
  std::string node_url;     // http://...
  std::string hub_address;  // 0x...
  std::string wallet_path;  // keystore v3
  std::string wallet_password;
};

class ChainSession {
 public:
  // Reads and decrypts the keystore, asks the node for its chain id and the
  // hub for its token (none: a native chain). Errors name what failed; the
  // password never appears in them.
  static absl::StatusOr<std::unique_ptr<ChainSession>> Open(
      const ChainAccess& access);

  chain::EthApi& api() { return *api_; }
  devnet::KeySender& key() { return *key_; }
  const devnet::HubContracts& hub() const { return hub_; }

 private:
  ChainSession() = default;

  std::unique_ptr<chain::JsonRpcClient> rpc_;
  std::unique_ptr<chain::EthApi> api_;
  std::unique_ptr<devnet::KeySender> key_;
  devnet::HubContracts hub_;
};

// Runs `step` now and then every `period` until `stop` is notified; a new
// error is logged once ("chain: ..."), not once per round.
void PollUntilStopped(absl::Notification& stop, absl::Duration period,
                      const std::function<absl::Status()>& step,
                      const std::function<void(const std::string&)>& log);

}  // namespace poolops::sim
