// The iExec market API's login, as the devnet's local market serves it:
// GET /challenge gives EIP-712 typed data (domain "iExec Gateway", version
// "1", no verifyingContract) holding a random challenge; the client signs it
// and sends `authorization: <hash>_<sign>_<address>`. One pending challenge
// per address (served again until used or 5 minutes old); a successful
// authorization deletes it, so each header works once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/random.h"
#include "libs/eth/address.h"
#include "libs/iexec/market_challenge.h"
#include "nlohmann/json.hpp"

namespace poolops::market {

inline constexpr absl::Duration kChallengeLifetime = absl::Minutes(5);

// "<hash>_<sign>_<address>", split; the address parsed (any letter case).
struct AuthorizationHeader {
  std::string hash;
  std::string sign;
  eth::Address address;
};
absl::StatusOr<AuthorizationHeader> ParseAuthorizationHeader(
    std::string_view header);

class ChallengeStore {
 public:
  ChallengeStore(uint64_t chain_id, Clock* clock, Random* random);

  // The pending challenge of `address` as typed data, made if needed.
  absl::StatusOr<nlohmann::json> Challenge(const eth::Address& address);

  // Checks an authorization header against the pending challenge of its
  // address and deletes that challenge. Every failure is Unauthenticated
  // with the API's internal reason (the API answers "invalid authorization"
  // whatever the reason).
  absl::StatusOr<eth::Address> Authorize(std::string_view header);

 private:
  struct Pending {
    std::string value;  // the random part
    std::string hash;   // EIP-712 digest of the typed data, 0x-hex
    absl::Time created;
  };

  const uint64_t chain_id_;
  Clock* const clock_;
  Random* const random_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::market
