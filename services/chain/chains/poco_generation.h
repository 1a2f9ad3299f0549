// Which PoCo a hub runs, read from the chain itself, not from the chain's
// name (custom chains and imported chain.json files exist): PoCo 6 (iExec
// v9, Arbitrum) is an ERC-2535 Diamond whose loupe answers
// facetAddresses() (0x52ef6b2c); PoCo 5.x (Bellecour) is an ERC-1538 proxy
// without it, whose escrow fallback takes the call: it reverts
// ("fallback-disabled" on the token hub, a deposit minted to nobody on the
// native one) or, on the native hub, may answer nothing.
#pragma once

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/ethrpc/eth_api.h"

namespace poolops::chain {

enum class PocoGeneration { kPoco5, kPoco6 };

// One eth_call of hub.facetAddresses(). A node that could not be asked
// (transport, rate limit, any error but a revert) is an error, never a
// guess, so that callers do not cache a wrong answer.
absl::StatusOr<PocoGeneration> DetectPocoGeneration(EthApi& eth,
                                                    const eth::Address& hub);

}  // namespace poolops::chain
