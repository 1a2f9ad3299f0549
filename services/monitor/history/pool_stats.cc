#include "services/monitor/history/pool_stats.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/eth/uint256.h"

namespace poolops::monitor {
namespace {

using iexec::PocoEventKind;

absl::Status Add(eth::U256& sum, const std::string& decimal) {
  absl::StatusOr<eth::U256> v = eth::U256::FromDecimal(decimal);
  if (!v.ok()) return v.status();
  absl::StatusOr<eth::U256> total = sum.CheckedAdd(*v);
  if (!total.ok()) return total.status();
  sum = *total;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PoolStats> ComputePoolStats(HistoryStore& store,
                                           const std::string& pool,
                                           uint64_t min_time) {
  absl::StatusOr<std::optional<HistoryCursor>> cursor = store.Cursor(pool);
  if (!cursor.ok()) return cursor.status();
  if (!cursor->has_value())
    return absl::NotFoundError(
        absl::StrCat("the history of pool ", pool, " was never read"));
  const HistoryCursor& c = **cursor;
  // Every event, to know each task's contributors and fate; the window
  // decides what is counted.
  absl::StatusOr<std::vector<StoredEvent>> events = store.Events(pool);
  if (!events.ok()) return events.status();
  absl::StatusOr<std::vector<StoredGas>> gas = store.Gas(pool, min_time);
  if (!gas.ok()) return gas.status();

  PoolStats s;
  s.pool = pool;
  s.workerpool = c.workerpool;
  s.scheduler = c.scheduler;
  s.to_block = c.next_block == 0 ? 0 : c.next_block - 1;
  s.from_block = c.start_block;
  if (min_time > 0) {
    absl::StatusOr<std::optional<uint64_t>> first =
        store.FirstBlockSince(pool, min_time);
    if (!first.ok()) return first.status();
    s.from_block = first->value_or(c.next_block);
  }

  std::map<std::string, std::set<std::string>> contributors;  // task -> workers
  std::set<std::string> initialized, ended;
  uint64_t first_time = UINT64_MAX, last_time = 0;
  for (const StoredEvent& e : *events) {
    if (e.time >= min_time) {
      first_time = std::min(first_time, e.time);
      last_time = std::max(last_time, e.time);
    }
    if (e.kind == PocoEventKind::kTaskContribute) contributors[e.id].insert(e.account);
    if (e.kind == PocoEventKind::kTaskInitialize) initialized.insert(e.id);
    if (e.kind == PocoEventKind::kTaskFinalize || e.kind == PocoEventKind::kTaskClaimed)
      ended.insert(e.id);
  }
  for (const std::string& t : initialized) s.running += ended.count(t) ? 0 : 1;

  // The timeline's slices, kept as sums until the end.
  struct Slice {
    uint64_t completed = 0, failed = 0;
    eth::U256 earned, seized;
  };
  std::vector<Slice> slices(first_time <= last_time ? kTimelinePoints : 0);
  const uint64_t span = last_time >= first_time ? last_time - first_time + 1 : 1;
  const uint64_t width = (span + kTimelinePoints - 1) / kTimelinePoints;
  auto slice_of = [&](uint64_t time) -> Slice& {
    return slices[std::min<uint64_t>((time - first_time) / width,
                                     kTimelinePoints - 1)];
  };

  eth::U256 scheduler_earned, workers_earned, seized, gas_spent;
  std::map<std::string, std::pair<eth::U256, eth::U256>> per_worker;
  std::map<std::string, uint64_t> worker_tasks;
  for (const StoredEvent& e : *events) {
    if (e.time < min_time) continue;
    absl::Status st;
    switch (e.kind) {
      case PocoEventKind::kSchedulerNotice:
        ++s.deals;
        break;
      case PocoEventKind::kOrdersMatched: {
        absl::StatusOr<eth::U256> v = eth::U256::FromDecimal(e.amount);
        if (v.ok() && v->FitsUint64()) s.deal_tasks += v->low64();
        break;
      }
      case PocoEventKind::kTaskFinalize:
        ++s.completed;
        ++slice_of(e.time).completed;
        break;
      case PocoEventKind::kTaskClaimed:
        ++s.failed;
        ++slice_of(e.time).failed;
        break;
      case PocoEventKind::kTaskContribute:
        ++worker_tasks[e.account];
        break;
      case PocoEventKind::kReward:
      case PocoEventKind::kSeize: {
        const bool reward = e.kind == PocoEventKind::kReward;
        const bool worker = contributors[e.ref].count(e.account) > 0;
        if (e.account == c.scheduler || worker) {
          Slice& slice = slice_of(e.time);
          st = Add(reward ? slice.earned : slice.seized, e.amount);
        }
        if (!st.ok()) return st;
        if (e.account == c.scheduler) {
          st = Add(reward ? scheduler_earned : seized, e.amount);
        } else if (worker) {
          st = Add(reward ? workers_earned : seized, e.amount);
          if (st.ok())
            st = Add(reward ? per_worker[e.account].first
                            : per_worker[e.account].second,
                     e.amount);
        }
        break;
      }
      default:
        break;
    }
    if (!st.ok()) return st;
  }
  for (const StoredGas& g : *gas) {
    absl::Status st = Add(gas_spent, g.wei);
    if (!st.ok()) return st;
  }
  for (size_t i = 0; i < slices.size(); ++i) {
    StatsPoint p;
    p.time = first_time + i * width;
    p.completed = slices[i].completed;
    p.failed = slices[i].failed;
    p.earned = slices[i].earned.ToDecimal();
    p.seized = slices[i].seized.ToDecimal();
    s.timeline.push_back(std::move(p));
  }
  s.earned_scheduler = scheduler_earned.ToDecimal();
  s.earned_workers = workers_earned.ToDecimal();
  s.seized = seized.ToDecimal();
  s.gas_spent = gas_spent.ToDecimal();
  std::set<std::string> addresses;
  for (const auto& [w, n] : worker_tasks) addresses.insert(w);
  for (const auto& [w, m] : per_worker) addresses.insert(w);
  for (const std::string& w : addresses) {
    WorkerStats ws;
    ws.address = w;
    ws.tasks = worker_tasks.count(w) ? worker_tasks[w] : 0;
    ws.earned = per_worker[w].first.ToDecimal();
    ws.seized = per_worker[w].second.ToDecimal();
    s.workers.push_back(ws);
  }
  return s;
}

}  // namespace poolops::monitor
