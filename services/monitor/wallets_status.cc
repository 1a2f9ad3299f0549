// The wallets: balances and stake against what the pool needs.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/eth/uint256.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

namespace {

// `value` (wei or nRLC) as a 256-bit number, never compared as text; a value
// that is not a decimal integer is itself a problem to show, once.
std::optional<eth::U256> Amount(std::string_view value, std::string_view what,
                                std::vector<std::string>* problems) {
  absl::StatusOr<eth::U256> a = eth::U256::FromDecimal(value, what);
  if (!a.ok()) {
    problems->push_back(std::string(a.status().message()));
    return std::nullopt;
  }
  return *a;
}

// Whether a known `amount` is below `floor` (empty: no floor).
bool Below(const std::optional<eth::U256>& amount, std::string_view floor,
           std::string_view what, std::vector<std::string>* problems) {
  if (!amount || floor.empty()) return false;
  std::optional<eth::U256> f = Amount(floor, what, problems);
  return f && *amount < *f;
}

}  // namespace

void EvaluateWallets(const PoolEndpoints& endpoints,
                     const PoolObservations& obs,
                     const std::optional<OrderbookSummary>& book,
                     v1::PoolStatus* status) {
  const absl::Time now = obs.probed_at;
  for (const v1::WalletTarget& w : endpoints.wallets()) {
    std::string name = absl::StrCat("wallet/", w.name());
    auto it = obs.balances.find(w.name());
    if (it == obs.balances.end()) continue;
    if (!it->second.ok()) {
      const absl::Status& s = it->second.status();
      std::string why =
          absl::IsUnimplemented(s)
              ? "chain-gateway does not serve balances yet (UNIMPLEMENTED)"
          : absl::IsUnavailable(s)
              ? absl::StrCat("chain-gateway unavailable: ", s.message())
              : std::string(s.message());
      Component* unknown =
          Add(status, name, v1::HEALTH_DEGRADED,
              absl::StrCat("balances unknown: ", why), now, /*known=*/false);
      (*unknown->mutable_values())["role"] = w.role();
      continue;
    }
    const Balances& b = *it->second;
    std::vector<std::string> problems;
    const std::optional<eth::U256> stake = Amount(b.stake, "stake", &problems);
    const std::optional<eth::U256> native =
        Amount(b.native, "native balance", &problems);
    if (Below(stake, w.min_stake(), "min_stake", &problems)) {
      problems.push_back(absl::StrCat("stake ", b.stake, " nRLC is below the ",
                                      w.min_stake(), " nRLC floor"));
    }
    if (Below(native, w.min_native(), "min_native", &problems)) {
      problems.push_back(absl::StrCat("native balance ", b.native,
                                      " wei is below the ", w.min_native(),
                                      " wei floor (gas)"));
    }
    std::string required;
    if (w.role() == "scheduler" && book) {
      required = absl::StrCat(book->required_stake);
      if (Below(stake, required, "the orders' required stake", &problems)) {
        problems.push_back(absl::StrCat(
            "stake ", b.stake, " nRLC does not cover the ", required,
            " nRLC (30 % of the price) the open orders need: they cannot "
            "match"));
      }
    }
    Component* c = Add(
        status, name, problems.empty() ? v1::HEALTH_OK : v1::HEALTH_DEGRADED,
        problems.empty()
            ? absl::StrCat(w.role(), " wallet ", b.address, ": stake ", b.stake,
                           " nRLC (", b.locked, " locked), ", b.rlc, " nRLC, ",
                           b.native, " wei",
                           required.empty()
                               ? ""
                               : absl::StrCat("; open orders need ", required,
                                              " nRLC staked"))
            : absl::StrJoin(problems, "; "),
        now);
    auto& values = *c->mutable_values();
    values["address"] = b.address;
    values["role"] = w.role();  // what /metrics labels by, not the name
    values["native"] = b.native;
    values["rlc"] = b.rlc;
    values["stake"] = b.stake;
    values["locked"] = b.locked;
    if (!required.empty()) values["requiredStake"] = required;
  }
}

}  // namespace poolops::monitor
