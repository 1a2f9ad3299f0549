#include "services/chain/chains/chain_ops.h"

#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/units.h"
#include "libs/iexec/rlc.h"

namespace poolops::chain {
namespace {

// keccak256("Transfer(address,address,uint256)"), shared by ERC-20 and
// ERC-721 (told apart by the number of topics).
eth::Hash32 TransferTopic() {
  static const eth::Hash32 topic =
      eth::Keccak(std::string_view("Transfer(address,address,uint256)"));
  return topic;
}

std::string Rlc(const eth::U256& nrlc) {
  return absl::StrCat(iexec::NRlc(nrlc).RlcDecimal(), " RLC");
}

absl::StatusOr<ChainSession*> Open(Gateway* gateway, std::string_view chain) {
  return gateway->Session(chain);
}

}  // namespace

eth::U256 NrlcToWei(const eth::U256& nrlc) {
  return nrlc * eth::U256(1'000'000'000);
}

absl::StatusOr<eth::Address> ChainOps::ResolveWallet(ChainSession& chain,
                                                     std::string_view wallet) {
  if (wallet.empty())
    return absl::InvalidArgumentError("a wallet (name or address) is required");
  if (absl::StatusOr<eth::Address> a = eth::Address::Parse(wallet); a.ok())
    return *a;
  return chain.signer().Resolve(wallet);
}

absl::StatusOr<WalletBalances> ChainOps::Balances(std::string_view chain_name,
                                                  std::string_view wallet) {
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  ChainSession& c = **chain;
  absl::StatusOr<eth::Address> who = ResolveWallet(c, wallet);
  if (!who.ok()) return who.status();
  WalletBalances b;
  b.address = *who;
  absl::StatusOr<uint64_t> block = c.eth().BlockNumber();
  if (!block.ok()) return block.status();
  b.block_number = *block;
  absl::StatusOr<eth::U256> wei = c.eth().GetBalance(*who);
  if (!wei.ok()) return wei.status();
  b.native_wei = *wei;
  absl::StatusOr<eth::U256> rlc = c.poco().RlcBalance(*who);
  if (!rlc.ok()) return rlc.status();
  b.rlc_nrlc = *rlc;
  absl::StatusOr<EscrowAccount> acct = c.poco().ViewAccount(*who);
  if (!acct.ok()) return acct.status();
  b.stake_nrlc = acct->stake;
  b.locked_nrlc = acct->locked;
  return b;
}

absl::StatusOr<EscrowAccount> ChainOps::Account(std::string_view chain_name,
                                                std::string_view wallet) {
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<eth::Address> who = ResolveWallet(**chain, wallet);
  if (!who.ok()) return who.status();
  return (*chain)->poco().ViewAccount(*who);
}

absl::StatusOr<TxOutcome> ChainOps::SendRlc(std::string_view chain_name,
                                            std::string_view from,
                                            const eth::Address& to,
                                            const eth::U256& nrlc,
                                            const ProgressFn& progress) {
  if (nrlc.IsZero())
    return absl::InvalidArgumentError("the amount to send must be above 0");
  if (to.IsZero())
    return absl::InvalidArgumentError(
        "refusing to send RLC to the zero address");
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  ChainSession& c = **chain;
  absl::StatusOr<eth::Address> sender = ResolveWallet(c, from);
  if (!sender.ok()) return sender.status();
  absl::StatusOr<eth::U256> held = c.poco().RlcBalance(*sender);
  if (!held.ok()) return held.status();
  if (*held < nrlc)
    return absl::FailedPreconditionError(
        absl::StrCat(sender->ToChecksum(), " holds ", Rlc(*held),
                     ", less than the ", Rlc(nrlc), " to send"));
  TxIntent intent;
  intent.wallet = std::string(from);
  intent.label = absl::StrCat("send ", Rlc(nrlc), " to ", to.ToChecksum());
  if (c.config().native) {
    intent.to = to;
    intent.value = NrlcToWei(nrlc);
  } else {
    absl::StatusOr<eth::Address> token = c.poco().Token();
    if (!token.ok()) return token.status();
    intent.to = *token;
    intent.data = PocoClient::TransferCall(to, nrlc);
  }
  return c.tx().Send(intent, progress);
}

absl::StatusOr<StakeOutcome> ChainOps::Deposit(std::string_view chain_name,
                                               std::string_view wallet,
                                               const eth::U256& nrlc,
                                               const ProgressFn& progress) {
  if (nrlc.IsZero())
    return absl::InvalidArgumentError("the amount to deposit must be above 0");
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  ChainSession& c = **chain;
  absl::StatusOr<eth::Address> who = ResolveWallet(c, wallet);
  if (!who.ok()) return who.status();
  absl::StatusOr<eth::U256> held = c.poco().RlcBalance(*who);
  if (!held.ok()) return held.status();
  if (*held < nrlc)
    return absl::FailedPreconditionError(
        absl::StrCat("cannot deposit ", Rlc(nrlc), ": ", who->ToChecksum(),
                     " holds ", Rlc(*held)));
  TxIntent intent;
  intent.wallet = std::string(wallet);
  intent.label = absl::StrCat("deposit ", Rlc(nrlc));
  if (c.config().native) {
    intent.to = c.config().hub;
    intent.value = NrlcToWei(nrlc);
    intent.data = PocoClient::DepositCall();
  } else {
    absl::StatusOr<eth::Address> token = c.poco().Token();
    if (!token.ok()) return token.status();
    intent.to = *token;
    intent.data = PocoClient::ApproveAndCallCall(c.config().hub, nrlc);
  }
  absl::StatusOr<TxOutcome> tx = c.tx().Send(intent, progress);
  if (!tx.ok()) return tx.status();
  // The hub mints its staked RLC to the depositor: Transfer(0x0, who, n).
  bool minted = false;
  for (const Log& log : tx->receipt.logs) {
    if (log.address == c.config().hub && log.topics.size() == 3 &&
        log.topics[0] == TransferTopic())
      minted = true;
  }
  if (!minted)
    return absl::InternalError(
        absl::StrCat("deposit transaction ", eth::ToHex(tx->tx_hash),
                     " was mined but the hub minted no stake"));
  absl::StatusOr<EscrowAccount> acct = c.poco().ViewAccount(*who);
  if (!acct.ok()) return acct.status();
  return StakeOutcome{*std::move(tx), acct->stake};
}

absl::StatusOr<StakeOutcome> ChainOps::Withdraw(std::string_view chain_name,
                                                std::string_view wallet,
                                                const eth::U256& nrlc,
                                                const ProgressFn& progress) {
  if (nrlc.IsZero())
    return absl::InvalidArgumentError("the amount to withdraw must be above 0");
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  ChainSession& c = **chain;
  absl::StatusOr<eth::Address> who = ResolveWallet(c, wallet);
  if (!who.ok()) return who.status();
  absl::StatusOr<EscrowAccount> before = c.poco().ViewAccount(*who);
  if (!before.ok()) return before.status();
  if (before->stake < nrlc)
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot withdraw ", Rlc(nrlc), ": the stake of ", who->ToChecksum(),
        " is ", Rlc(before->stake), " (", Rlc(before->locked), " locked)"));
  TxIntent intent;
  intent.wallet = std::string(wallet);
  intent.label = absl::StrCat("withdraw ", Rlc(nrlc));
  intent.to = c.config().hub;
  intent.data = PocoClient::WithdrawCall(nrlc);
  absl::StatusOr<TxOutcome> tx = c.tx().Send(intent, progress);
  if (!tx.ok()) return tx.status();
  absl::StatusOr<EscrowAccount> acct = c.poco().ViewAccount(*who);
  if (!acct.ok()) return acct.status();
  return StakeOutcome{*std::move(tx), acct->stake};
}

