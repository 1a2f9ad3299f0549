#include "services/chain/service/gateway_service.h"

#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "libs/common/status_grpc.h"
#include "libs/eth/hex.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace poolops::chain {
namespace {

v1::Chain ChainToProto(const ChainConfig& c, const std::string& default_name) {
  v1::Chain out;
  out.set_name(c.name);
  for (const std::string& line : c.changes) out.add_changes(line);
  if (!c.error.empty()) {  // a broken file: nothing else is known
    out.set_origin(c.origin);
    out.set_error(c.error);
    return out;
  }
  out.set_chain_id(std::to_string(c.chain_id));
  if (!c.rpcs.empty()) out.set_rpc(c.rpcs[0]);
  for (size_t i = 1; i < c.rpcs.size(); ++i) out.add_fallback_rpcs(c.rpcs[i]);
  out.set_hub(c.hub.ToChecksum());
  out.set_native(c.native);
  out.set_market(c.market);
  out.set_is_default(c.name == default_name);
  out.set_origin(c.origin);
  out.set_fee_mode(c.fee_mode == FeeMode::kLegacy ? "legacy" : "eip1559");
  out.set_confirmations(c.confirmations);
  return out;
}

absl::StatusOr<ChainConfig> ChainFromProto(const v1::Chain& in) {
  ChainConfig c;
  c.name = in.name();
  if (!absl::SimpleAtoi(in.chain_id(), &c.chain_id) || c.chain_id == 0)
    return absl::InvalidArgumentError(absl::StrCat(
        "chain id \"", in.chain_id(), "\" is not a positive number"));
  if (!in.rpc().empty()) c.rpcs.push_back(in.rpc());
  for (const std::string& u : in.fallback_rpcs()) c.rpcs.push_back(u);
  absl::StatusOr<eth::Address> hub = eth::Address::Parse(in.hub(), "hub");
  if (!hub.ok()) return hub.status();
  c.hub = *hub;
  c.native = in.native();
  c.market = in.market();
  if (in.fee_mode().empty()) {
    c.fee_mode = c.native ? FeeMode::kLegacy : FeeMode::kEip1559;
  } else if (in.fee_mode() == "legacy") {
    c.fee_mode = FeeMode::kLegacy;
  } else if (in.fee_mode() == "eip1559") {
    c.fee_mode = FeeMode::kEip1559;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "fee mode \"", in.fee_mode(), "\" is not legacy or eip1559"));
  }
  // Native iExec chains run with a gas price of 0, as Bellecour.
  c.zero_gas_price = c.native;
  c.confirmations = in.confirmations() == 0 ? 1 : in.confirmations();
  c.origin = "custom";
  return c;
}

std::string DefaultOf(ChainRegistry& r) {
  absl::StatusOr<std::string> d = r.DefaultName();
  return d.ok() ? *d : std::string();
}

absl::StatusOr<eth::Address> ParseAddressField(const std::string& text,
                                               std::string_view field) {
  if (text.empty())
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), " is required"));
  return eth::Address::Parse(text, field);
}

// Runs `op` with a progress callback writing events to `writer`; the last
// event carries `result(outcome)`.
template <typename Event, typename Outcome, typename Fill>
grpc::Status Stream(
    grpc::ServerWriter<Event>* writer,
    const std::function<absl::StatusOr<Outcome>(const ProgressFn&)>& op,
    Fill fill) {
  ProgressFn progress = [writer](const TxProgress& p) {
    Event e;
    *e.mutable_progress() = ToProto(p);
    writer->Write(e);
  };
  absl::StatusOr<Outcome> out = op(progress);
  if (!out.ok()) return ToGrpc(out.status());
  Event e;
  fill(*out, e);
  writer->Write(e);
  return grpc::Status::OK;
}

}  // namespace

