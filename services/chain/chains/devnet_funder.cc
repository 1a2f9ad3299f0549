#include "services/chain/chains/devnet_funder.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/units.h"
#include "nlohmann/json.hpp"

namespace poolops::chain {
namespace {

using nlohmann::json;

const eth::U256 kWeiPerNrlc(1'000'000'000);

constexpr char kFundByHand[] =
    "fund wallets by hand on real chains (ETH for gas, RLC to stake: "
    "`poolctl wallet send-rlc` from a funded wallet)";

std::string EthOf(const eth::U256& wei) {
  return absl::StrCat(
      eth::FormatAmount(wei, eth::Unit::kWei, eth::Unit::kEther), " ETH");
}

std::string RlcOf(const eth::U256& nrlc) {
  return absl::StrCat(
      eth::FormatAmount(nrlc, eth::Unit::kNRlc, eth::Unit::kRlc), " RLC");
}

// Prefixes an error with the step it stopped.
absl::Status StepError(const std::string& step, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(step, ": ", s.message()));
}

void SayProgress(const ProgressFn& progress, TxProgress::Stage stage,
                 std::string message,
                 std::optional<eth::Hash32> hash = std::nullopt,
                 uint64_t block = 0) {
  if (!progress) return;
  TxProgress p;
  p.stage = stage;
  p.message = std::move(message);
  p.tx_hash = hash;
  p.block_number = block;
  progress(p);
}

}  // namespace

absl::Status DevnetFunder::CheckDevnet() {
  if (chain_->origin != "devnet") {
    return absl::FailedPreconditionError(absl::StrCat(
        "chain \"", chain_->name, "\" is not the devnet (its origin is \"",
        chain_->origin.empty() ? "unknown" : chain_->origin,
        "\"): only the devnet's own test funds are handed out; ", kFundByHand));
  }
  absl::StatusOr<json> version = rpc_->Call("web3_clientVersion");
  if (!version.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "chain \"", chain_->name,
        "\": its node does not say what it is (web3_clientVersion: ",
        version.status().message(), "); devnet funding needs anvil; ",
        kFundByHand));
  }
  std::string name = version->is_string() ? version->get<std::string>() : "";
  if (!absl::StartsWithIgnoreCase(name, "anvil")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "chain \"", chain_->name, "\" runs on \"", name.substr(0, 80),
        "\", not anvil: devnet funding needs the devnet's anvil; ",
        kFundByHand));
  }
  return absl::OkStatus();
}

absl::StatusOr<eth::Address> DevnetFunder::Funder() {
  absl::StatusOr<json> accounts = rpc_->Call("eth_accounts");
  if (!accounts.ok()) return StepError("eth_accounts", accounts.status());
  if (!accounts->is_array() || accounts->empty() ||
      !(*accounts)[0].is_string()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "chain \"", chain_->name,
        "\": anvil lists no unlocked account (eth_accounts) to fund from"));
  }
  return eth::Address::Parse((*accounts)[0].get<std::string>(),
                             "eth_accounts[0]");
}

absl::StatusOr<TxOutcome> DevnetFunder::Send(const eth::Address& from,
                                             const eth::Address& to,
                                             const eth::U256& value,
                                             const eth::Bytes& data,
                                             const std::string& label,
                                             const ProgressFn& progress) {
  json tx = {{"from", from.ToLowerHex()}, {"to", to.ToLowerHex()}};
  if (!value.IsZero()) tx["value"] = value.ToHex();
  if (!data.empty()) tx["data"] = eth::ToHex(data);
  // Without fees anvil fills EIP-1559 ones, which a pre-London (Bellecour
  // like) devnet refuses: legacy chains get their gas price.
  if (chain_->fee_mode == FeeMode::kLegacy) {
    eth::U256 price;
    if (!chain_->zero_gas_price) {
      absl::StatusOr<eth::U256> p = eth_->GasPrice();
      if (!p.ok()) return StepError(label, p.status());
      price = *p;
    }
    tx["gasPrice"] = price.ToHex();
  }
  absl::StatusOr<json> sent =
      rpc_->Call("eth_sendTransaction", json::array({tx}));
  if (!sent.ok()) return StepError(label, sent.status());
  if (!sent->is_string()) {
    return absl::InternalError(
        absl::StrCat(label, ": eth_sendTransaction returned no hash"));
  }
  absl::StatusOr<eth::Bytes> raw = eth::FromHexFixed(
      sent->get<std::string>(), 32, "eth_sendTransaction hash");
  if (!raw.ok()) return StepError(label, raw.status());
  TxOutcome out;
  std::copy(raw->begin(), raw->end(), out.tx_hash.begin());
  SayProgress(progress, TxProgress::Stage::kSent,
              absl::StrCat(label, ": sent ", eth::ToHex(out.tx_hash)),
              out.tx_hash);
  absl::StatusOr<Receipt> receipt = eth_->WaitForReceipt(
      out.tx_hash, chain_->confirmations, receipt_timeout_, receipt_poll_);
  if (!receipt.ok()) return StepError(label, receipt.status());
  if (!receipt->success) {
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": reverted in transaction ", eth::ToHex(out.tx_hash),
        " (block ", receipt->block_number, ")"));
  }
  out.receipt = *std::move(receipt);
  SayProgress(
      progress, TxProgress::Stage::kMined,
      absl::StrCat(label, ": mined in block ", out.receipt.block_number),
      out.tx_hash, out.receipt.block_number);
  return out;
}

