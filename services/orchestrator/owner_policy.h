// The signing policy `pool up` gives the owner wallet of a pool whose orders
// chain-gateway publishes: transactions to the hub (on chains whose RLC is
// native: staking goes to the hub), the pool's own WorkerpoolOrders under the
// hub's EIP-712 domain, and the market's Challenge, on the pool's chain only;
// no EIP-191 messages. It is merged into the wallet's current policy (an
// owner shared by several pools keeps every pool's rules; the operator's own
// entries stay), so the vault refuses anything else a caller asks it to sign.
#pragma once

#include <string>

#include "poolops/wallet/v1/wallet.pb.h"
#include "services/orchestrator/stack_catalog.h"

namespace poolops::orchestrator {

// The policy for `workerpool` (EIP-55 or lowercase) on `chain`.
poolops::wallet::v1::Policy PublishingOwnerPolicy(
    const ChainInfo& chain, const std::string& workerpool);

// `current` with every entry of `add` it lacks (addresses compared in any
// case); the rest of `current` (caps, allow_messages) unchanged.
poolops::wallet::v1::Policy MergePolicy(
    const poolops::wallet::v1::Policy& current,
    const poolops::wallet::v1::Policy& add);

}  // namespace poolops::orchestrator