v1::Progress ToProto(const TxProgress& p) {
  v1::Progress out;
  switch (p.stage) {
    case TxProgress::Stage::kChecking:
      out.set_stage(v1::Progress::STAGE_CHECKING);
      break;
    case TxProgress::Stage::kSigning:
      out.set_stage(v1::Progress::STAGE_SIGNING);
      break;
    case TxProgress::Stage::kSent:
      out.set_stage(v1::Progress::STAGE_SENT);
      break;
    case TxProgress::Stage::kMined:
      out.set_stage(v1::Progress::STAGE_MINED);
      break;
    case TxProgress::Stage::kConfirmed:
      out.set_stage(v1::Progress::STAGE_CONFIRMED);
      break;
  }
  out.set_message(p.message);
  if (p.tx_hash) out.set_tx_hash(eth::ToHex(*p.tx_hash));
  out.set_block_number(p.block_number);
  out.set_confirmations(p.confirmations);
  return out;
}

v1::TxResult ToProto(const TxOutcome& o) {
  v1::TxResult out;
  out.set_tx_hash(eth::ToHex(o.tx_hash));
  out.set_block_number(o.receipt.block_number);
  out.set_gas_used(std::to_string(o.receipt.gas_used));
  out.set_success(o.receipt.success);
  return out;
}

