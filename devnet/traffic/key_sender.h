// One devnet actor's transactions (a requester, an app owner, a scheduler, a
// worker): signed here with the actor's own key, sent one at a time and
// waited for (anvil mines on arrival). Gas is estimated first, so a call
// the hub would refuse fails with the hub's reason and costs nothing; fees
// follow the chain (EIP-1559 where blocks have a base fee, else a legacy
// price of zero as on Bellecour), so the gas an actor spends is real.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/eth_api.h"

namespace poolops::devnet {

class KeySender {
 public:
  // `api` must outlive the sender. InvalidArgument for a key that is not a
  // secp256k1 private key.
  static absl::StatusOr<KeySender> Create(chain::EthApi* api,
                                          uint64_t chain_id,
                                          eth::ByteView private_key);

  const eth::Address& address() const { return address_; }

  // Sends `data` (with `value` wei) to `to` and waits for a successful
  // receipt. Errors name `label`; a revert carries the hub's reason.
  absl::StatusOr<chain::Receipt> Send(const eth::Address& to, eth::Bytes data,
                                      std::string_view label,
                                      const eth::U256& value = eth::U256(0));
  // Signs a 32-byte digest as the actor (65 bytes r || s || v).
  absl::StatusOr<eth::Bytes> SignDigest(const eth::Hash32& digest) const;

 private:
  KeySender(chain::EthApi* api, uint64_t chain_id, eth::Bytes key,
            eth::Address address)
      : api_(api), chain_id_(chain_id), key_(std::move(key)),
        address_(address) {}

  chain::EthApi* api_;
  uint64_t chain_id_;
  eth::Bytes key_;
  eth::Address address_;
};

}  // namespace poolops::devnet
