#include "services/monitor/monitor_metrics.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace poolops::monitor {
namespace {

struct GaugeDef {
  const char* name;
  const char* help;
};

// Pool gauges. Values come from the components' `values` (see table below).
constexpr GaugeDef kGauges[] = {
    {"poolops_monitor_pool_status",
     "Overall pool state: 0 ok, 1 degraded, 2 down, -1 not probed yet."},
    {"poolops_monitor_component_status",
     "Component state: 0 ok, 1 degraded, 2 down; label component."},
    {"probe_success", "Whether the probe succeeded (blackbox exporter)."},
    {"probe_duration_seconds", "How long the probe took (blackbox exporter)."},
    {"probe_http_status_code", "HTTP status code of the probe, 0 if none."},
    {"probe_ssl_earliest_cert_expiry",
     "Unix time the earliest certificate of the chain expires."},
    {"iexec_core_workers",
     "Alive workers as the core counts them (aliveWorkers)."},
    {"iexec_core_workers_expected", "Workers the pool should have."},
    {"iexec_core_cpus",
     "CPUs of alive workers (aliveTotalCpu / aliveRegisteredCpu)."},
    {"iexec_core_cpus_available",
     "Free CPUs of alive workers (aliveAvailableCpu)."},
    {"iexec_core_gpus",
     "GPUs of alive workers (aliveTotalGpu / aliveRegisteredGpu)."},
    {"iexec_core_gpus_available",
     "Free GPUs of alive workers (aliveAvailableGpu)."},
    {"iexec_core_tasks_completed",
     "Completed tasks (core 7.x completedTasks)."},
    {"iexec_core_latest_block",
     "The core's latest block (9.x latestBlockMetric)."},
    {"iexec_core_head_lag_blocks", "Chain head minus the core's latest block."},
    {"iexec_chain_head_block",
     "Latest block of the pool's chain (eth_blockNumber)."},
    {"iexec_market_open_orders",
     "Open workerpool orders of the pool on the market."},
    {"iexec_market_open_volume",
     "Sum of `remaining` over the pool's open orders."},
    {"iexec_market_required_stake_nrlc",
     "Stake the open orders need from the workerpool owner (30 % of price x "
     "remaining)."},
    {"iexec_wallet_native_wei",
     "Lowest native balance among the pool's wallets of a role, wei."},
    {"iexec_wallet_rlc_nrlc",
     "Lowest RLC held among the pool's wallets of a role, nRLC."},
    {"iexec_wallet_stake_nrlc",
     "Lowest free stake in the escrow among the pool's wallets of a role, "
     "nRLC."},
    {"iexec_wallet_locked_nrlc",
     "Lowest stake locked by deals among the pool's wallets of a role, nRLC."},
    {"iexec_wallets", "Wallets of a role the pool's status covers."},
};

// The pool's economics, from its on-chain history (history/pool_stats.h).
constexpr GaugeDef kHistoryCounters[] = {
    {"iexec_pool_deals_total", "Deals the pool won (SchedulerNotice)."},
    {"iexec_pool_tasks_total",
     "The pool's tasks that ended; label state: completed (finalized) or "
     "failed (claimed)."},
    {"iexec_pool_earned_nrlc_total",
     "RLC (nRLC) the pool earned for its tasks; label role: scheduler or "
     "workers."},
    {"iexec_pool_seized_nrlc_total",
     "Stake (nRLC) seized from the pool's scheduler and workers."},
    {"iexec_pool_gas_spent_wei_total",
     "Gas (wei) the scheduler's and workers' transactions for the pool cost."},
    {"iexec_pool_worker_tasks_total", "Contributions of a worker; label worker."},
    {"iexec_pool_worker_earned_nrlc_total",
     "RLC (nRLC) a worker earned; label worker."},
    {"iexec_pool_worker_seized_nrlc_total",
     "Stake (nRLC) seized from a worker; label worker."},
};
constexpr GaugeDef kHistoryGauges[] = {
    {"iexec_pool_tasks_running",
     "The pool's tasks initialized and neither finalized nor claimed."},
    {"iexec_pool_history_block",
     "The last final block of the pool's history the monitor has read."},
};

// component value → gauge, for the component named `component` (or a prefix
// ending in '/'). Wallets are labelled by role, never by name or address:
// /metrics is no address book.
struct ValueGauge {
  const char* component;
  const char* value;
  const char* gauge;
};
constexpr ValueGauge kValueGauges[] = {
    {"core", "aliveWorkers", "iexec_core_workers"},
    {"core", "aliveTotalCpu", "iexec_core_cpus"},
    {"core", "aliveAvailableCpu", "iexec_core_cpus_available"},
    {"core", "aliveTotalGpu", "iexec_core_gpus"},
    {"core", "aliveAvailableGpu", "iexec_core_gpus_available"},
    {"core", "completedTasks", "iexec_core_tasks_completed"},
    {"core", "latestBlock", "iexec_core_latest_block"},
    {"workers", "expectedWorkers", "iexec_core_workers_expected"},
    {"chain", "headBlock", "iexec_chain_head_block"},
    {"chain", "headLag", "iexec_core_head_lag_blocks"},
    {"market", "openOrders", "iexec_market_open_orders"},
    {"market", "openVolume", "iexec_market_open_volume"},
    {"market", "requiredStake", "iexec_market_required_stake_nrlc"},
    {"wallet/", "native", "iexec_wallet_native_wei"},
    {"wallet/", "rlc", "iexec_wallet_rlc_nrlc"},
    {"wallet/", "stake", "iexec_wallet_stake_nrlc"},
    {"wallet/", "locked", "iexec_wallet_locked_nrlc"},
};

double HealthValue(v1::Health h) {
  switch (h) {
    case v1::HEALTH_OK:
      return 0;
    case v1::HEALTH_DEGRADED:
      return 1;
    case v1::HEALTH_DOWN:
      return 2;
    default:
      return -1;
  }
}

}  // namespace