absl::StatusOr<FundOutcome> DevnetFunder::Fund(const eth::Address& to,
                                               const DevnetFunding& want,
                                               const ProgressFn& progress) {
  if (to.IsZero())
    return absl::InvalidArgumentError("refusing to fund the zero address");
  if (absl::Status s = CheckDevnet(); !s.ok()) return s;
  absl::StatusOr<eth::Address> funder = Funder();
  if (!funder.ok()) return funder.status();
  FundOutcome out;
  out.address = to;
  out.funder = *funder;
  SayProgress(progress, TxProgress::Stage::kChecking,
              absl::StrCat("reading the balances of ", to.ToChecksum()));
  // On a native chain one coin: enough wei for the larger minimum.
  eth::U256 need_wei = want.eth_wei;
  if (chain_->native) {
    absl::StatusOr<eth::U256> rlc_wei = want.rlc_nrlc.CheckedMul(kWeiPerNrlc);
    if (!rlc_wei.ok())
      return absl::InvalidArgumentError("the RLC to fund is out of range");
    need_wei = std::max(need_wei, *rlc_wei);
  }
  absl::StatusOr<eth::U256> wei = eth_->GetBalance(to);
  if (!wei.ok()) return wei.status();

  if (chain_->native) {
    if (*wei < need_wei) {
      const eth::U256 missing = need_wei - *wei;
      absl::StatusOr<eth::U256> has = eth_->GetBalance(*funder);
      if (!has.ok()) return has.status();
      if (*has < missing) {
        return absl::FailedPreconditionError(
            absl::StrCat("the devnet account ", funder->ToChecksum(), " holds ",
                         RlcOf(*has / kWeiPerNrlc), ", less than the ",
                         RlcOf(missing / kWeiPerNrlc), " to send"));
      }
      absl::StatusOr<TxOutcome> tx =
          Send(*funder, to, missing, {},
               absl::StrCat("RLC (the chain's coin) to ", to.ToChecksum(), ": ",
                            RlcOf(missing / kWeiPerNrlc)),
               progress);
      if (!tx.ok()) return tx.status();
      out.txs.push_back(*std::move(tx));
      out.eth_sent_wei = missing;
      out.rlc_sent_nrlc = missing / kWeiPerNrlc;
    }
  } else {
    if (*wei < want.eth_wei) {
      const eth::U256 missing = want.eth_wei - *wei;
      absl::StatusOr<TxOutcome> tx =
          Send(*funder, to, missing, {},
               absl::StrCat("ETH to ", to.ToChecksum(), ": ", EthOf(missing)),
               progress);
      if (!tx.ok()) return tx.status();
      out.txs.push_back(*std::move(tx));
      out.eth_sent_wei = missing;
    }
    absl::StatusOr<eth::U256> rlc = poco_->RlcBalance(to);
    if (!rlc.ok()) return rlc.status();
    if (*rlc < want.rlc_nrlc) {
      const eth::U256 missing = want.rlc_nrlc - *rlc;
      absl::StatusOr<eth::U256> has = poco_->RlcBalance(*funder);
      if (!has.ok()) return has.status();
      if (*has < missing) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the devnet account ", funder->ToChecksum(), " holds ", RlcOf(*has),
            ", less than the ", RlcOf(missing), " to send"));
      }
      // The token of the hub (hub.token()), as deposits use it.
      absl::StatusOr<eth::Address> token = poco_->Token();
      if (!token.ok()) return token.status();
      absl::StatusOr<TxOutcome> tx = Send(
          *funder, *token, eth::U256(), PocoClient::TransferCall(to, missing),
          absl::StrCat("RLC transfer to ", to.ToChecksum(), ": ",
                       RlcOf(missing)),
          progress);
      if (!tx.ok()) return tx.status();
      out.txs.push_back(*std::move(tx));
      out.rlc_sent_nrlc = missing;
    }
  }

  absl::StatusOr<eth::U256> wei_after = eth_->GetBalance(to);
  if (!wei_after.ok()) return wei_after.status();
  out.native_wei_after = *wei_after;
  absl::StatusOr<eth::U256> rlc_after = poco_->RlcBalance(to);
  if (!rlc_after.ok()) return rlc_after.status();
  out.rlc_nrlc_after = *rlc_after;
  if (out.native_wei_after < need_wei || out.rlc_nrlc_after < want.rlc_nrlc) {
    return absl::InternalError(absl::StrCat(
        to.ToChecksum(), " holds ", EthOf(out.native_wei_after), " and ",
        RlcOf(out.rlc_nrlc_after), " after the top-up, short of ",
        EthOf(want.eth_wei), " and ", RlcOf(want.rlc_nrlc)));
  }
  return out;
}

}  // namespace poolops::chain
