// The health gates of `up`: the core's /metrics (it answers = healthy;
// aliveWorkers = how many workers ping it). Through the monitor's Probe RPC
// in production (proto/poolops/monitor/v1/monitor.proto), falling back to a
// direct HTTP GET while the monitor does not serve probes; a fake in tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/http_client.h"

namespace grpc {
class Channel;
}

namespace poolops::orchestrator {

struct CoreMetrics {
  int alive_workers = 0;
  int alive_total_cpu = 0;
};

// What the monitor should watch for a pool after `up`.
struct PoolWatch {
  std::string pool;
  std::string core;     // http://host:port
  std::string grafana;  // http://host:port, or empty
  std::string adapter;  // http://host:port, or empty
  // Path probed on the adapter: empty (the monitor's default, /config/chain
  // of <= 8.x) or /actuator/health (9.x, where /config/chain is gone).
  std::string adapter_path;
  // 9.x: the config server the core and workers read the chain from,
  // http://host:port, or empty.
  std::string config_server;
  std::string chain;
  std::string workerpool;
  std::string owner_wallet;
  uint32_t expected_workers = 0;
  // Stacks on swarm targets: the monitor reads their services' states.
  struct SwarmStack {
    std::string docker_host;  // the manager's DOCKER_HOST ("": default)
    std::string project;
    std::string role;  // "core" | "worker"
  };
  std::vector<SwarmStack> swarm_stacks;
};

class HealthProbe {
 public:
  virtual ~HealthProbe() = default;
  // Unavailable while the core does not answer.
  virtual absl::StatusOr<CoreMetrics> Core(const std::string& host,
                                           uint32_t port) = 0;
  // Hands the pool to the monitor (its targets replace earlier ones).
  // Unimplemented where there is no monitor (direct probes, fakes).
  virtual absl::Status Watch(const PoolWatch& watch) {
    return absl::UnimplementedError("no monitor to hand the pool to");
  }
  // The monitor stops watching the pool (after `down`).
  virtual absl::Status Unwatch(const std::string& pool) {
    return absl::UnimplementedError("no monitor");
  }
};

// GET http://host:port/metrics through `web` (null: libcurl); `timeout`
// bounds the connect and the whole exchange.
std::unique_ptr<HealthProbe> NewDirectHealthProbe(
    absl::Duration timeout = absl::Seconds(3),
    std::shared_ptr<http::Client> web = nullptr);

// Monitor.Probe; on UNIMPLEMENTED or UNAVAILABLE from the monitor itself,
// `fallback` (may be null).
std::unique_ptr<HealthProbe> NewMonitorHealthProbe(
    std::shared_ptr<grpc::Channel> channel,
    std::unique_ptr<HealthProbe> fallback);

// The core's /metrics (libs/iexec's parser, every core version) as the
// health gates need it; Unavailable when it is not a core's answer.
absl::StatusOr<CoreMetrics> ParseCoreMetrics(const std::string& body);

}  // namespace poolops::orchestrator