MonitorMetrics::MonitorMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)) {
  for (const GaugeDef& d : kGauges) {
    families_[d.name] =
        &prometheus::BuildGauge().Name(d.name).Help(d.help).Register(
            *registry_);
  }
  round_seconds_ = &prometheus::BuildGauge()
                        .Name("poolops_monitor_round_duration_seconds")
                        .Help("How long the last round of probes took.")
                        .Register(*registry_)
                        .Add({});
  pools_ = &prometheus::BuildGauge()
                .Name("poolops_monitor_pools")
                .Help("Pools monitored.")
                .Register(*registry_)
                .Add({});
  targets_ = &prometheus::BuildGauge()
                  .Name("poolops_monitor_targets")
                  .Help("Probes per round (HTTP, chain, balances).")
                  .Register(*registry_)
                  .Add({});
  for (const GaugeDef& d : kHistoryGauges) {
    families_[d.name] =
        &prometheus::BuildGauge().Name(d.name).Help(d.help).Register(
            *registry_);
  }
  for (const GaugeDef& d : kHistoryCounters) {
    counters_[d.name] =
        &prometheus::BuildCounter().Name(d.name).Help(d.help).Register(
            *registry_);
  }
  rounds_ = &prometheus::BuildCounter()
                 .Name("poolops_monitor_rounds_total")
                 .Help("Rounds of probes done.")
                 .Register(*registry_)
                 .Add({});
}

std::vector<std::string> MonitorMetrics::Names() {
  std::vector<std::string> names = {
      "poolops_monitor_round_duration_seconds", "poolops_monitor_pools",
      "poolops_monitor_targets", "poolops_monitor_rounds_total"};
  for (const GaugeDef& d : kGauges) names.push_back(d.name);
  for (const GaugeDef& d : kHistoryGauges) names.push_back(d.name);
  for (const GaugeDef& d : kHistoryCounters) names.push_back(d.name);
  return names;
}

void MonitorMetrics::Set(const std::string& pool, Family* family,
                         const std::map<std::string, std::string>& labels,
                         double value) {
  prometheus::Gauge& g = family->Add(labels);
  g.Set(value);
  owned_[pool].emplace_back(family, &g);
}

void MonitorMetrics::ClearPool(const std::string& pool) {
  auto it = owned_.find(pool);
  if (it == owned_.end()) return;
  for (auto& [family, gauge] : it->second) family->Remove(gauge);
  owned_.erase(it);
}

