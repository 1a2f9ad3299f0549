// The Monitor's side of the pools' on-chain history: where each pool's
// history is (its workerpool, its chain's node and hub), the history loop,
// and the stats.
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/monitor/monitor.h"

namespace poolops::monitor {

absl::StatusOr<std::pair<HistorySource, std::string>> Monitor::HistoryOf(
    const PoolEndpoints& t) {
  const std::string& pool = t.pool();
  absl::StatusOr<eth::Address> workerpool =
      eth::Address::Parse(t.workerpool(), "workerpool");
  if (t.workerpool().empty() || !workerpool.ok())
    return absl::FailedPreconditionError(absl::StrCat(
        "pool ", pool, " has no workerpool address in its targets (pool up "
        "sets it; monitor add-pool --workerpool)"));
  std::string rpc = t.rpc(), chain_id = t.chain_id(), hub;
  uint32_t confirmations = 0;
  if (!t.chain().empty()) {
    absl::StatusOr<ChainInfo> info = ResolveChain(t.chain());
    if (!info.ok())
      return absl::FailedPreconditionError(
          absl::StrCat("pool ", pool, ": cannot resolve chain ", t.chain(), ": ",
                       info.status().message()));
    if (rpc.empty()) rpc = info->rpc;
    if (chain_id.empty()) chain_id = info->chain_id;
    hub = info->hub;
    confirmations = info->confirmations;
  }
  if (rpc.empty() || hub.empty())
    return absl::FailedPreconditionError(absl::StrCat(
        "pool ", pool, ": its chain's ", rpc.empty() ? "node" : "hub",
        " is unknown (the pool names no chain that chain-gateway knows)"));
  absl::StatusOr<eth::Address> hub_address = eth::Address::Parse(hub, "hub");
  if (!hub_address.ok()) return hub_address.status();
  return std::make_pair(
      HistorySource{pool, chain_id, *hub_address, *workerpool, confirmations},
      rpc);
}

absl::StatusOr<SyncReport> Monitor::SyncHistory(const PoolEndpoints& t) {
  absl::StatusOr<std::pair<HistorySource, std::string>> where = HistoryOf(t);
  if (!where.ok()) return where.status();
  absl::StatusOr<SyncReport> report =
      deps_.history->Sync(where->first, where->second);
  if (!report.ok()) return report.status();
  // The counters follow the totals: computed again only when something was
  // read, or once after the monitor starts.
  const bool fresh = [&] {
    absl::MutexLock lock(&mu_);
    return history_metrics_.insert(t.pool()).second;
  }();
  if (deps_.metrics &&
      (fresh || report->events > 0 || report->reset || report->rewound_to)) {
    absl::StatusOr<PoolStats> stats = deps_.history->Stats(t.pool(), 0);
    if (stats.ok()) deps_.metrics->UpdateHistory(*stats);
  }
  return report;
}

absl::StatusOr<PoolStats> Monitor::GetPoolStats(const std::string& pool,
                                                absl::Duration since) {
  if (deps_.history == nullptr)
    return absl::UnimplementedError("this monitor reads no on-chain history");
  PoolEndpoints t;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<std::string> name = PoolName(pool);
    if (!name.ok()) return name.status();
    t = pools_.at(*name);
  }
  absl::StatusOr<SyncReport> synced = SyncHistory(t);
  if (!synced.ok()) return synced.status();
  uint64_t min_time = 0;
  if (since > absl::ZeroDuration()) {
    const int64_t cutoff = absl::ToUnixSeconds(deps_.clock->Now() - since);
    min_time = cutoff > 0 ? static_cast<uint64_t>(cutoff) : 0;
  }
  return deps_.history->Stats(t.pool(), min_time);
}

void Monitor::SyncHistories() {
  std::vector<PoolEndpoints> pools;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, p] : pools_)
      if (!p.workerpool().empty()) pools.push_back(p);
  }
  // A pool whose history cannot be read now is read on the next pass; its
  // stats say why when asked.
  for (const PoolEndpoints& p : pools) (void)SyncHistory(p);
}

void Monitor::HistoryLoop() {
  while (true) {
    const absl::Time start = absl::Now();
    SyncHistories();
    absl::MutexLock lock(&mu_);
    auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithDeadline(absl::Condition(&stop), start + options_.interval);
    if (stopping_) return;
  }
}

}  // namespace poolops::monitor
