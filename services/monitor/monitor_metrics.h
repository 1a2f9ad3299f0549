// The monitor's Prometheus gauges: its own (rounds, their duration, pools,
// targets) and each pool's, named to line up with iExec's (iexec_core_*,
// iexec_market_*, iexec_wallet_*) plus the blackbox exporter's probe_*
// gauges labelled by pool and component. Derived from PoolStatus only, so
// what Prometheus sees is what `poolctl status` says. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "poolops/monitor/v1/monitor.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

#include "services/monitor/history/pool_stats.h"

namespace poolops::monitor {

class MonitorMetrics {
 public:
  explicit MonitorMetrics(std::shared_ptr<prometheus::Registry> registry);

  // Replaces every gauge of status.pool().
  void Update(const v1::PoolStatus& status);
  void RemovePool(const std::string& pool);
  // The pool's economics from its on-chain history: counters (deals, tasks
  // completed and failed, RLC earned and seized, gas) that follow the
  // history's totals, gauges for running tasks and the last block read.
  void UpdateHistory(const PoolStats& stats);
  void RoundDone(absl::Duration took, size_t pools, size_t targets);

  // Every metric family the monitor registers (a series appears once a
  // pool gives it a value).
  static std::vector<std::string> Names();

  const std::shared_ptr<prometheus::Registry>& registry() const {
    return registry_;
  }

 private:
  using Family = prometheus::Family<prometheus::Gauge>;
  void Set(const std::string& pool, Family* family,
           const std::map<std::string, std::string>& labels, double value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ClearPool(const std::string& pool) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::shared_ptr<prometheus::Registry> registry_;
  absl::Mutex mu_;
  // Every gauge a pool owns, to remove them when it changes or goes.
  std::map<std::string, std::vector<std::pair<Family*, prometheus::Gauge*>>>
      owned_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Family*> families_;  // by metric name, fixed at start
  prometheus::Gauge* round_seconds_;
  prometheus::Gauge* pools_;
  prometheus::Gauge* targets_;
  prometheus::Counter* rounds_;
  // The history's families, and each pool's series in them.
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_;
  std::map<std::string, std::vector<std::pair<
                            prometheus::Family<prometheus::Counter>*,
                            prometheus::Counter*>>>
      history_counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::pair<Family*, prometheus::Gauge*>>>
      history_gauges_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::monitor
