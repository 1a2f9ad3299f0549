// A client of the iExec market API (iexecGateway) for workerpool orders, as
// the iExec 8.x SDK speaks it (sdk market/marketplace.js, utils/api-utils.js):
// GET /challenge → EIP-712 signature through the Signer → header
// `authorization: <hash>_<sign>_<address>`, one challenge per write;
// POST /workerpoolorders (publish), PUT /workerpoolorders (unpublish by
// hash, last or all), GET /workerpoolorders (orderbook, filters and pages),
// GET /workerpoolorders/<hash>. Responses must be JSON (Content-Type checked
// as the SDK does), within size and depth limits; errors name the market
// URL and carry the API's text. Only the API's fixed Challenge is signed.
// Thread-safe (no state beyond its arguments).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/http_client.h"
#include "libs/eth/address.h"
#include "libs/iexec/workerpool_order.h"
#include "nlohmann/json.hpp"
#include "services/chain/orders/market_responses.h"
#include "services/chain/tx/signer.h"

namespace poolops::chain {

struct MarketOrderbookQuery {
  std::optional<eth::Address> workerpool;  // nullopt: "any"
  std::optional<eth::Address> workerpool_owner;
  std::optional<uint64_t> category;
  std::optional<std::string> min_tag, max_tag;  // bytes32 hex
  std::optional<uint64_t> min_trust, min_volume;
  uint64_t page_index = 0;
  uint64_t page_size = 20;  // the API takes 10..1000
};

enum class UnpublishTarget { kOrderHash, kLast, kAll };

class MarketClient {
 public:
  // `http` and `signer` must outlive the client.
  MarketClient(std::string base_url, uint64_t chain_id, http::Client* http,
               Signer* signer, absl::Duration timeout = absl::Seconds(30));

  const std::string& url() const { return base_url_; }

  // The authorization header value for one write by `wallet`.
  absl::StatusOr<std::string> Authorize(std::string_view wallet);
  // Builds the header from a challenge answer ({ok,data:{typed data}} or the
  // typed data itself) when it is exactly the API's Challenge on `chain_id`
  // (market_responses.h): signs the Challenge rebuilt from its text, as the
  // SDK would. PermissionDenied for anything else, before any signing.
  static absl::StatusOr<std::string> AuthorizationFor(
      const nlohmann::json& challenge, uint64_t chain_id, Signer& signer,
      std::string_view wallet);

  // Returns the orderHash the market computed.
  absl::StatusOr<std::string> Publish(std::string_view wallet,
                                      const iexec::WorkerpoolOrder& order);
  // `workerpool` for kLast/kAll, `order_hash` for kOrderHash.
  absl::StatusOr<std::vector<std::string>> Unpublish(
      std::string_view wallet, UnpublishTarget target,
      const eth::Address& workerpool, std::string_view order_hash);
  absl::StatusOr<MarketOrderbookPage> Orderbook(
      const MarketOrderbookQuery& query);
  // Every page (up to `max_orders`).
  absl::StatusOr<MarketOrderbookPage> OrderbookAll(MarketOrderbookQuery query,
                                                   size_t max_orders = 10'000);
  // NotFound when the market does not know the hash.
  absl::StatusOr<MarketOrder> GetOrder(std::string_view order_hash);

  // One market record ({orderHash, order, remaining, status, ...}).
  static absl::StatusOr<MarketOrder> ParseOrder(const nlohmann::json& j) {
    return ParseMarketOrder(j);
  }

 private:
  // Sends and returns the JSON body of a 2xx answer with ok != false.
  absl::StatusOr<nlohmann::json> Exchange(const std::string& method,
                                          const std::string& path_and_query,
                                          const std::string& authorization,
                                          const nlohmann::json* body);

  const std::string base_url_;
  const uint64_t chain_id_;
  http::Client* const http_;
  Signer* const signer_;
  const absl::Duration timeout_;
};

}  // namespace poolops::chain
