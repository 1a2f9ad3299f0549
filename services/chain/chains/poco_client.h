// Typed reads of the iExec PoCo contracts (hub, workerpool registry,
// workerpools, RLC token) and the calldata of the transactions chain-gateway
// sends, as the iExec 8.x SDK does them (PROTOCOL.md-style facts restated in
// the comments). Empty return data is an error (the native hub's fallback
// swallows unknown selectors). Thread-safe; immutable lookups are cached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/eth_api.h"
#include "services/chain/chains/poco_generation.h"

namespace poolops::chain {

// The hub's EIP-712 domain for orders: hub.domain().
struct OrderDomainInfo {
  std::string name;     // "iExecODB"
  std::string version;  // "5.0.0"
  uint64_t chain_id = 0;
  eth::Address verifying_contract;
};

struct EscrowAccount {
  eth::U256 stake;   // nRLC
  eth::U256 locked;  // nRLC
};

struct WorkerpoolInfo {
  eth::Address address;
  eth::Address owner;
  std::string description;
  eth::U256 worker_stake_ratio;      // percent
  eth::U256 scheduler_reward_ratio;  // percent
  eth::Address registry;
};

// What the market checks before it takes a workerpool order, read in one
// JSON-RPC batch (PublishReads); each read keeps its own status so the
// caller reports the first failing rule exactly as the one-call reads do.
struct PublishReads {
  absl::StatusOr<bool> registered;        // registry.isRegistered(workerpool)
  absl::StatusOr<eth::Address> owner;     // workerpool.owner()
  absl::StatusOr<bool> valid;             // hub.verifySignature(signer, ...)
  absl::StatusOr<eth::U256> consumed;     // hub.viewConsumed(hash)
  absl::StatusOr<EscrowAccount> account;  // hub.viewAccount(signer)
};

struct Category {
  uint64_t id = 0;
  std::string name;
  std::string description;
  eth::U256 work_clock_time_ref;
};

class PocoClient {
 public:
  // `eth` must outlive the client.
  PocoClient(EthApi* eth, eth::Address hub, bool native)
      : eth_(eth), hub_(hub), native_(native) {}

  const eth::Address& hub() const { return hub_; }
  bool native() const { return native_; }

  absl::StatusOr<eth::Address> WorkerpoolRegistry();
  // hub.token(): the RLC ERC-20 on token chains; NotFound on native hubs.
  absl::StatusOr<eth::Address> Token();
  absl::StatusOr<OrderDomainInfo> Domain();
  // PoCo 5 or 6 (poco_generation.h), read once per session.
  absl::StatusOr<PocoGeneration> Generation();

  absl::StatusOr<EscrowAccount> ViewAccount(const eth::Address& account);
  // RLC held by the wallet, nRLC: native floor(wei / 1e9); token
  // rlc.balanceOf.
  absl::StatusOr<eth::U256> RlcBalance(const eth::Address& account);

  absl::StatusOr<eth::Address> PredictWorkerpool(
      const eth::Address& owner, const std::string& description);
  absl::StatusOr<bool> IsRegisteredWorkerpool(const eth::Address& workerpool);
  // NotFound naming the address when it is not a registered workerpool.
  absl::StatusOr<WorkerpoolInfo> GetWorkerpool(const eth::Address& workerpool);
  // The workerpools `owner` holds (registry balanceOf + tokenOfOwnerByIndex).
  absl::StatusOr<std::vector<eth::Address>> WorkerpoolsOf(
      const eth::Address& owner);

  absl::StatusOr<bool> VerifySignature(const eth::Address& identity,
                                       const eth::Hash32& hash,
                                       eth::ByteView sign);
  absl::StatusOr<eth::U256> ViewConsumed(const eth::Hash32& order_hash);
  // The publish pre-check reads for an order signed by `signer`, in one
  // batch (the registry address is cached). The outer status fails only
  // when the batch could not be exchanged.
  absl::StatusOr<PublishReads> ReadForPublish(const eth::Address& workerpool,
                                              const eth::Address& signer,
                                              const eth::Hash32& order_hash,
                                              eth::ByteView sign);
  absl::StatusOr<std::vector<Category>> Categories();

  // Calldata.
  static eth::Bytes DepositCall();                        // deposit()
  static eth::Bytes WithdrawCall(const eth::U256& nrlc);  // withdraw(uint256)
  static eth::Bytes TransferCall(const eth::Address& to,  // ERC-20 transfer
                                 const eth::U256& amount);
  static eth::Bytes ApproveAndCallCall(const eth::Address& spender,
                                       const eth::U256& amount);
  static eth::Bytes CreateWorkerpoolCall(const eth::Address& owner,
                                         const std::string& description);

 private:
  absl::StatusOr<eth::Bytes> CallHub(eth::ByteView data);

  EthApi* const eth_;
  const eth::Address hub_;
  const bool native_;
  absl::Mutex mu_;
  std::optional<eth::Address> registry_ ABSL_GUARDED_BY(mu_);
  std::optional<OrderDomainInfo> domain_ ABSL_GUARDED_BY(mu_);
  std::optional<PocoGeneration> generation_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::chain