absl::StatusOr<eth::U256> AmountIn(const v1::Amount& amount,
                                   eth::Unit default_unit, eth::Unit base) {
  eth::Unit unit = default_unit;
  switch (amount.unit()) {
    case v1::Amount::UNIT_NRLC:
      unit = eth::Unit::kNRlc;
      break;
    case v1::Amount::UNIT_RLC:
      unit = eth::Unit::kRlc;
      break;
    case v1::Amount::UNIT_WEI:
      unit = eth::Unit::kWei;
      break;
    default:
      break;
  }
  if (amount.value().empty())
    return absl::InvalidArgumentError("an amount is required");
  if (unit == eth::Unit::kWei && base == eth::Unit::kNRlc) {
    // wei → nRLC must be exact (1 nRLC = 10^9 wei).
    absl::StatusOr<eth::U256> wei =
        eth::ParseAmount(amount.value(), eth::Unit::kWei, eth::Unit::kWei);
    if (!wei.ok()) return wei.status();
    if (!(*wei % eth::U256(1'000'000'000)).IsZero())
      return absl::InvalidArgumentError(absl::StrCat(
          amount.value(), " wei is not a whole number of nRLC (10^9 wei)"));
    return *wei / eth::U256(1'000'000'000);
  }
  return eth::ParseAmount(amount.value(), unit, base);
}

grpc::Status GatewayService::ListChains(grpc::ServerContext*,
                                        const v1::ListChainsRequest*,
                                        v1::ListChainsResponse* out) {
  absl::StatusOr<std::vector<ChainConfig>> chains = gateway_->chains().List();
  if (!chains.ok()) return ToGrpc(chains.status());
  for (const ChainConfig& c : *chains)
    if (!c.error.empty())
      spdlog::warn("chain {} is broken: {}", c.name, c.error);
  std::string def = DefaultOf(gateway_->chains());
  for (const ChainConfig& c : *chains)
    *out->add_chains() = ChainToProto(c, def);
  return grpc::Status::OK;
}

grpc::Status GatewayService::GetChain(grpc::ServerContext*,
                                      const v1::GetChainRequest* req,
                                      v1::Chain* out) {
  absl::StatusOr<ChainConfig> c = gateway_->chains().Get(req->name());
  if (!c.ok()) return ToGrpc(c.status());
  *out = ChainToProto(*c, DefaultOf(gateway_->chains()));
  if (req->with_head()) {
    absl::StatusOr<ChainSession*> session = gateway_->Session(req->name());
    if (!session.ok()) return ToGrpc(session.status());
    absl::StatusOr<uint64_t> head = (*session)->eth().BlockNumber();
    if (!head.ok()) return ToGrpc(head.status());
    out->set_head_block(*head);
  }
  return grpc::Status::OK;
}

grpc::Status GatewayService::AddChain(grpc::ServerContext*,
                                      const v1::AddChainRequest* req,
                                      v1::Chain* out) {
  absl::StatusOr<ChainConfig> c = ChainFromProto(req->chain());
  if (!c.ok()) return ToGrpc(c.status());
  absl::StatusOr<ChainConfig> added =
      gateway_->chains().Add(*c, req->make_default(), req->replace());
  if (!added.ok()) return ToGrpc(added.status());
  *out = ChainToProto(*added, DefaultOf(gateway_->chains()));
  return grpc::Status::OK;
}

grpc::Status GatewayService::ImportChains(grpc::ServerContext*,
                                          const v1::ImportChainsRequest* req,
                                          v1::ListChainsResponse* out) {
  std::string source =
      req->source_path().empty() ? "chain.json" : req->source_path();
  absl::StatusOr<nlohmann::json> doc = ParseBoundedJson(
      req->chain_json(), {.max_bytes = 1 << 20, .max_depth = 16}, source);
  if (!doc.ok()) return ToGrpc(doc.status());
  absl::StatusOr<std::vector<ChainConfig>> chains =
      gateway_->chains().Import(*doc, source, req->replace());
  if (!chains.ok()) return ToGrpc(chains.status());
  std::string def = DefaultOf(gateway_->chains());
  for (const ChainConfig& c : *chains)
    *out->add_chains() = ChainToProto(c, def);
  return grpc::Status::OK;
}

grpc::Status GatewayService::GetBalances(grpc::ServerContext*,
                                         const v1::GetBalancesRequest* req,
                                         v1::Balances* out) {
  absl::StatusOr<WalletBalances> b =
      ops_->Balances(req->chain(), req->wallet());
  if (!b.ok()) return ToGrpc(b.status());
  out->set_address(b->address.ToChecksum());
  out->set_native(b->native_wei.ToDecimal());
  out->set_rlc(b->rlc_nrlc.ToDecimal());
  out->set_stake(b->stake_nrlc.ToDecimal());
  out->set_locked(b->locked_nrlc.ToDecimal());
  out->set_block_number(b->block_number);
  return grpc::Status::OK;
}

grpc::Status GatewayService::GetAccount(grpc::ServerContext*,
                                        const v1::GetAccountRequest* req,
                                        v1::Account* out) {
  absl::StatusOr<ChainSession*> chain = gateway_->Session(req->chain());
  if (!chain.ok()) return ToGrpc(chain.status());
  absl::StatusOr<eth::Address> who =
      ops_->ResolveWallet(**chain, req->wallet());
  if (!who.ok()) return ToGrpc(who.status());
  absl::StatusOr<EscrowAccount> a = (*chain)->poco().ViewAccount(*who);
  if (!a.ok()) return ToGrpc(a.status());
  out->set_address(who->ToChecksum());
  out->set_stake(a->stake.ToDecimal());
  out->set_locked(a->locked.ToDecimal());
  return grpc::Status::OK;
}

grpc::Status GatewayService::SendRlc(
    grpc::ServerContext*, const v1::SendRlcRequest* req,
    grpc::ServerWriter<v1::SendRlcEvent>* writer) {
  absl::StatusOr<eth::Address> to = ParseAddressField(req->to(), "to");
  if (!to.ok()) return ToGrpc(to.status());
  absl::StatusOr<eth::U256> nrlc =
      AmountIn(req->amount(), eth::Unit::kRlc, eth::Unit::kNRlc);
  if (!nrlc.ok()) return ToGrpc(nrlc.status());
  return Stream<v1::SendRlcEvent, TxOutcome>(
      writer,
      [&](const ProgressFn& p) {
        return ops_->SendRlc(req->chain(), req->from(), *to, *nrlc, p);
      },
      [](const TxOutcome& o, v1::SendRlcEvent& e) {
        *e.mutable_result() = ToProto(o);
      });
}

namespace {

// Deposit and withdraw differ only in the ChainOps call.
using StakeOp = absl::StatusOr<StakeOutcome> (ChainOps::*)(std::string_view,
                                                           std::string_view,
                                                           const eth::U256&,
                                                           const ProgressFn&);

grpc::Status StakeStream(ChainOps* ops, StakeOp op, const std::string& chain,
                         const std::string& wallet, const v1::Amount& amount,
                         grpc::ServerWriter<v1::StakeEvent>* writer) {
  absl::StatusOr<eth::U256> nrlc =
      AmountIn(amount, eth::Unit::kNRlc, eth::Unit::kNRlc);
  if (!nrlc.ok()) return ToGrpc(nrlc.status());
  return Stream<v1::StakeEvent, StakeOutcome>(
      writer,
      [&](const ProgressFn& p) { return (ops->*op)(chain, wallet, *nrlc, p); },
      [](const StakeOutcome& o, v1::StakeEvent& e) {
        *e.mutable_result()->mutable_tx() = ToProto(o.tx);
        e.mutable_result()->set_stake(o.stake_nrlc.ToDecimal());
      });
}

}  // namespace

grpc::Status GatewayService::Deposit(
    grpc::ServerContext*, const v1::DepositRequest* req,
    grpc::ServerWriter<v1::StakeEvent>* writer) {
  return StakeStream(ops_, &ChainOps::Deposit, req->chain(), req->wallet(),
                     req->amount(), writer);
}

grpc::Status GatewayService::Withdraw(
    grpc::ServerContext*, const v1::WithdrawRequest* req,
    grpc::ServerWriter<v1::StakeEvent>* writer) {
  return StakeStream(ops_, &ChainOps::Withdraw, req->chain(), req->wallet(),
                     req->amount(), writer);
}

grpc::Status GatewayService::DeployWorkerpool(
    grpc::ServerContext*, const v1::DeployWorkerpoolRequest* req,
    grpc::ServerWriter<v1::DeployWorkerpoolEvent>* writer) {
  return Stream<v1::DeployWorkerpoolEvent, DeployOutcome>(
      writer,
      [&](const ProgressFn& p) {
        return ops_->DeployWorkerpool(req->chain(), req->owner(),
                                      req->description(), p);
      },
      [](const DeployOutcome& o, v1::DeployWorkerpoolEvent& e) {
        e.mutable_result()->set_address(o.workerpool.ToChecksum());
        *e.mutable_result()->mutable_tx() = ToProto(o.tx);
      });
}

namespace {
void WorkerpoolToProto(const WorkerpoolInfo& w, v1::Workerpool* out) {
  out->set_address(w.address.ToChecksum());
  out->set_owner(w.owner.ToChecksum());
  out->set_description(w.description);
  out->set_worker_stake_ratio(w.worker_stake_ratio.ToDecimal());
  out->set_scheduler_reward_ratio(w.scheduler_reward_ratio.ToDecimal());
}
}  // namespace

grpc::Status GatewayService::GetWorkerpool(grpc::ServerContext*,
                                           const v1::GetWorkerpoolRequest* req,
                                           v1::Workerpool* out) {
  absl::StatusOr<eth::Address> a = ParseAddressField(req->address(), "address");
  if (!a.ok()) return ToGrpc(a.status());
  absl::StatusOr<WorkerpoolInfo> w = ops_->GetWorkerpool(req->chain(), *a);
  if (!w.ok()) return ToGrpc(w.status());
  WorkerpoolToProto(*w, out);
  return grpc::Status::OK;
}

grpc::Status GatewayService::ListWorkerpools(
    grpc::ServerContext*, const v1::ListWorkerpoolsRequest* req,
    v1::ListWorkerpoolsResponse* out) {
  absl::StatusOr<std::vector<WorkerpoolInfo>> pools =
      ops_->ListWorkerpools(req->chain(), req->owner());
  if (!pools.ok()) return ToGrpc(pools.status());
  for (const WorkerpoolInfo& w : *pools)
    WorkerpoolToProto(w, out->add_workerpools());
  return grpc::Status::OK;
}

}  // namespace poolops::chain
