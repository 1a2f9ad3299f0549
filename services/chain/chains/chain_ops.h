// The operator's on-chain operations with the iExec 8.x SDK's semantics:
// balances, RLC transfers, stake deposit/withdraw and workerpool
// registration. Amounts here are already in nRLC (the caller converts
// units); every check the SDK makes before sending is made here first, with
// an error that says what is short.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/eth/address.h"
#include "libs/eth/uint256.h"
#include "services/chain/chains/devnet_funder.h"
#include "services/chain/chains/gateway.h"

namespace poolops::chain {

struct WalletBalances {
  eth::Address address;
  eth::U256 native_wei;
  eth::U256 rlc_nrlc;
  eth::U256 stake_nrlc;
  eth::U256 locked_nrlc;
  uint64_t block_number = 0;
};

struct StakeOutcome {
  TxOutcome tx;
  eth::U256 stake_nrlc;  // after the operation
};

struct DeployOutcome {
  eth::Address workerpool;
  TxOutcome tx;
};

struct FundedWallet {
  FundOutcome funding;
  WalletBalances after;
};

class ChainOps {
 public:
  explicit ChainOps(Gateway* gateway) : gateway_(gateway) {}

  // A wallet named by vault name or address.
  absl::StatusOr<eth::Address> ResolveWallet(ChainSession& chain,
                                             std::string_view wallet);

  absl::StatusOr<WalletBalances> Balances(std::string_view chain,
                                          std::string_view wallet);
  absl::StatusOr<EscrowAccount> Account(std::string_view chain,
                                        std::string_view wallet);
  absl::StatusOr<TxOutcome> SendRlc(std::string_view chain,
                                    std::string_view from,
                                    const eth::Address& to,
                                    const eth::U256& nrlc,
                                    const ProgressFn& progress);
  absl::StatusOr<StakeOutcome> Deposit(std::string_view chain,
                                       std::string_view wallet,
                                       const eth::U256& nrlc,
                                       const ProgressFn& progress);
  absl::StatusOr<StakeOutcome> Withdraw(std::string_view chain,
                                        std::string_view wallet,
                                        const eth::U256& nrlc,
                                        const ProgressFn& progress);
  // AlreadyExists naming the address when (owner, description) is taken.
  absl::StatusOr<DeployOutcome> DeployWorkerpool(std::string_view chain,
                                                 std::string_view owner,
                                                 const std::string& description,
                                                 const ProgressFn& progress);
  absl::StatusOr<WorkerpoolInfo> GetWorkerpool(std::string_view chain,
                                               const eth::Address& workerpool);
  absl::StatusOr<std::vector<WorkerpoolInfo>> ListWorkerpools(
      std::string_view chain, std::string_view owner);
  // Devnet only (devnet_funder.h): tops `wallet` up to `want` from the
  // devnet's first account. One funding at a time, so that two calls for
  // the same wallet do not both send.
  absl::StatusOr<FundedWallet> FundFromDevnet(std::string_view chain,
                                              std::string_view wallet,
                                              const DevnetFunding& want,
                                              const ProgressFn& progress);

 private:
  Gateway* const gateway_;
  absl::Mutex fund_mu_;
};

// 1 nRLC of native value is 10^9 wei.
eth::U256 NrlcToWei(const eth::U256& nrlc);

}  // namespace poolops::chain
