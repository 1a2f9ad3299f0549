// Test data of the workerpool order model: the PROTOCOL facts' key, order and
// addresses, and signing as the SDK does (tests only).
#pragma once

#include <cstdint>
#include <string>

#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "libs/iexec/workerpool_order.h"
#include "nlohmann/json.hpp"

namespace poolops::iexec::testing {

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

}  // namespace poolops::iexec::testing
