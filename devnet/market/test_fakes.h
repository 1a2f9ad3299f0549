// Test doubles for the market: a chain whose answers the test sets (the
// signature check done for real by recovery, as the hub does for an EOA),
// a counting Random, and the PROTOCOL facts' key, order and addresses.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "devnet/market/chain_view.h"
#include "libs/common/random.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "nlohmann/json.hpp"
#include "services/chain/market/workerpool_order.h"

namespace poolops::market::testing {

// The owner key of the order vectors (a well-known anvil dev key).
inline constexpr char kOwnerKey[] =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
inline constexpr char kOwner[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
inline constexpr char kOtherKey[] =
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
inline constexpr char kOther[] = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
inline constexpr char kWorkerpool[] =
    "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db";
inline constexpr char kHub[] = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
inline constexpr uint64_t kChainId = 65535;
inline constexpr char kZero[] = "0x0000000000000000000000000000000000000000";

inline eth::Address Addr(const char* text) {
  return *eth::Address::Parse(text);
}
inline eth::Bytes Key(const char* hex = kOwnerKey) {
  return *eth::FromHex(hex);
}
inline OrderDomain DevnetDomain() { return {kChainId, Addr(kHub)}; }

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
    return consumed;
  }

  bool registered = true;
  eth::Address owner = Addr(kOwner);
  eth::U256 stake = eth::U256(1000000);
  eth::U256 consumed = eth::U256(0);
  absl::Status error;  // returned by IsRegisteredWorkerpool when set
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

// The PROTOCOL facts' order (price 1000, volume 5, tag tee+scone, salt
// 0x11...11), unsigned, as the SDK sends it (numbers as strings).
inline nlohmann::json OrderJson(uint64_t price = 1000, uint64_t volume = 5,
                                char salt = '1',
                                const char* workerpool = kWorkerpool) {
  return {{"workerpool", workerpool},
          {"workerpoolprice", std::to_string(price)},
          {"volume", std::to_string(volume)},
          {"category", "0"},
          {"trust", "0"},
          {"tag", "0x" + std::string(63, '0') + "3"},
          {"apprestrict", kZero},
          {"datasetrestrict", kZero},
          {"requesterrestrict", kZero},
          {"salt", "0x" + std::string(64, salt)}};
}

// Signs `order` (JSON) on `domain` with `key` as the SDK does.
inline nlohmann::json Signed(nlohmann::json order,
                             const OrderDomain& domain = DevnetDomain(),
                             const eth::Bytes& key = Key()) {
  order["sign"] = "0x";
  WorkerpoolOrder parsed = *ParseSignedWorkerpoolOrder(order);
  eth::Hash32 hash = *WorkerpoolOrderHash(parsed, domain);
  order["sign"] = eth::ToHex(eth::SignDigest(key, hash)->ToRsv());
  return order;
}

// What the SDK does for a challenge's typed data: its authorization header.
inline std::string AuthHeader(const nlohmann::json& typed_data,
                              const eth::Bytes& key = Key()) {
  eth::eip712::Digests d = *eth::eip712::HashTypedData(typed_data);
  return eth::ToHex(d.digest) + "_" +
         eth::ToHex(eth::SignDigest(key, d.digest)->ToRsv()) + "_" +
         eth::AddressOf(key)->ToChecksum();
}

}  // namespace poolops::market::testing
