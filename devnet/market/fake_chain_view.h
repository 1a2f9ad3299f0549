// Test doubles for the market: a chain whose answers the test sets (the
// signature check done for real by recovery, as the hub does for an EOA),
// a counting Random, the SDK's challenge signature; the order test data
// is libs/iexec's (test_orders.h).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "devnet/market/chain_view.h"
#include "libs/common/random.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "libs/iexec/test_orders.h"
#include "libs/iexec/workerpool_order.h"
#include "nlohmann/json.hpp"

namespace poolops::market::testing {

// The order model's test data (keys, addresses, OrderJson, Signed).
using namespace ::poolops::iexec::testing;  // NOLINT

class FakeChainView : public ChainView {
 public:
  absl::StatusOr<bool> IsRegisteredWorkerpool(const eth::Address&) override {
    ++calls;
    if (!error.ok()) return error;
    return registered;
  }
  absl::StatusOr<eth::Address> WorkerpoolOwner(const eth::Address&) override {
    ++calls;
    return owner;
  }
  absl::StatusOr<bool> VerifySignature(const eth::Address& identity,
                                       const eth::Hash32& hash,
                                       eth::ByteView sign) override {
    ++calls;
    absl::StatusOr<eth::Address> a = eth::RecoverAddress(hash, sign);
    return a.ok() && *a == identity;
  }
  absl::StatusOr<Account> ViewAccount(const eth::Address&) override {
    ++calls;
    return Account{stake, eth::U256(0)};
  }
  absl::StatusOr<eth::U256> ViewConsumed(const eth::Hash32&) override {
    ++calls;
    if (fail_reads) return absl::UnavailableError("node down");
    return consumed;
  }

  bool registered = true;
  eth::Address owner = Addr(kOwner);
  eth::U256 stake = eth::U256(1000000);
  eth::U256 consumed = eth::U256(0);
  bool fail_reads = false;  // ViewConsumed fails
  absl::Status error;       // returned by IsRegisteredWorkerpool when set
  int calls = 0;
};

// Bytes 0, 1, 2, ... (each Fill continues the sequence).
class CountingRandom : public Random {
 public:
  absl::Status Fill(absl::Span<uint8_t> out) override {
    for (uint8_t& b : out) b = next_++;
    return absl::OkStatus();
  }

 private:
  uint8_t next_ = 0;
};

// What the SDK does for a challenge's typed data: its authorization header.
inline std::string AuthHeader(const nlohmann::json& typed_data,
                              const eth::Bytes& key = Key()) {
  eth::eip712::Digests d = *eth::eip712::HashTypedData(typed_data);
  return eth::ToHex(d.digest) + "_" +
         eth::ToHex(eth::SignDigest(key, d.digest)->ToRsv()) + "_" +
         eth::AddressOf(key)->ToChecksum();
}

}  // namespace poolops::market::testing
