// What the devnet's local market asks the chain, behind an interface so the
// market's rules are tested without one.
#pragma once

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"
#include "services/chain/rpc/eth_api.h"

namespace poolops::market {

class ChainView {
 public:
  virtual ~ChainView() = default;
  // owner() of a workerpool contract.
  virtual absl::StatusOr<eth::Address> WorkerpoolOwner(
      const eth::Address& workerpool) = 0;
  // hub.verifySignature(signer, hash, sign).
  virtual absl::StatusOr<bool> VerifySignature(const eth::Address& signer,
                                               const eth::Hash32& hash,
                                               eth::ByteView sign) = 0;
  // hub.viewAccount(account).stake, in nRLC.
  virtual absl::StatusOr<eth::U256> Stake(const eth::Address& account) = 0;
  // hub.viewConsumed(orderHash).
  virtual absl::StatusOr<eth::U256> Consumed(const eth::Hash32& order_hash) = 0;
};

// The real thing, over JSON-RPC eth_call to the hub and the workerpool.
class RpcChainView : public ChainView {
 public:
  RpcChainView(chain::EthApi* api, eth::Address hub) : api_(api), hub_(hub) {}
  absl::StatusOr<eth::Address> WorkerpoolOwner(
      const eth::Address& workerpool) override;
  absl::StatusOr<bool> VerifySignature(const eth::Address& signer,
                                       const eth::Hash32& hash,
                                       eth::ByteView sign) override;
  absl::StatusOr<eth::U256> Stake(const eth::Address& account) override;
  absl::StatusOr<eth::U256> Consumed(const eth::Hash32& order_hash) override;

 private:
  chain::EthApi* const api_;
  const eth::Address hub_;
};

}  // namespace poolops::market
