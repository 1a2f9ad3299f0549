#include "services/monitor/gateway_sources.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "libs/common/client_channel.h"
#include "libs/common/health_client.h"
#include "libs/common/status_grpc.h"
#include "libs/common/suite.h"
#include "poolops/chain/v1/chain.grpc.pb.h"

namespace poolops::monitor {
namespace {

namespace cv1 = ::poolops::chain::v1;

absl::StatusOr<std::unique_ptr<cv1::ChainGateway::Stub>> Stub(
    const std::filesystem::path& run_dir) {
  // The address set in env or config.yaml (TCP + TLS, e.g. in containers)
  // wins over the run file of a local gateway.
  const std::filesystem::path home = run_dir.parent_path();
  absl::StatusOr<SuiteEndpoint> endpoint =
      ResolveSuiteEndpoint(home, "chain-gateway");
  if (!endpoint.ok()) return endpoint.status();
  if (!endpoint->explicit_setting) {
    absl::StatusOr<RunInfo> info = ReadRunInfo(run_dir, "chain-gateway");
    if (!info.ok()) {
      return absl::UnavailableError(
          absl::StrCat("chain-gateway is not running (poolctl services up): ",
                       info.status().message()));
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      EndpointChannel(home, *endpoint);
  if (!channel.ok()) return channel.status();
  return cv1::ChainGateway::NewStub(*channel);
}

void SetDeadline(grpc::ClientContext* ctx, absl::Duration timeout) {
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

absl::Status Named(const grpc::Status& s, std::string_view what) {
  absl::Status status = FromGrpc(s);
  return absl::Status(status.code(),
                      absl::StrCat("chain-gateway ", std::string(what), ": ",
                                   status.message()));
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

}  // namespace

std::unique_ptr<BalanceSource> NewGatewayBalanceSource(
    std::filesystem::path run_dir) {
  return std::make_unique<GatewayBalanceSource>(std::move(run_dir));
}

std::unique_ptr<ChainResolver> NewGatewayChainResolver(
    std::filesystem::path run_dir) {
  return std::make_unique<GatewayChainResolver>(std::move(run_dir));
}

}  // namespace poolops::monitor
