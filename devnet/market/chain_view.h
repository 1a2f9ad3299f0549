// What the devnet's local market asks the chain (the iExec market API's
// on-chain checks), behind an interface so the market's rules are tested
// without a chain. The real one is RpcChainView (chain_view_rpc.h).
#pragma once

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"

namespace poolops::market {

// A workerpool owner's account on the hub: viewAccount(address).
struct Account {
  eth::U256 stake;
  eth::U256 locked;
};

class ChainView {
 public:
  virtual ~ChainView() = default;
  // hub.workerpoolregistry().isRegistered(workerpool).
  virtual absl::StatusOr<bool> IsRegisteredWorkerpool(
      const eth::Address& workerpool) = 0;
  // owner() of a workerpool contract.
  virtual absl::StatusOr<eth::Address> WorkerpoolOwner(
      const eth::Address& workerpool) = 0;
  // hub.verifySignature(identity, hash, sign): hash is the order's EIP-712
  // digest. Malformed signatures revert on-chain (an error, not false).
  virtual absl::StatusOr<bool> VerifySignature(const eth::Address& identity,
                                               const eth::Hash32& hash,
                                               eth::ByteView sign) = 0;
  // hub.viewAccount(account) → (stake, locked), in nRLC.
  virtual absl::StatusOr<Account> ViewAccount(const eth::Address& account) = 0;
  // hub.viewConsumed(orderHash).
  virtual absl::StatusOr<eth::U256> ViewConsumed(
      const eth::Hash32& order_hash) = 0;
};

}  // namespace poolops::market
