// The hub's escrow as a devnet actor sees it: its stake (viewAccount) and a
// deposit that tops it up, in the chain's way (native: deposit() paying the
// coin, 1 nRLC = 10^9 wei; token: approveAndCall on the RLC token).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "devnet/traffic/key_sender.h"
#include "libs/eth/address.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/eth_api.h"

namespace poolops::devnet {

struct HubContracts {
  uint64_t chain_id = 0;
  eth::Address hub;
  eth::Address app_registry;
  eth::Address token;  // zero on a native chain (RLC is the coin)
};

// An account in the escrow (viewAccount), in nRLC.
struct EscrowAccount {
  eth::U256 stake;   // free
  eth::U256 locked;  // held by deals and contributions
};
absl::StatusOr<EscrowAccount> ViewEscrow(chain::EthApi& api,
                                         const HubContracts& hub,
                                         const eth::Address& account);
// Deposits what `actor` lacks to hold at least `nrlc` of free stake.
absl::Status EnsureEscrow(chain::EthApi& api, const HubContracts& hub,
                          KeySender& actor, const eth::U256& nrlc);

}  // namespace poolops::devnet
