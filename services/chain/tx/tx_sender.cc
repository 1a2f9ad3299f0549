#include "services/chain/tx/tx_sender.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"

namespace poolops::chain {
namespace {

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

bool NonceTooLow(const absl::Status& s) {
  std::string m = Lower(s.message());
  return absl::StrContains(m, "nonce too low") ||
         absl::StrContains(m, "nonce is too low") ||
         absl::StrContains(m, "replacement transaction underpriced");
}

bool AlreadyKnown(const absl::Status& s) {
  std::string m = Lower(s.message());
  return absl::StrContains(m, "already known") ||
         absl::StrContains(m, "already imported") ||
         absl::StrContains(m, "known transaction");
}

// The node may or may not have received a transaction after these.
bool Uncertain(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded;
}

void Report(const ProgressFn& progress, TxProgress p) {
  if (progress) progress(p);
}

}  // namespace

TxSender::TxSender(TxChainRules chain, EthApi* eth, Signer* signer,
                   NonceManager* nonces, TxSenderOptions options, Clock* clock)
    : chain_(chain),
      eth_(eth),
      signer_(signer),
      nonces_(nonces),
      options_(options),
      clock_(clock) {}

absl::Status TxSender::FillFees(eth::Transaction& tx) {
  if (chain_.fee_mode == FeeMode::kLegacy) {
    tx.type = eth::Transaction::Type::kLegacy;
    if (chain_.zero_gas_price) {
      tx.gas_price = 0;
      return absl::OkStatus();
    }
    absl::StatusOr<eth::U256> price = eth_->GasPrice();
    if (!price.ok()) return price.status();
    tx.gas_price = *price;
    return absl::OkStatus();
  }
  tx.type = eth::Transaction::Type::kEip1559;
  absl::StatusOr<eth::U256> base = eth_->LatestBaseFee();
  if (!base.ok()) return base.status();
  absl::StatusOr<eth::U256> tip = eth_->MaxPriorityFeePerGas();
  if (!tip.ok()) return tip.status();
  // ethers' rule: room for the base fee to double before inclusion.
  tx.max_priority_fee_per_gas = *tip;
  tx.max_fee_per_gas = *base * eth::U256(2) + *tip;
  return absl::OkStatus();
}

absl::StatusOr<TxOutcome> TxSender::Send(const TxIntent& intent,
                                         const ProgressFn& progress) {
  const std::string label =
      intent.label.empty() ? std::string("transaction") : intent.label;
  Report(progress,
         {TxProgress::Stage::kChecking, absl::StrCat(label, ": preparing")});
  absl::StatusOr<eth::Address> from = signer_->Resolve(intent.wallet);
  if (!from.ok()) return from.status();

  eth::Transaction tx;
  tx.chain_id = chain_.chain_id;
  tx.to = intent.to;
  tx.value = intent.value;
  tx.data = intent.data;
  if (absl::Status s = FillFees(tx); !s.ok()) return s;

  if (intent.gas) {
    tx.gas = *intent.gas;
  } else {
    CallRequest est;
    est.from = *from;
    est.to = intent.to;
    est.value = intent.value;
    est.data = intent.data;
    absl::StatusOr<uint64_t> gas = eth_->EstimateGas(est);
    if (!gas.ok()) {
      if (gas.status().code() == absl::StatusCode::kFailedPrecondition ||
          gas.status().code() == absl::StatusCode::kInvalidArgument)
        return absl::FailedPreconditionError(
            absl::StrCat(label, " would fail: ", gas.status().message()));
      return gas.status();
    }
    if (*gas > options_.gas_cap)
      return absl::InvalidArgumentError(absl::StrCat(
          label, " needs ", *gas, " gas, above the cap of ", options_.gas_cap));
    tx.gas = *gas;
  }

  // Sign and send; "nonce too low" (someone else used the account, or the
  // node restarted from older state) resynchronises and tries once more.
  SignedTx signed_tx;
  uint64_t nonce = 0;
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<uint64_t> n = nonces_->Acquire(*from);
    if (!n.ok()) return n.status();
    nonce = *n;
    tx.nonce = nonce;
    Report(progress, {TxProgress::Stage::kSigning,
                      absl::StrCat(label, ": signing (nonce ", nonce, ")")});
    absl::StatusOr<SignedTx> st =
        signer_->SignTransaction(intent.wallet, tx, absl::StrCat("tx ", label));
    if (!st.ok()) {
      nonces_->Release(*from, nonce);
      return st.status();
    }
    signed_tx = *std::move(st);
    absl::StatusOr<eth::Hash32> sent = eth_->SendRawTransaction(signed_tx.raw);
    if (sent.ok() || AlreadyKnown(sent.status())) {
      nonces_->Commit(*from, nonce);
      break;
    }
    if (Uncertain(sent.status())) {
      // It may have arrived: ask before giving the nonce back.
      absl::StatusOr<bool> known = eth_->TransactionKnown(signed_tx.hash);
      if (known.ok() && *known) {
        nonces_->Commit(*from, nonce);
        break;
      }
      nonces_->Release(*from, nonce);
      nonces_->Resync(*from);
      return sent.status();
    }
    if (NonceTooLow(sent.status()) && attempt == 0) {
      nonces_->Commit(*from, nonce);  // taken on the node: never reuse it
      nonces_->Resync(*from);
      continue;
    }
    nonces_->Release(*from, nonce);
    return absl::Status(sent.status().code(),
                        absl::StrCat(label, ": ", sent.status().message()));
  }
  const std::string hash_hex = eth::ToHex(signed_tx.hash);
  TxProgress sent_p{TxProgress::Stage::kSent,
                    absl::StrCat(label, ": sent ", hash_hex)};
  sent_p.tx_hash = signed_tx.hash;
  Report(progress, sent_p);

