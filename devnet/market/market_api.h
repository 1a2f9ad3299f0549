// The devnet's local market: the iExec market API (iexecGateway) for
// workerpool orders — an implementation of that API for the local devnet, so
// the real `iexec` CLI publishes, unpublishes and reads the orderbook against
// it. HTTP-agnostic: each endpoint takes the request's query, authorization
// header and parsed JSON body and returns the response body; ToReply() turns
// a result into the HTTP status and body the real API sends.
//
// Publication rules, checked in the API's order and with its texts:
// chainId supported; a valid single-use authorization; the order schema;
// not already published ("order already published"); the workerpool is
// registered ("Resource not deployed"); its owner is the authorized address
// ("only order signer <owner> can publish an order"); hub.verifySignature
// ("invalid sign"); fewer than 50 open orders of that signer ("maximum of 50
// published open workerpoolorder has been reached for wallet <signer>");
// remaining = volume − viewConsumed > 0 ("order already consumed"); the
// owner's stake >= price × 30 / 100 × remaining ("workerpool owner's stake
// is too low to cover required workerpool lock").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "devnet/market/auth.h"
#include "devnet/market/chain_view.h"
#include "devnet/market/order_book.h"
#include "libs/common/clock.h"
#include "libs/common/random.h"
#include "nlohmann/json.hpp"

namespace poolops::market {

inline constexpr char kMarketVersion[] = "1.0.0-poolops-devnet-market";

struct MarketConfig {
  iexec::OrderDomain domain;  // the devnet's chain id and hub
  size_t max_open_orders_per_wallet = 50;
};

using Query = std::map<std::string, std::string>;

// Result codes: InvalidArgument = the API's validation errors (400),
// FailedPrecondition = its business errors (403), Unauthenticated = an
// authorization failure (403, "invalid authorization"), NotFound (404),
// anything else = an internal or chain error (500).
struct ApiReply {
  int status = 200;
  nlohmann::json body;
};
ApiReply ToReply(const absl::StatusOr<nlohmann::json>& result);

class MarketApi {
 public:
  // `chain`, `book`, `clock` and `random` must outlive the API.
  MarketApi(MarketConfig config, ChainView* chain, OrderBook* book,
            Clock* clock = Clock::Real(), Random* random = Random::Secure());

  // GET /version
  absl::StatusOr<nlohmann::json> Version() const;
  // GET /challenge?chainId=&address=
  absl::StatusOr<nlohmann::json> Challenge(const Query& query);
  // POST /workerpoolorders?chainId= {"order":{...}}
  absl::StatusOr<nlohmann::json> PublishWorkerpoolOrder(
      const Query& query, std::string_view authorization,
      const nlohmann::json& body);
  // PUT /workerpoolorders?chainId= {"target":"unpublish_orderHash"|
  // "unpublish_last"|"unpublish_all","orderHash"|"workerpool":...}
  absl::StatusOr<nlohmann::json> UnpublishWorkerpoolOrders(
      const Query& query, std::string_view authorization,
      const nlohmann::json& body);
  // GET /workerpoolorders?chainId=&workerpool=&category=&...&pageIndex=
  absl::StatusOr<nlohmann::json> WorkerpoolOrderbook(const Query& query) const;
  // GET /workerpoolorders/<orderHash>?chainId=
  absl::StatusOr<nlohmann::json> GetWorkerpoolOrder(std::string_view order_hash,
                                                    const Query& query) const;

 private:
  absl::Status CheckChainId(const Query& query) const;
  absl::StatusOr<eth::Address> Authorize(const Query& query,
                                         std::string_view authorization);

  const MarketConfig config_;
  // What the real API learns from the chain's OrdersMatched: the orders'
  // remaining volume (viewConsumed), `filled` when none is left. Run before
  // every read; while the chain does not answer, reads serve what is known.
  void FollowChain() const;

  ChainView* const chain_;
  OrderBook* const book_;
  Clock* const clock_;
  ChallengeStore challenges_;
  absl::Mutex write_mu_;  // one publication or unpublication at a time
};

}  // namespace poolops::market
