// The devnet's local market: the iExec market API (iexecGateway) for
// workerpool orders, with the real API's rules checked against the chain and
// its error texts, so the real `iexec` CLI publishes, unpublishes and reads
// the orderbook against it. Orders live in memory (a devnet restart starts
// with an empty book, as a fresh market would).
//
// Thread-safe. HTTP-agnostic: each method takes the request's parts and
// returns the response body; errors carry the real API's message, with
// Unauthenticated = 401, NotFound = 404, other client errors = 400.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "libs/common/random.h"
#include "nlohmann/json.hpp"
#include "services/chain/market/chain_view.h"

namespace poolops::market {

struct MarketConfig {
  uint64_t chain_id = 65535;
  eth::Address hub;
  size_t max_open_orders_per_wallet = 50;
};

using Query = std::map<std::string, std::string>;

class Market {
 public:
  Market(MarketConfig config, ChainView* chain, Clock* clock = Clock::Real(),
         Random* random = Random::Secure());

  // GET /challenge?address=&chainId= : EIP-712 typed data to sign.
  absl::StatusOr<nlohmann::json> Challenge(const Query& query);
  // POST /workerpoolorders?chainId= with {"order":{...}}.
  absl::StatusOr<nlohmann::json> Publish(const Query& query,
                                         const std::string& authorization,
                                         const nlohmann::json& body);
  // PUT /workerpoolorders?chainId= with {"target":...}.
  absl::StatusOr<nlohmann::json> Unpublish(const Query& query,
                                           const std::string& authorization,
                                           const nlohmann::json& body);
  // GET /workerpoolorders?chainId=&workerpool=&category=&...
  absl::StatusOr<nlohmann::json> Orderbook(const Query& query);
  // GET /workerpoolorders/<orderHash>?chainId=
  absl::StatusOr<nlohmann::json> GetOrder(const std::string& order_hash,
                                          const Query& query);
  // GET /version
  nlohmann::json Version() const;

 private:
  struct Record {
    std::string order_hash;
    nlohmann::json order;  // numbers as JSON numbers, as the real API stores
    std::string signer;    // EIP-55
    std::string workerpool;
    uint64_t remaining = 0;
    std::string timestamp;  // ISO 8601 with milliseconds
    int64_t sequence = 0;   // publication order, for "last"
  };

  absl::Status CheckChain(const Query& query) const;
  // Verifies "<hash>_<sign>_<address>" against a pending challenge and
  // consumes it.
  absl::StatusOr<eth::Address> Authorize(const std::string& authorization)
      ABSL_LOCKS_EXCLUDED(mu_);
  nlohmann::json ToJson(const Record& r) const;

  const MarketConfig config_;
  ChainView* const chain_;
  Clock* const clock_;
  Random* const random_;

  absl::Mutex mu_;
  // Pending challenge text per lowercase address.
  absl::flat_hash_map<std::string, std::string> challenges_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Record> orders_ ABSL_GUARDED_BY(mu_);  // by order hash
  int64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

// EIP-712 typed data of a workerpool order under the hub's domain.
nlohmann::json WorkerpoolOrderTypedData(const nlohmann::json& order,
                                        uint64_t chain_id,
                                        const eth::Address& hub);
// The challenge typed data the market serves (domain "iExec Gateway").
nlohmann::json ChallengeTypedData(const std::string& challenge,
                                  uint64_t chain_id);

}  // namespace poolops::market
