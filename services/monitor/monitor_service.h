// The thin gRPC adapter of the Monitor (proto/poolops/monitor/v1): maps
// requests to Monitor calls and absl::Status to gRPC codes. Probe's gRPC
// prober (grpc.health.v1) lives here, since it needs a channel.
#pragma once

#include <filesystem>

#include "poolops/monitor/v1/monitor.grpc.pb.h"
#include "services/monitor/monitor.h"

namespace poolops::monitor {

class MonitorServiceImpl final : public v1::Monitor::Service {
 public:
  // `home`: where the monitor's TLS settings are read for suite_tls probes.
  MonitorServiceImpl(Monitor* monitor, std::filesystem::path home)
      : monitor_(monitor), home_(std::move(home)) {}

  grpc::Status GetStatus(grpc::ServerContext* ctx,
                         const v1::GetStatusRequest* req,
                         v1::PoolStatus* resp) override;
  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                     grpc::ServerWriter<v1::PoolStatus>* writer) override;
  grpc::Status Probe(grpc::ServerContext* ctx, const v1::ProbeRequest* req,
                     v1::ProbeResult* resp) override;
  grpc::Status SetPoolTargets(grpc::ServerContext* ctx,
                              const PoolEndpoints* req,
                              PoolEndpoints* resp) override;
  grpc::Status RemovePool(grpc::ServerContext* ctx,
                          const v1::RemovePoolRequest* req,
                          v1::RemovePoolResponse* resp) override;
  grpc::Status ListPools(grpc::ServerContext* ctx,
                         const v1::ListPoolsRequest* req,
                         v1::ListPoolsResponse* resp) override;
  grpc::Status GetPoolStats(grpc::ServerContext* ctx,
                            const v1::GetPoolStatsRequest* req,
                            v1::PoolStats* resp) override;

 private:
  Monitor* monitor_;
  std::filesystem::path home_;
};

}  // namespace poolops::monitor
