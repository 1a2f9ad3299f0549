#include "services/orchestrator/fake_chain_client.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/eth/units.h"
#include "libs/iexec/rlc.h"

namespace poolops::orchestrator {

absl::StatusOr<ChainFacts> FakeChainClient::GetChain(const std::string& name) {
  absl::MutexLock lock(&mu_);
  chains_asked_.push_back(name);
  if (!get_chain_error_.ok()) return get_chain_error_;
  auto it = chains_.find(name);
  if (it == chains_.end()) {
    return absl::NotFoundError(absl::StrCat("chain '", name, "' not found"));
  }
  return it->second;
}

absl::StatusOr<ChainFacts> FakeChainClient::GetChainHead(
    const std::string& name) {
  absl::StatusOr<ChainFacts> c = GetChain(name);
  if (!c.ok() && absl::IsNotFound(c.status())) {
    c = ChainFacts{.name = name};  // a preset: the gateway knows it
  }
  if (!c.ok()) return c;
  absl::MutexLock lock(&mu_);
  ++heads_asked_;
  c->head_block = head_;
  return c;
}

void FakeChainClient::SetHead(uint64_t head) {
  absl::MutexLock lock(&mu_);
  head_ = head;
}

int FakeChainClient::heads_asked() const {
  absl::MutexLock lock(&mu_);
  return heads_asked_;
}

void FakeChainClient::AddChain(const ChainFacts& chain) {
  absl::MutexLock lock(&mu_);
  chains_[chain.name] = chain;
}

void FakeChainClient::SetGetChainError(absl::Status error) {
  absl::MutexLock lock(&mu_);
  get_chain_error_ = std::move(error);
}

std::vector<std::string> FakeChainClient::chains_asked() const {
  absl::MutexLock lock(&mu_);
  return chains_asked_;
}

absl::StatusOr<std::string> FakeChainClient::FindWorkerpool(
    const std::string&, const std::string& owner,
    const std::string& description) {
  absl::MutexLock lock(&mu_);
  auto it = pools_.find(owner + "|" + description);
  return it == pools_.end() ? std::string() : it->second;
}

absl::StatusOr<std::string> FakeChainClient::DeployWorkerpool(
    const std::string&, const std::string& owner,
    const std::string& description, const ProgressFn& progress) {
  absl::MutexLock lock(&mu_);
  std::string key = owner + "|" + description;
  if (pools_.count(key)) {
    return absl::AlreadyExistsError(
        absl::StrCat("workerpool already registered at ", pools_[key]));
  }
  calls_.push_back("deploy " + owner);
  ++deployments_;
  std::string address = absl::StrFormat("0x%040x", deployments_ * 4099);
  pools_[key] = address;
  if (progress) progress(absl::StrCat("deployed workerpool ", address));
  return address;
}

absl::StatusOr<std::string> FakeChainClient::EnsureStake(
    const std::string&, const std::string& wallet, const std::string& minimum,
    const ProgressFn&) {
  absl::MutexLock lock(&mu_);
  calls_.push_back("stake " + wallet);
  std::string& s = stakes_[wallet];
  absl::StatusOr<iexec::NRlc> want = iexec::NRlc::Parse(minimum);
  if (!want.ok()) return want.status();
  absl::StatusOr<iexec::NRlc> now = iexec::NRlc::Parse(s.empty() ? "0" : s);
  if (!now.ok()) return now.status();
  if (*now < *want) s = want->NrlcDecimal();
  return s;
}

absl::StatusOr<WalletFunding> FakeChainClient::FundWallet(
    const std::string& chain, const std::string& wallet, const std::string& eth,
    const std::string& rlc, const ProgressFn& progress) {
  absl::MutexLock lock(&mu_);
  calls_.push_back("fund " + wallet);
  if (!fund_error_.ok()) return fund_error_;
  auto c = chains_.find(chain);
  if (c == chains_.end() || c->second.origin != "devnet") {
    return absl::FailedPreconditionError(absl::StrCat(
        "chain \"", chain,
        "\" is not the devnet: fund wallets by hand on real chains"));
  }
  absl::StatusOr<eth::U256> wei =
      eth.empty() ? eth::U256()
                  : eth::ParseAmount(eth, eth::Unit::kEther, eth::Unit::kWei);
  if (!wei.ok()) return wei.status();
  absl::StatusOr<eth::U256> nrlc =
      rlc.empty() ? eth::U256()
                  : eth::ParseAmount(rlc, eth::Unit::kRlc, eth::Unit::kNRlc);
  if (!nrlc.ok()) return nrlc.status();
  auto& [have_wei, have_nrlc] = funded_[wallet];
  WalletFunding out;
  out.address = wallet;
  out.eth_sent = have_wei < *wei ? (*wei - have_wei).ToDecimal() : "0";
  out.rlc_sent = have_nrlc < *nrlc ? (*nrlc - have_nrlc).ToDecimal() : "0";
  if (have_wei < *wei) have_wei = *wei;
  if (have_nrlc < *nrlc) have_nrlc = *nrlc;
  if (out.eth_sent != "0" || out.rlc_sent != "0") {
    ++fund_transfers_;
    if (progress) progress(absl::StrCat("funded ", wallet));
  }
  out.native_after = have_wei.ToDecimal();
  out.rlc_after = have_nrlc.ToDecimal();
  return out;
}

void FakeChainClient::SetFundError(absl::Status error) {
  absl::MutexLock lock(&mu_);
  fund_error_ = std::move(error);
}

std::string FakeChainClient::funded(const std::string& wallet) const {
  absl::MutexLock lock(&mu_);
  auto it = funded_.find(wallet);
  if (it == funded_.end()) return "";
  return absl::StrCat(it->second.first.ToDecimal(), "/",
                      it->second.second.ToDecimal());
}

int FakeChainClient::fund_transfers() const {
  absl::MutexLock lock(&mu_);
  return fund_transfers_;
}

std::vector<std::string> FakeChainClient::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

absl::Status FakeChainClient::SetPublisher(const PublisherSettings& settings) {
  absl::MutexLock lock(&mu_);
  publisher_ = settings.enabled;
  publisher_history_.push_back(settings.enabled);
  return absl::OkStatus();
}

std::vector<bool> FakeChainClient::publisher_history() const {
  absl::MutexLock lock(&mu_);
  return publisher_history_;
}

int FakeChainClient::deployments() const {
  absl::MutexLock lock(&mu_);
  return deployments_;
}

std::string FakeChainClient::stake(const std::string& wallet) const {
  absl::MutexLock lock(&mu_);
  auto it = stakes_.find(wallet);
  return it == stakes_.end() ? "" : it->second;
}

bool FakeChainClient::publisher_enabled() const {
  absl::MutexLock lock(&mu_);
  return publisher_;
}

}  // namespace poolops::orchestrator
