#include "services/monitor/gateway_sources.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/common/client_channel.h"
#include "libs/common/health_client.h"
#include "libs/common/status_grpc.h"
#include "libs/common/suite.h"
#include "poolops/chain/v1/chain.grpc.pb.h"
#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"

namespace poolops::monitor {
namespace {

namespace cv1 = ::poolops::chain::v1;
namespace ov1 = ::poolops::orchestrator::v1;

// A stub for `service` (a Svc::Stub), found as every suite client finds it.
template <typename Svc>
absl::StatusOr<std::unique_ptr<typename Svc::Stub>> ServiceStub(
    const std::filesystem::path& run_dir, std::string_view service) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      RunningSuiteChannel(run_dir.parent_path(), service);
  if (!channel.ok()) return channel.status();
  return Svc::NewStub(*channel);
}

absl::StatusOr<std::unique_ptr<cv1::ChainGateway::Stub>> Stub(
    const std::filesystem::path& run_dir) {
  return ServiceStub<cv1::ChainGateway>(run_dir, "chain-gateway");
}

void SetDeadline(grpc::ClientContext* ctx, absl::Duration timeout) {
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

absl::Status Named(const grpc::Status& s, std::string_view what,
                   std::string_view service = "chain-gateway") {
  absl::Status status = FromGrpc(s);
  return absl::Status(status.code(),
                      absl::StrCat(std::string(service), " ", std::string(what),
                                   ": ", status.message()));
}

class GatewayBalanceSource : public BalanceSource {
 public:
  explicit GatewayBalanceSource(std::filesystem::path run_dir)
      : run_dir_(std::move(run_dir)) {}

  absl::StatusOr<Balances> GetBalances(const std::string& chain,
                                       const std::string& wallet,
                                       absl::Duration timeout) override {
    auto stub = Stub(run_dir_);
    if (!stub.ok()) return stub.status();
    cv1::GetBalancesRequest req;
    req.set_chain(chain);
    req.set_wallet(wallet);
    cv1::Balances resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx, timeout);
    grpc::Status s = (*stub)->GetBalances(&ctx, req, &resp);
    if (!s.ok()) return Named(s, "GetBalances");
    return Balances{resp.address(), resp.native(), resp.rlc(), resp.stake(),
                    resp.locked()};
  }

 private:
  std::filesystem::path run_dir_;
};

class GatewayChainResolver : public ChainResolver {
 public:
  explicit GatewayChainResolver(std::filesystem::path run_dir)
      : run_dir_(std::move(run_dir)) {}

  absl::StatusOr<ChainInfo> Resolve(const std::string& chain,
                                    absl::Duration timeout) override {
    auto stub = Stub(run_dir_);
    if (!stub.ok()) return stub.status();
    cv1::GetChainRequest req;
    req.set_name(chain);
    cv1::Chain resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx, timeout);
    grpc::Status s = (*stub)->GetChain(&ctx, req, &resp);
    if (!s.ok()) return Named(s, "GetChain");
    return ChainInfo{resp.rpc(), resp.market(), resp.chain_id(), resp.hub(),
                     resp.confirmations()};
  }

 private:
  std::filesystem::path run_dir_;
};

class OrchestratorRevisionSource : public RevisionSource {
 public:
  explicit OrchestratorRevisionSource(std::filesystem::path run_dir)
      : run_dir_(std::move(run_dir)) {}

  absl::StatusOr<std::vector<RevisionSummary>> Revisions(
      const std::string& pool) override {
    auto stub = ServiceStub<ov1::Orchestrator>(run_dir_, "orchestrator");
    if (!stub.ok()) return stub.status();
    ov1::HistoryRequest req;
    req.set_pool(pool);
    ov1::HistoryResponse resp;
    grpc::ClientContext ctx;
    SetDeadline(&ctx, absl::Seconds(5));
    grpc::Status s = (*stub)->History(&ctx, req, &resp);
    // A pool the orchestrator never deployed has no revision.
    if (s.error_code() == grpc::StatusCode::NOT_FOUND)
      return std::vector<RevisionSummary>{};
    if (!s.ok()) return Named(s, "History", "orchestrator");
    std::vector<RevisionSummary> out;
    for (const ov1::Revision& r : resp.revisions())
      out.push_back({r.revision(), r.applied_at(), r.outcome(), r.message()});
    return out;
  }

 private:
  std::filesystem::path run_dir_;
};

}  // namespace

std::unique_ptr<RevisionSource> NewOrchestratorRevisionSource(
    std::filesystem::path run_dir) {
  return std::make_unique<OrchestratorRevisionSource>(std::move(run_dir));
}

std::unique_ptr<BalanceSource> NewGatewayBalanceSource(
    std::filesystem::path run_dir) {
  return std::make_unique<GatewayBalanceSource>(std::move(run_dir));
}

std::unique_ptr<ChainResolver> NewGatewayChainResolver(
    std::filesystem::path run_dir) {
  return std::make_unique<GatewayChainResolver>(std::move(run_dir));
}

}  // namespace poolops::monitor
