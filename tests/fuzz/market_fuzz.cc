// Arbitrary bytes as what an iExec market API answers chain-gateway: the
// body (bounded parse), the login challenge (the one thing it signs), order
// records, orderbook pages and publish answers. Must never crash, hang or
// allocate without bound, and a challenge is accepted only when it is the
// API's Challenge: what gets signed is always that fixed shape. Accepted:
// the body is one of those answers (a challenge, an order record, an
// orderbook page or a publish answer).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "libs/common/bounded_json.h"
#include "libs/eth/eip712.h"
#include "libs/iexec/market_challenge.h"
#include "services/chain/orders/market_responses.h"
#include "tests/fuzz/fuzz_target.h"

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  namespace c = poolops::chain;
  namespace iexec = poolops::iexec;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<nlohmann::json> j = c::ParseMarketBody(body, "fuzz");
  if (!j.ok()) return false;
  (void)poolops::DumpJson(*j);
  bool accepted = false;
  for (uint64_t chain_id : {uint64_t{65535}, uint64_t{134}}) {
    absl::StatusOr<std::string> text = c::MarketChallengeText(*j, chain_id);
    if (!text.ok()) continue;
    accepted = true;
    if (!absl::StartsWith(*text, iexec::kMarketChallengePrefix) ||
        text->size() > 256)
      __builtin_trap();
    nlohmann::json typed = iexec::MarketChallengeTypedData(*text, chain_id);
    auto digest = poolops::eth::eip712::HashTypedData(typed);
    if (!digest.ok() || typed["primaryType"] != "Challenge" ||
        typed["types"].size() != 2 || !typed["types"].contains("Challenge"))
      __builtin_trap();
  }
  if (c::ParseMarketOrder(*j).ok()) accepted = true;
  auto page = c::ParseOrderbookPage(*j);
  if (page.ok()) {
    // Any object reads as an empty page: a page is one with its orders.
    accepted = accepted || j->contains("orders");
    for (const c::MarketOrder& o : page->orders)
      if (o.order.volume == 0) __builtin_trap();  // the schema says >= 1
  }
  if (c::ParsePublishAnswer(*j).ok()) accepted = true;
  return accepted;
}
