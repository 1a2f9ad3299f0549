// Sends transactions for one chain: nonce from the NonceManager, gas from
// eth_estimateGas (capped), fees from the chain's policy, signature from the
// Signer, then waits for the receipt with the chain's confirmations.
// Progress is reported through a callback as the transaction moves on.
// Thread-safe: many Send calls for the same account may run at once; their
// nonces are contiguous and none is lost or doubled.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/eth_api.h"
#include "services/chain/tx/nonce_manager.h"
#include "services/chain/tx/signer.h"
#include "services/chain/tx/tx_chain_rules.h"

namespace poolops::chain {

struct TxIntent {
  std::string wallet;  // vault name or address
  eth::Address to;
  eth::U256 value;  // wei
  eth::Bytes data;
  std::optional<uint64_t> gas;  // nullopt: estimated
  std::string label;            // "deposit 100 nRLC", for progress and errors
};

struct TxProgress {
  enum class Stage { kChecking, kSigning, kSent, kMined, kConfirmed };
  Stage stage = Stage::kChecking;
  std::string message;  // a line for a person
  std::optional<eth::Hash32> tx_hash;
  uint64_t block_number = 0;
  uint32_t confirmations = 0;
};
using ProgressFn = std::function<void(const TxProgress&)>;

struct TxOutcome {
  eth::Hash32 tx_hash{};
  Receipt receipt;
};

struct TxSenderOptions {
  // Gas limit = estimate (no margin, as ethers does) unless this is larger
  // than `gas_cap`: then InvalidArgument rather than sending.
  uint64_t gas_cap = 6'700'000;
  absl::Duration receipt_timeout = absl::Minutes(2);
  absl::Duration receipt_poll = absl::Milliseconds(50);
};

class TxSender {
 public:
  // Everything must outlive the sender. `clock` times and paces the
  // receipt wait.
  TxSender(TxChainRules chain, EthApi* eth, Signer* signer,
           NonceManager* nonces, TxSenderOptions options = {},
           Clock* clock = Clock::Real());

  // Sends and waits. Errors:
  //   InvalidArgument   the estimate is above the cap, bad intent
  //   FailedPrecondition the transaction would revert (estimate) or reverted
  //                     on-chain: the message carries the revert reason and,
  //                     once mined, the transaction hash
  //   Unavailable/DeadlineExceeded  the node, or the receipt wait
  // A send that fails before the node accepted it returns its nonce to the
  // manager; "nonce too low" resynchronises the account and retries once.
  absl::StatusOr<TxOutcome> Send(const TxIntent& intent,
                                 const ProgressFn& progress = nullptr);

  // The fee fields the chain's policy gives a transaction now (legacy gas
  // price, or EIP-1559 max fee and tip).
  absl::Status FillFees(eth::Transaction& tx);

 private:
  const TxChainRules chain_;
  EthApi* const eth_;
  Signer* const signer_;
  NonceManager* const nonces_;
  const TxSenderOptions options_;
  Clock* const clock_;
};

}  // namespace poolops::chain
