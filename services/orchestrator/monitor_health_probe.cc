// HealthProbe over the monitor's Probe RPC.
#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_grpc.h"
#include "poolops/monitor/v1/monitor.grpc.pb.h"
#include "services/orchestrator/health_probe.h"

namespace poolops::orchestrator {
namespace {

namespace mv1 = ::poolops::monitor::v1;

class MonitorHealthProbe : public HealthProbe {
 public:
  MonitorHealthProbe(std::shared_ptr<grpc::Channel> channel,
                     std::unique_ptr<HealthProbe> fallback)
      : stub_(mv1::Monitor::NewStub(channel)), fallback_(std::move(fallback)) {}

  absl::StatusOr<CoreMetrics> Core(const std::string& host,
                                   uint32_t port) override {
    mv1::ProbeRequest req;
    mv1::ProbeSpec* spec = req.mutable_spec();
    spec->set_prober(mv1::ProbeSpec::PROBER_HTTP);
    spec->set_target(absl::StrCat("http://", host, ":", port, "/metrics"));
    spec->set_timeout_ms(3000);
    spec->add_json_fields("aliveWorkers");
    spec->add_json_fields("aliveTotalCpu");
    mv1::ProbeResult result;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::Status s = stub_->Probe(&ctx, req, &result);
    if (!s.ok()) {
      if (fallback_ && (s.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
                        s.error_code() == grpc::StatusCode::UNAVAILABLE)) {
        return fallback_->Core(host, port);
      }
      return FromGrpc(s);
    }
    if (!result.probe_success()) {
      return absl::UnavailableError(
          absl::StrCat(spec->target(), ": ", result.probe_failed_due_to()));
    }
    CoreMetrics m;
    auto it = result.values().find("aliveWorkers");
    if (it == result.values().end() ||
        !absl::SimpleAtoi(it->second, &m.alive_workers)) {
      return absl::UnavailableError(
          absl::StrCat(spec->target(), ": no aliveWorkers value"));
    }
    if (auto c = result.values().find("aliveTotalCpu");
        c != result.values().end()) {
      (void)absl::SimpleAtoi(c->second, &m.alive_total_cpu);
    }
    return m;
  }

  absl::Status Watch(const PoolWatch& w) override {
    mv1::PoolTargets t;
    t.set_pool(w.pool);
    t.set_core(w.core);
    t.set_grafana(w.grafana);
    t.set_adapter(w.adapter);
    t.set_adapter_path(w.adapter_path);
    t.set_config_server(w.config_server);
    t.set_chain(w.chain);
    t.set_workerpool(w.workerpool);
    t.set_expected_workers(w.expected_workers);
    t.set_source("orchestrator");
    for (const PoolWatch::SwarmStack& s : w.swarm_stacks) {
      mv1::SwarmStack* st = t.add_swarm_stacks();
      st->set_docker_host(s.docker_host);
      st->set_project(s.project);
      st->set_role(s.role);
    }
    if (!w.owner_wallet.empty()) {
      mv1::WalletTarget* wt = t.add_wallets();
      wt->set_name(w.owner_wallet);
      wt->set_role("scheduler");
    }
    mv1::PoolTargets out;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::Status s = stub_->SetPoolTargets(&ctx, t, &out);
    return s.ok() ? absl::OkStatus() : FromGrpc(s);
  }

  absl::Status Unwatch(const std::string& pool) override {
    mv1::RemovePoolRequest req;
    req.set_pool(pool);
    mv1::RemovePoolResponse out;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::Status s = stub_->RemovePool(&ctx, req, &out);
    return s.ok() ? absl::OkStatus() : FromGrpc(s);
  }

 private:
  std::unique_ptr<mv1::Monitor::Stub> stub_;
  std::unique_ptr<HealthProbe> fallback_;
};

}  // namespace

std::unique_ptr<HealthProbe> NewMonitorHealthProbe(
    std::shared_ptr<grpc::Channel> channel,
    std::unique_ptr<HealthProbe> fallback) {
  return std::make_unique<MonitorHealthProbe>(std::move(channel),
                                              std::move(fallback));
}

}  // namespace poolops::orchestrator