  // Wait for the receipt. A node that forgot the transaction (restarted
  // without its pool) gets it again.
  absl::Time deadline = clock_->Now() + options_.receipt_timeout;
  std::optional<Receipt> receipt;
  int polls = 0;
  while (true) {
    absl::StatusOr<std::optional<Receipt>> r =
        eth_->GetTransactionReceipt(signed_tx.hash);
    if (r.ok() && r->has_value()) {
      receipt = **r;
      break;
    }
    if (clock_->Now() > deadline)
      return absl::DeadlineExceededError(
          absl::StrCat(label, ": no receipt for ", hash_hex, " after ",
                       absl::FormatDuration(options_.receipt_timeout)));
    ++polls;
    if (r.ok() && polls % 40 == 0) {
      absl::StatusOr<bool> known = eth_->TransactionKnown(signed_tx.hash);
      if (known.ok() && !*known) {
        absl::StatusOr<eth::Hash32> again =
            eth_->SendRawTransaction(signed_tx.raw);
        if (!again.ok() && NonceTooLow(again.status())) {
          // Its nonce went to another transaction: this one can never be
          // mined.
          nonces_->Resync(*from);
          return absl::AbortedError(
              absl::StrCat(label, ": ", hash_hex,
                           " was dropped by the node and its nonce reused"));
        }
      }
    }
    // Dev chains mine at once: look again soon, then back off to the poll
    // interval.
    clock_->SleepFor(std::min(options_.receipt_poll,
                              absl::Milliseconds(1 << std::min(polls, 6))));
  }
  TxProgress mined{
      TxProgress::Stage::kMined,
      absl::StrCat(label, ": mined in block ", receipt->block_number)};
  mined.tx_hash = signed_tx.hash;
  mined.block_number = receipt->block_number;
  Report(progress, mined);
  if (!receipt->success) {
    // Replay the call at its block for the revert reason.
    CallRequest replay;
    replay.from = *from;
    replay.to = intent.to;
    replay.value = intent.value;
    replay.data = intent.data;
    replay.gas = tx.gas.low64();
    // The state the transaction ran on: the block before (anvil and most
    // dev chains mine one transaction per block).
    uint64_t before = receipt->block_number > 0 ? receipt->block_number - 1 : 0;
    absl::StatusOr<eth::Bytes> why =
        eth_->CallRaw(replay, BlockTag::Number(before));
    std::string reason = why.ok() ? std::string("no reason given")
                                  : std::string(why.status().message());
    return absl::FailedPreconditionError(
        absl::StrCat(label, " reverted (transaction ", hash_hex, ", block ",
                     receipt->block_number, "): ", reason));
  }
  if (chain_.confirmations > 1) {
    absl::StatusOr<Receipt> deep = eth_->WaitForReceipt(
        signed_tx.hash, chain_.confirmations,
        std::max(absl::ZeroDuration(), deadline - clock_->Now()),
        options_.receipt_poll);
    if (!deep.ok()) return deep.status();
    receipt = *deep;
    TxProgress conf{
        TxProgress::Stage::kConfirmed,
        absl::StrCat(label, ": ", chain_.confirmations, " confirmations")};
    conf.tx_hash = signed_tx.hash;
    conf.block_number = receipt->block_number;
    conf.confirmations = chain_.confirmations;
    Report(progress, conf);
  }
  return TxOutcome{signed_tx.hash, *std::move(receipt)};
}

}  // namespace poolops::chain
