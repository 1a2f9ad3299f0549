// ChainView over JSON-RPC eth_call (libs/ethrpc EthApi) to the PoCo
// hub, its workerpool registry and the workerpool contracts.
#pragma once

#include <optional>

#include "absl/synchronization/mutex.h"
#include "devnet/market/chain_view.h"
#include "libs/ethrpc/eth_api.h"

namespace poolops::market {

class RpcChainView : public ChainView {
 public:
  // `api` must outlive this object.
  RpcChainView(chain::EthApi* api, eth::Address hub) : api_(api), hub_(hub) {}

  absl::StatusOr<bool> IsRegisteredWorkerpool(
      const eth::Address& workerpool) override;
  absl::StatusOr<eth::Address> WorkerpoolOwner(
      const eth::Address& workerpool) override;
  absl::StatusOr<bool> VerifySignature(const eth::Address& identity,
                                       const eth::Hash32& hash,
                                       eth::ByteView sign) override;
  absl::StatusOr<Account> ViewAccount(const eth::Address& account) override;
  absl::StatusOr<eth::U256> ViewConsumed(
      const eth::Hash32& order_hash) override;

 private:
  absl::StatusOr<eth::Address> WorkerpoolRegistry();

  chain::EthApi* const api_;
  const eth::Address hub_;
  absl::Mutex mu_;
  std::optional<eth::Address> registry_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::market
