#include "services/monitor/monitor_service.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/common/client_channel.h"
#include "libs/common/health_client.h"
#include "libs/common/status_grpc.h"

namespace poolops::monitor {
namespace {

// The channel a gRPC probe uses: plain, TLS with the system roots, or the
// suite's mutual TLS (its CA, the monitor's client certificate).
absl::StatusOr<std::shared_ptr<grpc::Channel>> ProbeChannel(
    const v1::ProbeSpec& spec, const std::filesystem::path& home) {
  if (spec.suite_tls()) {
    return EndpointChannel(home, SuiteEndpoint{spec.target(), "probe target"});
  }
  if (spec.tls())
    return grpc::CreateChannel(spec.target(), grpc::SslCredentials({}));
  return LocalChannel(spec.target());
}

// grpc.health.v1 Check against spec.target().
v1::ProbeResult GrpcHealthProbe(const v1::ProbeSpec& spec,
                                absl::Duration default_timeout,
                                const std::filesystem::path& home) {
  v1::ProbeResult result;
  *result.mutable_spec() = spec;
  result.set_probed_at(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                        absl::UTCTimeZone()));
  absl::Duration timeout = spec.timeout_ms() != 0
                               ? absl::Milliseconds(spec.timeout_ms())
                               : default_timeout;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      ProbeChannel(spec, home);
  if (!channel.ok()) {
    result.set_probe_failed_due_to("tls");
    result.set_debug_log(absl::StrCat("! ", channel.status().message(), "\n"));
    return result;
  }
  absl::Time start = absl::Now();
  absl::StatusOr<HealthState> state =
      CheckHealth(**channel, spec.grpc_service(), timeout);
  result.set_probe_duration_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  if (!state.ok()) {
    result.set_probe_failed_due_to(
        absl::IsDeadlineExceeded(state.status()) ? "timeout" : "grpc");
    result.set_debug_log(absl::StrCat("! ", state.status().ToString(), "\n"));
    return result;
  }
  result.set_probe_success(*state == HealthState::kServing);
  if (!result.probe_success()) result.set_probe_failed_due_to("not serving");
  result.set_debug_log(absl::StrCat(
      "* grpc.health.v1.Health/Check(\"", spec.grpc_service(), "\") -> ",
      *state == HealthState::kServing ? "SERVING" : "not SERVING", "\n"));
  return result;
}

}  // namespace

grpc::Status MonitorServiceImpl::GetStatus(grpc::ServerContext*,
                                           const v1::GetStatusRequest* req,
                                           v1::PoolStatus* resp) {
  absl::StatusOr<v1::PoolStatus> s = monitor_->GetStatus(req->pool());
  if (!s.ok()) return ToGrpc(s.status());
  *resp = std::move(*s);
  return grpc::Status::OK;
}

grpc::Status MonitorServiceImpl::GetPoolStats(grpc::ServerContext*,
                                              const v1::GetPoolStatsRequest* req,
                                              v1::PoolStats* resp) {
  if (req->since_seconds() < 0)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "since_seconds must not be negative");
  absl::StatusOr<PoolStats> s =
      monitor_->GetPoolStats(req->pool(), absl::Seconds(req->since_seconds()));
  if (!s.ok()) return ToGrpc(s.status());
  resp->set_pool(s->pool);
  resp->set_workerpool(s->workerpool);
  resp->set_scheduler(s->scheduler);
  resp->set_from_block(s->from_block);
  resp->set_to_block(s->to_block);
  resp->set_deals(s->deals);
  resp->set_deal_tasks(s->deal_tasks);
  resp->set_tasks_completed(s->completed);
  resp->set_tasks_failed(s->failed);
  resp->set_tasks_running(s->running);
  resp->set_earned_scheduler(s->earned_scheduler);
  resp->set_earned_workers(s->earned_workers);
  resp->set_seized(s->seized);
  resp->set_gas_spent(s->gas_spent);
  for (const WorkerStats& w : s->workers) {
    v1::WorkerStats* out = resp->add_workers();
    out->set_address(w.address);
    out->set_tasks(w.tasks);
    out->set_earned(w.earned);
    out->set_seized(w.seized);
  }
  return grpc::Status::OK;
}

grpc::Status MonitorServiceImpl::Watch(
    grpc::ServerContext* ctx, const v1::WatchRequest* req,
    grpc::ServerWriter<v1::PoolStatus>* writer) {
  absl::StatusOr<std::shared_ptr<StatusWatch>> watch =
      monitor_->Watch(req->pool(), /*changes_only=*/!req->every_round());
  if (!watch.ok()) return ToGrpc(watch.status());
  v1::PoolStatus status;
  while (!ctx->IsCancelled()) {
    if ((*watch)->Next(&status, absl::Milliseconds(500))) {
      if (!writer->Write(status)) break;
    } else if ((*watch)->closed()) {
      return grpc::Status(
          grpc::StatusCode::NOT_FOUND,
          absl::StrCat("pool ", (*watch)->pool(), " is no longer monitored"));
    }
  }
  return grpc::Status::OK;
}

grpc::Status MonitorServiceImpl::Probe(grpc::ServerContext*,
                                       const v1::ProbeRequest* req,
                                       v1::ProbeResult* resp) {
  const v1::ProbeSpec& spec = req->spec();
  if (spec.target().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "spec.target is required");
  }
  if (spec.suite_tls() && spec.tls()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "spec: tls (the system's roots) and suite_tls (the "
                        "suite's mutual TLS) exclude each other");
  }
  if (spec.suite_tls() && spec.target().rfind("unix:", 0) == 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "spec.suite_tls: a unix socket target has no TLS");
  }
  switch (spec.prober()) {
    case v1::ProbeSpec::PROBER_GRPC:
      *resp = GrpcHealthProbe(spec, monitor_->options().probe_timeout, home_);
      return grpc::Status::OK;
    case v1::ProbeSpec::PROBER_HTTP:
    case v1::ProbeSpec::PROBER_TCP:
      *resp = monitor_->Probe(spec);
      return grpc::Status::OK;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "spec.prober: want PROBER_HTTP, PROBER_TCP or "
                          "PROBER_GRPC");
  }
}

grpc::Status MonitorServiceImpl::SetPoolTargets(grpc::ServerContext*,
                                                const PoolEndpoints* req,
                                                PoolEndpoints* resp) {
  absl::StatusOr<PoolEndpoints> t = monitor_->SetPool(*req);
  if (!t.ok()) return ToGrpc(t.status());
  *resp = std::move(*t);
  return grpc::Status::OK;
}

grpc::Status MonitorServiceImpl::RemovePool(grpc::ServerContext*,
                                            const v1::RemovePoolRequest* req,
                                            v1::RemovePoolResponse* resp) {
  absl::Status s = monitor_->RemovePool(req->pool());
  if (!s.ok()) return ToGrpc(s);
  resp->set_removed(true);
  return grpc::Status::OK;
}

grpc::Status MonitorServiceImpl::ListPools(grpc::ServerContext*,
                                           const v1::ListPoolsRequest*,
                                           v1::ListPoolsResponse* resp) {
  for (PoolEndpoints& p : monitor_->ListPools()) {
    *resp->add_pools() = std::move(p);
  }
  return grpc::Status::OK;
}

}  // namespace poolops::monitor