void MonitorMetrics::Update(const v1::PoolStatus& status) {
  absl::MutexLock lock(&mu_);
  const std::string& pool = status.pool();
  ClearPool(pool);
  Set(pool, families_["poolops_monitor_pool_status"], {{"pool", pool}},
      HealthValue(status.overall()));
  // Wallets by role: the worst status, the lowest balances, how many.
  struct RoleAggregate {
    v1::Health worst = v1::HEALTH_UNSPECIFIED;
    std::map<std::string, double> lowest;  // gauge name -> value
    int count = 0;
  };
  std::map<std::string, RoleAggregate> roles;
  for (const v1::Component& c : status.components()) {
    if (absl::StartsWith(c.name(), "wallet/")) {
      auto role = c.values().find("role");
      RoleAggregate& agg =
          roles[role == c.values().end() ? "wallet" : role->second];
      ++agg.count;
      if (HealthValue(c.status()) > HealthValue(agg.worst)) {
        agg.worst = c.status();
      }
      for (const ValueGauge& vg : kValueGauges) {
        if (std::string_view(vg.component) != "wallet/") continue;
        auto v = c.values().find(vg.value);
        double d = 0;
        if (v == c.values().end() || !absl::SimpleAtod(v->second, &d)) continue;
        auto [it, first] = agg.lowest.emplace(vg.gauge, d);
        if (!first && d < it->second) it->second = d;
      }
      continue;
    }
    Set(pool, families_["poolops_monitor_component_status"],
        {{"pool", pool}, {"component", c.name()}}, HealthValue(c.status()));
    for (const v1::ProbeResult& p : c.probes()) {
      std::map<std::string, std::string> labels = {{"pool", pool},
                                                   {"component", c.name()}};
      Set(pool, families_["probe_success"], labels, p.probe_success() ? 1 : 0);
      Set(pool, families_["probe_duration_seconds"], labels,
          p.probe_duration_seconds());
      Set(pool, families_["probe_http_status_code"], labels,
          p.probe_http_status_code());
      if (p.probe_ssl_earliest_cert_expiry() != 0) {
        Set(pool, families_["probe_ssl_earliest_cert_expiry"], labels,
            static_cast<double>(p.probe_ssl_earliest_cert_expiry()));
      }
      break;  // one probe per component today
    }
    for (const ValueGauge& vg : kValueGauges) {
      if (std::string_view(vg.component) != c.name()) continue;
      auto v = c.values().find(vg.value);
      double d = 0;
      if (v == c.values().end() || !absl::SimpleAtod(v->second, &d)) continue;
      Set(pool, families_[vg.gauge], {{"pool", pool}}, d);
    }
  }
  for (const auto& [role, agg] : roles) {
    Set(pool, families_["poolops_monitor_component_status"],
        {{"pool", pool}, {"component", absl::StrCat("wallet/", role)}},
        HealthValue(agg.worst));
    Set(pool, families_["iexec_wallets"], {{"pool", pool}, {"role", role}},
        agg.count);
    for (const auto& [gauge, value] : agg.lowest) {
      Set(pool, families_[gauge], {{"pool", pool}, {"role", role}}, value);
    }
  }
}

void MonitorMetrics::RemovePool(const std::string& pool) {
  absl::MutexLock lock(&mu_);
  ClearPool(pool);
  for (auto& [family, counter] : history_counters_[pool]) family->Remove(counter);
  for (auto& [family, gauge] : history_gauges_[pool]) family->Remove(gauge);
  history_counters_.erase(pool);
  history_gauges_.erase(pool);
}

void MonitorMetrics::UpdateHistory(const PoolStats& stats) {
  absl::MutexLock lock(&mu_);
  const std::string& pool = stats.pool;
  auto number = [](const std::string& decimal) {
    double d = 0;
    return absl::SimpleAtod(decimal, &d) ? d : 0.0;
  };
  // A counter follows the history's total: it only ever moves up (a reorg
  // that takes an event back shows on the next monitor start).
  auto count = [&](const char* name, std::map<std::string, std::string> labels,
                   double total) {
    labels["pool"] = pool;
    prometheus::Family<prometheus::Counter>* family = counters_[name];
    prometheus::Counter& c = family->Add(labels);
    if (total > c.Value()) c.Increment(total - c.Value());
    auto& owned = history_counters_[pool];
    if (std::find(owned.begin(), owned.end(), std::make_pair(family, &c)) ==
        owned.end())
      owned.emplace_back(family, &c);
  };
  auto gauge = [&](const char* name, double value) {
    Family* family = families_[name];
    prometheus::Gauge& g = family->Add({{"pool", pool}});
    g.Set(value);
    auto& owned = history_gauges_[pool];
    if (std::find(owned.begin(), owned.end(), std::make_pair(family, &g)) ==
        owned.end())
      owned.emplace_back(family, &g);
  };
  count("iexec_pool_deals_total", {}, static_cast<double>(stats.deals));
  count("iexec_pool_tasks_total", {{"state", "completed"}},
        static_cast<double>(stats.completed));
  count("iexec_pool_tasks_total", {{"state", "failed"}},
        static_cast<double>(stats.failed));
  count("iexec_pool_earned_nrlc_total", {{"role", "scheduler"}},
        number(stats.earned_scheduler));
  count("iexec_pool_earned_nrlc_total", {{"role", "workers"}},
        number(stats.earned_workers));
  count("iexec_pool_seized_nrlc_total", {}, number(stats.seized));
  count("iexec_pool_gas_spent_wei_total", {}, number(stats.gas_spent));
  for (const WorkerStats& w : stats.workers) {
    count("iexec_pool_worker_tasks_total", {{"worker", w.address}},
          static_cast<double>(w.tasks));
    count("iexec_pool_worker_earned_nrlc_total", {{"worker", w.address}},
          number(w.earned));
    count("iexec_pool_worker_seized_nrlc_total", {{"worker", w.address}},
          number(w.seized));
  }
  gauge("iexec_pool_tasks_running", static_cast<double>(stats.running));
  gauge("iexec_pool_history_block", static_cast<double>(stats.to_block));
}

void MonitorMetrics::RoundDone(absl::Duration took, size_t pools,
                               size_t targets) {
  round_seconds_->Set(absl::ToDoubleSeconds(took));
  pools_->Set(static_cast<double>(pools));
  targets_->Set(static_cast<double>(targets));
  rounds_->Increment();
}

}  // namespace poolops::monitor
