// Devnet-only top-ups: a wallet gets ETH (gas) and RLC (stake) from the
// devnet's first account, which anvil keeps unlocked, so that
// eth_sendTransaction from it needs no key. Refused unless the chain's
// origin is "devnet" AND its node says it is anvil: funds on a real chain
// are never moved this way (an operator funds those wallets by hand).
//
// How each flavour holds its funds (devnet/devnet.cc, poco_setup.h):
// eth_accounts[0] deployed PoCo; on token chains it kept the RLC supply
// (the other dev accounts got 10,000 RLC each); on native chains RLC is the
// coin (1 nRLC = 10^9 wei, gas price 0).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eth/address.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "services/chain/chains/chain_config.h"
#include "services/chain/chains/poco_client.h"
#include "services/chain/tx/tx_sender.h"

namespace poolops::chain {

// What a wallet must hold at least afterwards (zero: no minimum).
struct DevnetFunding {
  eth::U256 eth_wei;
  eth::U256 rlc_nrlc;
};

struct FundOutcome {
  eth::Address address;
  eth::Address funder;     // eth_accounts[0]
  eth::U256 eth_sent_wei;  // native coin sent
  // RLC sent; on a native chain the same transfer as eth_sent_wei, in nRLC.
  eth::U256 rlc_sent_nrlc;
  eth::U256 native_wei_after;
  eth::U256 rlc_nrlc_after;
  std::vector<TxOutcome> txs;  // in the order sent; empty when funded
};

class DevnetFunder {
 public:
  // Everything must outlive the funder.
  DevnetFunder(const ChainConfig* chain, JsonRpcClient* rpc, EthApi* eth,
               PocoClient* poco,
               absl::Duration receipt_timeout = absl::Minutes(1),
               absl::Duration receipt_poll = absl::Milliseconds(50))
      : chain_(chain),
        rpc_(rpc),
        eth_(eth),
        poco_(poco),
        receipt_timeout_(receipt_timeout),
        receipt_poll_(receipt_poll) {}

  // OK only on a chain of origin "devnet" whose node answers
  // web3_clientVersion with "anvil..."; FailedPrecondition saying to fund
  // wallets by hand otherwise.
  absl::Status CheckDevnet();

  // Tops `to` up to `want` (CheckDevnet first); sends nothing for what it
  // already holds. A transfer that reverts is an error naming it.
  absl::StatusOr<FundOutcome> Fund(const eth::Address& to,
                                   const DevnetFunding& want,
                                   const ProgressFn& progress);

 private:
  absl::StatusOr<eth::Address> Funder();
  // eth_sendTransaction from the unlocked `from`, then its receipt.
  absl::StatusOr<TxOutcome> Send(const eth::Address& from,
                                 const eth::Address& to, const eth::U256& value,
                                 const eth::Bytes& data,
                                 const std::string& label,
                                 const ProgressFn& progress);

  const ChainConfig* const chain_;
  JsonRpcClient* const rpc_;
  EthApi* const eth_;
  PocoClient* const poco_;
  const absl::Duration receipt_timeout_;
  const absl::Duration receipt_poll_;
};

}  // namespace poolops::chain
