// ChainClient over the chain-gateway's gRPC API.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_grpc.h"
#include "libs/iexec/rlc.h"
#include "poolops/chain/v1/chain.grpc.pb.h"
#include "services/orchestrator/chain_client.h"

namespace poolops::orchestrator {
namespace {

namespace cv1 = ::poolops::chain::v1;

constexpr std::chrono::seconds kGetChainTimeout(5);

std::unique_ptr<grpc::ClientContext> Context(std::chrono::seconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  ctx->AddMetadata("x-poolops-client", "orchestrator");
  return ctx;
}

class GatewayChainClient : public ChainClient {
 public:
  explicit GatewayChainClient(std::shared_ptr<grpc::Channel> channel)
      : stub_(cv1::ChainGateway::NewStub(channel)) {}

  absl::StatusOr<ChainFacts> GetChain(const std::string& name) override {
    return Get(name, false);
  }
  absl::StatusOr<ChainFacts> GetChainHead(const std::string& name) override {
    return Get(name, true);
  }

 private:
  absl::StatusOr<ChainFacts> Get(const std::string& name, bool with_head) {
    cv1::GetChainRequest req;
    req.set_name(name);
    req.set_with_head(with_head);
    cv1::Chain chain;
    // Validation waits on it: a gateway that hangs is an answer within
    // seconds, not a stuck `pool validate`.
    grpc::Status s =
        stub_->GetChain(Context(kGetChainTimeout).get(), req, &chain);
    if (!s.ok()) return FromGrpc(s);
    if (!chain.error().empty()) {  // a broken file under the gateway's home
      return absl::FailedPreconditionError(chain.error());
    }
    ChainFacts out;
    out.name = chain.name();
    out.chain_id = chain.chain_id();
    out.rpc = chain.rpc();
    out.hub = chain.hub();
    out.native = chain.native();
    out.market = chain.market();
    out.origin = chain.origin();
    out.head_block = chain.head_block();
    return out;
  }

 public:
  absl::StatusOr<std::string> FindWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description) override {
    cv1::ListWorkerpoolsRequest req;
    req.set_chain(chain);
    req.set_owner(owner);
    cv1::ListWorkerpoolsResponse resp;
    grpc::Status s = stub_->ListWorkerpools(
        Context(std::chrono::seconds(30)).get(), req, &resp);
    if (!s.ok()) return FromGrpc(s);
    for (const cv1::Workerpool& w : resp.workerpools()) {
      if (w.description() == description) return w.address();
    }
    return std::string();
  }

  absl::StatusOr<std::string> DeployWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description, const ProgressFn& progress) override {
    cv1::DeployWorkerpoolRequest req;
    req.set_chain(chain);
    req.set_owner(owner);
    req.set_description(description);
    auto ctx = Context(std::chrono::seconds(300));
    auto reader = stub_->DeployWorkerpool(ctx.get(), req);
    cv1::DeployWorkerpoolEvent e;
    std::string address;
    while (reader->Read(&e)) {
      if (e.has_progress() && progress) progress(e.progress().message());
      if (e.has_result()) address = e.result().address();
    }
    grpc::Status s = reader->Finish();
    if (!s.ok()) return FromGrpc(s);
    if (address.empty()) {
      return absl::InternalError("chain-gateway sent no workerpool address");
    }
    return address;
  }

