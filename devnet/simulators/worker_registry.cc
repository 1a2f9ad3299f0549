#include "devnet/simulators/worker_registry.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"

namespace poolops::sim {

std::string PlatformMetricJson(const PlatformMetric& m) {
  nlohmann::ordered_json json;
  json["aliveWorkers"] = m.alive_workers;
  json["aliveTotalCpu"] = m.alive_total_cpu;
  json["aliveAvailableCpu"] = m.alive_available_cpu;
  json["aliveTotalGpu"] = m.alive_total_gpu;
  json["aliveAvailableGpu"] = m.alive_available_gpu;
  json["completedTasks"] = m.completed_tasks;
  return json.dump();
}

void WorkerRegistry::Ping(const WorkerPing& ping) {
  absl::MutexLock lock(&mu_);
  workers_[ping.wallet_address] = Entry{ping, clock_->Now()};
}

bool WorkerRegistry::IsAlive(const std::string& wallet_address) const {
  absl::MutexLock lock(&mu_);
  auto it = workers_.find(absl::AsciiStrToLower(wallet_address));
  return it != workers_.end() &&
         it->second.last_alive > clock_->Now() - kAliveWindow;
}

PlatformMetric WorkerRegistry::Metrics() const {
  absl::MutexLock lock(&mu_);
  absl::Time cutoff = clock_->Now() - kAliveWindow;
  PlatformMetric m;
  for (const auto& [wallet, entry] : workers_) {
    if (entry.last_alive <= cutoff) continue;
    ++m.alive_workers;
    if (entry.ping.gpu_enabled) {
      ++m.alive_total_gpu;
    } else {
      m.alive_total_cpu += entry.ping.cpu_nb;
    }
  }
  m.alive_available_cpu = m.alive_total_cpu;
  m.alive_available_gpu = m.alive_total_gpu;
  return m;
}

}  // namespace poolops::sim
