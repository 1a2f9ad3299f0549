// Arbitrary bytes as what an iExec market API answers chain-gateway: the
// body (bounded parse), the login challenge (the one thing it signs), order
// records, orderbook pages and publish answers. Must never crash, hang or
// allocate without bound, and a challenge is accepted only when it is the
// API's Challenge: what gets signed is always that fixed shape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "libs/common/bounded_json.h"
#include "libs/eth/eip712.h"
#include "services/chain/gateway/market_responses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c = poolops::chain;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<nlohmann::json> j = c::ParseMarketBody(body, "fuzz");
  if (!j.ok()) return 0;
  (void)poolops::DumpJson(*j);
  for (uint64_t chain_id : {uint64_t{65535}, uint64_t{134}}) {
    absl::StatusOr<std::string> text = c::MarketChallengeText(*j, chain_id);
    if (!text.ok()) continue;
    if (!absl::StartsWith(*text, c::kMarketChallengePrefix) ||
        text->size() > 256)
      __builtin_trap();
    nlohmann::json typed = c::MarketChallengeTypedData(*text, chain_id);
    auto digest = poolops::eth::eip712::HashTypedData(typed);
    if (!digest.ok() || typed["primaryType"] != "Challenge" ||
        typed["types"].size() != 1)
      __builtin_trap();
  }
  (void)c::ParseMarketOrder(*j);
  auto page = c::ParseOrderbookPage(*j);
  if (page.ok())
    for (const c::MarketOrder& o : page->orders)
      if (o.order.volume == 0) __builtin_trap();  // the schema says >= 1
  (void)c::ParsePublishAnswer(*j);
  return 0;
}