  absl::StatusOr<std::string> EnsureStake(const std::string& chain,
                                          const std::string& wallet,
                                          const std::string& minimum,
                                          const ProgressFn& progress) override {
    cv1::GetAccountRequest get;
    get.set_chain(chain);
    get.set_wallet(wallet);
    cv1::Account account;
    grpc::Status s = stub_->GetAccount(Context(std::chrono::seconds(30)).get(),
                                       get, &account);
    if (!s.ok()) return FromGrpc(s);
    // Amounts in nRLC (libs/iexec): parsed, compared and subtracted exactly.
    absl::StatusOr<iexec::NRlc> stake =
        iexec::NRlc::Parse(account.stake().empty() ? "0" : account.stake());
    if (!stake.ok()) return stake.status();
    absl::StatusOr<iexec::NRlc> want = iexec::NRlc::Parse(minimum);
    if (!want.ok()) return want.status();
    if (*stake >= *want) return stake->NrlcDecimal();
    // Deposit the difference.
    absl::StatusOr<iexec::NRlc> missing = want->Minus(*stake);
    if (!missing.ok()) return missing.status();
    std::string need = missing->NrlcDecimal();
    if (progress)
      progress(absl::StrCat("depositing ", need, " nRLC for ", wallet));
    cv1::DepositRequest dep;
    dep.set_chain(chain);
    dep.set_wallet(wallet);
    dep.mutable_amount()->set_value(need);
    dep.mutable_amount()->set_unit(cv1::Amount::UNIT_NRLC);
    auto ctx = Context(std::chrono::seconds(300));
    auto reader = stub_->Deposit(ctx.get(), dep);
    cv1::StakeEvent e;
    std::string after = stake->NrlcDecimal();
    while (reader->Read(&e)) {
      if (e.has_progress() && progress) progress(e.progress().message());
      if (e.has_result()) after = e.result().stake();
    }
    s = reader->Finish();
    if (!s.ok()) return FromGrpc(s);
    return after;
  }

  absl::StatusOr<WalletFunding> FundWallet(
      const std::string& chain, const std::string& wallet,
      const std::string& eth, const std::string& rlc,
      const ProgressFn& progress) override {
    cv1::FundFromDevnetRequest req;
    req.set_chain(chain);
    req.set_wallet(wallet);
    req.set_eth(eth);
    req.set_rlc(rlc);
    auto ctx = Context(std::chrono::seconds(300));
    auto reader = stub_->FundFromDevnet(ctx.get(), req);
    cv1::FundFromDevnetEvent e;
    std::optional<WalletFunding> out;
    while (reader->Read(&e)) {
      if (e.has_progress() && progress) progress(e.progress().message());
      if (e.has_result()) {
        const cv1::FundResult& r = e.result();
        out = WalletFunding{r.address(), r.eth_sent(), r.rlc_sent(),
                            r.balances().native(), r.balances().rlc()};
      }
    }
    grpc::Status s = reader->Finish();
    if (!s.ok()) return FromGrpc(s);
    if (!out)
      return absl::InternalError("chain-gateway sent no funding result");
    return *out;
  }

  absl::Status SetPublisher(const PublisherSettings& p) override {
    cv1::SetPublisherPolicyRequest req;
    cv1::PublisherPolicy* policy = req.mutable_policy();
    policy->set_chain(p.chain);
    policy->set_workerpool(p.workerpool);
    policy->set_wallet(p.wallet);
    policy->set_enabled(p.enabled);
    policy->set_core_metrics_url(p.core_metrics_url);
    policy->set_gpu_pool(p.gpu_pool);
    cv1::OrderTerms* t = policy->mutable_terms();
    t->set_workerpool(p.workerpool);
    t->mutable_price()->set_value(p.price);
    t->mutable_price()->set_unit(cv1::Amount::UNIT_NRLC);
    t->set_volume(p.volume);
    t->set_category(p.category);
    t->set_tag(p.tag);
    t->set_trust(p.trust);
    t->set_requester_restrict(p.requester_restrict);
    policy->set_max_open_orders(p.max_open_orders);
    policy->set_check_period_seconds(p.check_period_seconds);
    cv1::PublisherStatus status;
    grpc::Status s = stub_->SetPublisherPolicy(
        Context(std::chrono::seconds(30)).get(), req, &status);
    return s.ok() ? absl::OkStatus() : FromGrpc(s);
  }

 private:
  std::unique_ptr<cv1::ChainGateway::Stub> stub_;
};

}  // namespace

std::unique_ptr<ChainClient> NewGatewayChainClient(
    std::shared_ptr<grpc::Channel> channel) {
  return std::make_unique<GatewayChainClient>(std::move(channel));
}

}  // namespace poolops::orchestrator
