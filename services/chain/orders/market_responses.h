// What chain-gateway reads from an iExec market API, parsed without I/O (so
// the fuzzers reach it): bodies within limits, order records, orderbook
// pages, publish answers, and the login challenge.
//
// The login challenge is the one thing of the market's that the gateway
// SIGNS, so it is checked against the API's fixed shape (iexec-market-api
// api/src/services/auth.js getEIP712) and rebuilt here rather than passed
// on: types {EIP712Domain: [name string, version string, chainId uint256],
// Challenge: [challenge string]}, domain {name "iExec Gateway", version "1",
// chainId = the chain's}, primaryType "Challenge", message {challenge:
// "Sign this message to log into iExec Gateway: <random>"}. Anything else
// (another type, an extra field, another domain or chain) is refused: a
// hostile market must not obtain a signature over, say, a workerpool order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/iexec/workerpool_order.h"
#include "nlohmann/json.hpp"

namespace poolops::chain {

// An order as the market stores it.
struct MarketOrder {
  std::string order_hash;
  iexec::WorkerpoolOrder order;
  uint64_t remaining = 0;
  std::string status;  // "open", "filled", "canceled", "dead"
  std::string signer;
  std::string publication_timestamp;
};

struct MarketOrderbookPage {
  uint64_t count = 0;  // every matching order, all pages
  std::vector<MarketOrder> orders;
  std::optional<uint64_t> next_page;
};

// A market answer's body: at most 16 MiB (a page of 1,000 orders is ~1 MiB)
// and 32 levels deep. InvalidArgument naming `where`.
absl::StatusOr<nlohmann::json> ParseMarketBody(std::string_view body,
                                               std::string_view where);

// One market record ({orderHash, order, remaining, status, ...}).
absl::StatusOr<MarketOrder> ParseMarketOrder(const nlohmann::json& j);
// {count, orders: [...], nextPage}.
absl::StatusOr<MarketOrderbookPage> ParseOrderbookPage(const nlohmann::json& j);
// {published: {orderHash}}.
absl::StatusOr<std::string> ParsePublishAnswer(const nlohmann::json& j);

// The challenge text of a /challenge answer ({ok, data: typed data} or the
// typed data itself) when it is exactly the API's Challenge for `chain_id`;
// PermissionDenied saying what differs otherwise.
absl::StatusOr<std::string> MarketChallengeText(const nlohmann::json& answer,
                                                uint64_t chain_id);

}  // namespace poolops::chain