absl::StatusOr<DeployOutcome> ChainOps::DeployWorkerpool(
    std::string_view chain_name, std::string_view owner,
    const std::string& description, const ProgressFn& progress) {
  if (description.empty())
    return absl::InvalidArgumentError("a workerpool needs a description");
  if (description.size() > 4096)
    return absl::InvalidArgumentError(
        "the workerpool description is longer than 4096 bytes");
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  ChainSession& c = **chain;
  absl::StatusOr<eth::Address> who = c.signer().Resolve(owner);
  if (!who.ok()) return who.status();
  if (progress)
    progress(
        {TxProgress::Stage::kChecking, "predicting the workerpool address"});
  absl::StatusOr<eth::Address> predicted =
      c.poco().PredictWorkerpool(*who, description);
  if (!predicted.ok()) return predicted.status();
  absl::StatusOr<bool> taken = c.poco().IsRegisteredWorkerpool(*predicted);
  if (!taken.ok()) return taken.status();
  if (*taken)
    return absl::AlreadyExistsError(
        absl::StrCat("workerpool already deployed at ", predicted->ToChecksum(),
                     " for owner ", who->ToChecksum(), " and description \"",
                     description, "\""));
  absl::StatusOr<eth::Address> registry = c.poco().WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  TxIntent intent;
  intent.wallet = std::string(owner);
  intent.label = absl::StrCat("register workerpool \"", description, "\"");
  intent.to = *registry;
  intent.data = PocoClient::CreateWorkerpoolCall(*who, description);
  absl::StatusOr<TxOutcome> tx = c.tx().Send(intent, progress);
  if (!tx.ok()) return tx.status();
  // The registry's ERC-721 Transfer(0x0, owner, tokenId): 4 topics, and the
  // token id is the workerpool address.
  for (const Log& log : tx->receipt.logs) {
    if (log.address == *registry && log.topics.size() == 4 &&
        log.topics[0] == TransferTopic()) {
      absl::StatusOr<eth::Address> pool =
          eth::Address::FromBytes(eth::ByteView(log.topics[3].data() + 12, 20));
      if (!pool.ok()) return pool.status();
      if (*pool != *predicted)
        return absl::InternalError(
            absl::StrCat("the registry minted ", pool->ToChecksum(),
                         ", not the predicted ", predicted->ToChecksum()));
      return DeployOutcome{*pool, *std::move(tx)};
    }
  }
  return absl::InternalError(
      absl::StrCat("workerpool registration ", eth::ToHex(tx->tx_hash),
                   " was mined without the registry's Transfer event"));
}

