// FundFromDevnet: amounts parsed, ChainOps::FundFromDevnet called, progress
// and the result streamed back.
#include "absl/strings/str_cat.h"
#include "libs/common/status_grpc.h"
#include "services/chain/service/gateway_service.h"

namespace poolops::chain {
namespace {

// A decimal in `unit` ("1.5"), into `base`; empty is 0.
absl::StatusOr<eth::U256> FundMinimum(const std::string& text, eth::Unit unit,
                                      eth::Unit base, std::string_view field) {
  if (text.empty()) return eth::U256();
  absl::StatusOr<eth::U256> v = eth::ParseAmount(text, unit, base);
  if (!v.ok())
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": ", v.status().message()));
  return v;
}

}  // namespace

grpc::Status GatewayService::FundFromDevnet(
    grpc::ServerContext*, const v1::FundFromDevnetRequest* req,
    grpc::ServerWriter<v1::FundFromDevnetEvent>* writer) {
  DevnetFunding want;
  absl::StatusOr<eth::U256> eth_wei = FundMinimum(
      req->eth(), eth::Unit::kEther, eth::Unit::kWei, "eth (in ETH)");
  if (!eth_wei.ok()) return ToGrpc(eth_wei.status());
  want.eth_wei = *eth_wei;
  absl::StatusOr<eth::U256> rlc_nrlc = FundMinimum(
      req->rlc(), eth::Unit::kRlc, eth::Unit::kNRlc, "rlc (in RLC)");
  if (!rlc_nrlc.ok()) return ToGrpc(rlc_nrlc.status());
  want.rlc_nrlc = *rlc_nrlc;
  ProgressFn progress = [writer](const TxProgress& p) {
    v1::FundFromDevnetEvent e;
    *e.mutable_progress() = ToProto(p);
    writer->Write(e);
  };
  absl::StatusOr<FundedWallet> out =
      ops_->FundFromDevnet(req->chain(), req->wallet(), want, progress);
  if (!out.ok()) return ToGrpc(out.status());
  v1::FundFromDevnetEvent e;
  v1::FundResult* r = e.mutable_result();
  r->set_address(out->after.address.ToChecksum());
  r->set_funder(out->funding.funder.ToChecksum());
  r->set_eth_sent(out->funding.eth_sent_wei.ToDecimal());
  r->set_rlc_sent(out->funding.rlc_sent_nrlc.ToDecimal());
  v1::Balances* b = r->mutable_balances();
  b->set_address(out->after.address.ToChecksum());
  b->set_native(out->after.native_wei.ToDecimal());
  b->set_rlc(out->after.rlc_nrlc.ToDecimal());
  b->set_stake(out->after.stake_nrlc.ToDecimal());
  b->set_locked(out->after.locked_nrlc.ToDecimal());
  b->set_block_number(out->after.block_number);
  for (const TxOutcome& tx : out->funding.txs) *r->add_txs() = ToProto(tx);
  writer->Write(e);
  return grpc::Status::OK;
}

}  // namespace poolops::chain
