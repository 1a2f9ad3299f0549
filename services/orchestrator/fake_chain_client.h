// ChainClient in memory, for tests and benchmarks (poolops_orchestrator_fakes,
// never linked by the service). Thread-safe.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/eth/uint256.h"
#include "services/orchestrator/chain_client.h"

namespace poolops::orchestrator {

class FakeChainClient : public ChainClient {
 public:
  // The chains added, else NotFound; or the error set by
  // SetGetChainError (a gateway that cannot be reached).
  absl::StatusOr<ChainFacts> GetChain(const std::string& name) override;
  // GetChain with head_block = the one set (1000 unless SetHead).
  absl::StatusOr<ChainFacts> GetChainHead(const std::string& name) override;
  void SetHead(uint64_t head);
  int heads_asked() const;
  absl::StatusOr<std::string> FindWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description) override;
  absl::StatusOr<std::string> DeployWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description, const ProgressFn& progress) override;
  absl::StatusOr<std::string> EnsureStake(const std::string& chain,
                                          const std::string& wallet,
                                          const std::string& minimum,
                                          const ProgressFn& progress) override;
  // Refused (FailedPrecondition) unless the chain was added with origin
  // "devnet"; tops the wallet up in memory, sending only what is missing.
  absl::StatusOr<WalletFunding> FundWallet(const std::string& chain,
                                           const std::string& wallet,
                                           const std::string& eth,
                                           const std::string& rlc,
                                           const ProgressFn& progress) override;
  absl::Status SetPublisher(const PublisherSettings& settings) override;

  void AddChain(const ChainFacts& chain);
  // Every FundWallet fails so while `error` is not OK.
  void SetFundError(absl::Status error);
  // What the wallet holds from fundings: "<wei>/<nRLC>", "" when never
  // funded.
  std::string funded(const std::string& wallet) const;
  // Top-ups that sent something.
  int fund_transfers() const;
  // FundWallet, DeployWorkerpool and EnsureStake calls in order
  // ("fund core", "deploy core", "stake core").
  std::vector<std::string> calls() const;
  // Every GetChain fails so while `error` is not OK.
  void SetGetChainError(absl::Status error);

  int deployments() const;
  std::string stake(const std::string& wallet) const;
  bool publisher_enabled() const;
  // Every SetPublisher's `enabled`, in order.
  std::vector<bool> publisher_history() const;
  // The names GetChain was asked for, in order.
  std::vector<std::string> chains_asked() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, ChainFacts> chains_ ABSL_GUARDED_BY(mu_);
  absl::Status get_chain_error_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> chains_asked_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> pools_ ABSL_GUARDED_BY(mu_);  // owner|desc
  std::map<std::string, std::string> stakes_ ABSL_GUARDED_BY(mu_);
  int deployments_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 1000;
  int heads_asked_ ABSL_GUARDED_BY(mu_) = 0;
  bool publisher_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<bool> publisher_history_ ABSL_GUARDED_BY(mu_);
  absl::Status fund_error_ ABSL_GUARDED_BY(mu_);
  // wallet -> {wei, nRLC}
  std::map<std::string, std::pair<eth::U256, eth::U256>> funded_
      ABSL_GUARDED_BY(mu_);
  int fund_transfers_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::orchestrator