absl::StatusOr<WorkerpoolInfo> ChainOps::GetWorkerpool(
    std::string_view chain_name, const eth::Address& workerpool) {
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  return (*chain)->poco().GetWorkerpool(workerpool);
}

absl::StatusOr<std::vector<WorkerpoolInfo>> ChainOps::ListWorkerpools(
    std::string_view chain_name, std::string_view owner) {
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<eth::Address> who = ResolveWallet(**chain, owner);
  if (!who.ok()) return who.status();
  absl::StatusOr<std::vector<eth::Address>> pools =
      (*chain)->poco().WorkerpoolsOf(*who);
  if (!pools.ok()) return pools.status();
  std::vector<WorkerpoolInfo> out;
  for (const eth::Address& p : *pools) {
    absl::StatusOr<WorkerpoolInfo> info = (*chain)->poco().GetWorkerpool(p);
    if (!info.ok()) return info.status();
    out.push_back(*std::move(info));
  }
  return out;
}

absl::StatusOr<FundedWallet> ChainOps::FundFromDevnet(
    std::string_view chain_name, std::string_view wallet,
    const DevnetFunding& want, const ProgressFn& progress) {
  absl::StatusOr<ChainSession*> chain = Open(gateway_, chain_name);
  if (!chain.ok()) return chain.status();
  ChainSession& c = **chain;
  DevnetFunder funder(&c.config(), &c.rpc(), &c.eth(), &c.poco());
  // Refused before the vault is asked for a name.
  if (absl::Status s = funder.CheckDevnet(); !s.ok()) return s;
  absl::StatusOr<eth::Address> who = ResolveWallet(c, wallet);
  if (!who.ok()) return who.status();
  FundedWallet out;
  {
    absl::MutexLock lock(&fund_mu_);
    absl::StatusOr<FundOutcome> funded = funder.Fund(*who, want, progress);
    if (!funded.ok()) return funded.status();
    out.funding = *std::move(funded);
  }
  absl::StatusOr<WalletBalances> after =
      Balances(chain_name, who->ToChecksum());
  if (!after.ok()) return after.status();
  out.after = *std::move(after);
  return out;
}

}  // namespace poolops::chain
