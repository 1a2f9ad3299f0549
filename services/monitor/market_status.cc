// The market: the pool's open workerpool orders (which the wallets evaluator
// reads too).
#include "absl/strings/str_cat.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

std::optional<OrderbookSummary> EvaluateMarket(const PoolObservations& obs,
                                               v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  std::optional<OrderbookSummary> book;
  if (obs.market) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.market, &probe, now);
    Component* c = nullptr;
    if (!v.ok) {
      c = Add(status, "market", v1::HEALTH_DEGRADED,
              absl::StrCat("orderbook unknown: ", v.reason), now,
              /*known=*/false);
    } else if (absl::StatusOr<OrderbookSummary> s =
                   ParseOrderbook(obs.market->response.body);
               !s.ok()) {
      ParseFailed(&probe);
      c = Add(status, "market", v1::HEALTH_DEGRADED,
              absl::StrCat("orderbook unknown: ", s.status().message()), now,
              /*known=*/false);
    } else {
      book = *s;
      std::string more =
          s->more_pages ? std::string(" (volume of the first page)") : "";
      if (s->count == 0) {
        c = Add(status, "market", v1::HEALTH_DEGRADED,
                "no open workerpool order on the market: the pool takes no "
                "deals (is the publisher running, are CPUs available?)",
                now);
      } else {
        c = Add(status, "market", v1::HEALTH_OK,
                absl::StrCat(Plural(s->count, "open order", "open orders"),
                             ", open volume ", s->open_volume, more),
                now);
      }
      auto& values = *c->mutable_values();
      values["openOrders"] = absl::StrCat(s->count);
      values["openVolume"] = absl::StrCat(s->open_volume);
      values["requiredStake"] = absl::StrCat(s->required_stake);
    }
    *c->add_probes() = std::move(probe);
  } else if (!obs.market_unknown.empty()) {
    Add(status, "market", v1::HEALTH_DEGRADED,
        absl::StrCat("orderbook unknown: ", obs.market_unknown), now,
        /*known=*/false);
  }
  return book;
}

}  // namespace poolops::monitor
