// The core simulator's alive-worker registry and the 7.x PlatformMetric it
// yields. Liveness as iexec-core 7.2.0 WorkerService: alive = last ping
// strictly less than one minute ago.
#pragma once

#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "devnet/simulators/worker_ping.h"
#include "libs/common/clock.h"

namespace poolops::sim {

inline constexpr absl::Duration kAliveWindow = absl::Minutes(1);

// iexec-core 7.x GET /metrics.
struct PlatformMetric {
  int alive_workers = 0;
  int alive_total_cpu = 0;
  int alive_available_cpu = 0;
  int alive_total_gpu = 0;
  int alive_available_gpu = 0;
  int completed_tasks = 0;
  // What the core's on-chain duties did (scheduler_duties.h): zero without.
  int deals = 0;
  uint64_t latest_block_with_deal = 0;
};

std::string PlatformMetricJson(const PlatformMetric& metric);

class WorkerRegistry {
 public:
  explicit WorkerRegistry(const Clock* clock) : clock_(clock) {}

  void Ping(const WorkerPing& ping);
  bool IsAlive(const std::string& wallet_address) const;
  // The simulator computes no tasks: available == total, completed == 0.
  PlatformMetric Metrics() const;

 private:
  struct Entry {
    WorkerPing ping;
    absl::Time last_alive;
  };
  const Clock* clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::sim
