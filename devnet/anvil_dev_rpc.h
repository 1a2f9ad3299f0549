// anvil's own JSON-RPC methods, which only a development chain has: set an
// account's code or balance, and send a transaction as an account whose
// key nobody here holds (impersonation). The arbitrum devnet needs them to
// replay the Arbitrum deployment's init codes, which name owners of their
// own (PROTOCOL facts: PoCo 6.1.0 on Arbitrum).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::devnet {

// The receipt of a devnet transaction, waited for (60 s, polled every 5 ms:
// anvil automines); a revert is Aborted: "`what` reverted".
absl::StatusOr<chain::Receipt> WaitMined(chain::EthApi& api,
                                         const eth::Hash32& hash,
                                         std::string_view what);

class AnvilDevRpc {
 public:
  // Both must outlive this; `api` runs on `rpc`.
  AnvilDevRpc(chain::JsonRpcClient* rpc, chain::EthApi* api)
      : rpc_(rpc), api_(api) {}

  absl::Status SetCode(const eth::Address& account, eth::ByteView code);
  absl::Status SetBalance(const eth::Address& account, const eth::U256& wei);
  // Moves the chain's clock `seconds` ahead and mines a block at the new
  // time (evm_increaseTime + evm_mine): deadlines pass without waiting.
  absl::Status AdvanceTime(uint64_t seconds);
  // The latest block's timestamp (unix seconds).
  absl::StatusOr<uint64_t> LatestTimestamp();
  // Sends `data` to `to` from `from` (impersonated for this call only, and
  // given gas money when it has none) and waits for the receipt; a revert
  // is Aborted naming `label`.
  absl::StatusOr<chain::Receipt> SendAs(const eth::Address& from,
                                        const eth::Address& to,
                                        eth::ByteView data,
                                        std::string_view label);

 private:
  chain::JsonRpcClient* rpc_;
  chain::EthApi* api_;
};

}  // namespace poolops::devnet
