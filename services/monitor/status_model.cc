#include "services/monitor/status_model.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/monitor/component_status.h"

namespace poolops::monitor {
namespace {

using v1::Component;
using v1::Health;
using v1::ProbeResult;

}  // namespace

std::string Ago(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  if (d < absl::Minutes(2)) return absl::StrCat(absl::ToInt64Seconds(d), " s");
  if (d < absl::Hours(2)) return absl::StrCat(absl::ToInt64Minutes(d), " min");
  return absl::StrCat(absl::ToInt64Hours(d), " h");
}

v1::PoolStatus EvaluatePool(const PoolEndpoints& endpoints,
                            const PoolObservations& obs, PoolMemory* memory) {
  const absl::Time now = obs.probed_at;
  ++memory->rounds;
  v1::PoolStatus status;
  status.set_pool(endpoints.pool());
  status.set_updated_at(Rfc3339(now));
  status.set_round(memory->rounds);

  // Each component in turn; the core's metrics and the orderbook are read
  // by the evaluators after them.
  std::optional<CoreMetrics> core = EvaluateCoreMetrics(obs, &status);
  EvaluateCoreHealth(obs, core.has_value(), &status);
  EvaluateWorkers(endpoints, obs, core, memory, &status);
  EvaluateAdapter(obs, &status);
  EvaluateConfigServer(endpoints, obs, &status);
  EvaluateGrafana(obs, &status);
  std::optional<OrderbookSummary> book = EvaluateMarket(obs, &status);
  EvaluateChain(endpoints, obs, core, &status);
  EvaluateWallets(endpoints, obs, book, &status);
  EvaluateSwarm(obs, &status);

  // HTTPS endpoints whose certificate is close to expiry.
  for (Component& c : *status.mutable_components()) {
    for (const ProbeResult& p : c.probes()) {
      if (p.probe_ssl_earliest_cert_expiry() == 0) continue;
      absl::Duration left =
          absl::FromUnixSeconds(p.probe_ssl_earliest_cert_expiry()) - now;
      if (left >= kCertExpiryWarning) continue;
      c.set_status(Worst(c.status(), v1::HEALTH_DEGRADED));
      absl::StrAppend(c.mutable_detail(), "; the TLS certificate of ",
                      p.spec().target(), " expires in ",
                      absl::ToInt64Hours(left) / 24, " days");
    }
  }

  // People read the summary before the details: workers, then each worker.
  auto rank = [](const Component* c) {
    const std::string& n = c->name();
    if (n == "core") return 0;
    if (n == "core/health") return 1;
    if (n == "workers") return 2;
    if (absl::StartsWith(n, "worker/")) return 3;
    return 4;  // the rest keep the order they were added in
  };
  std::stable_sort(status.mutable_components()->pointer_begin(),
                   status.mutable_components()->pointer_end(),
                   [&](const Component* a, const Component* b) {
                     return rank(a) < rank(b);
                   });

  Health overall = v1::HEALTH_OK;
  for (const Component& c : status.components()) {
    overall = Worst(overall, c.status());
  }
  status.set_overall(overall);
  return status;
}

}  // namespace poolops::monitor
