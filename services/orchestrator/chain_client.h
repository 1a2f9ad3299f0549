// What the orchestrator needs from the chain: the chain itself (what the
// stacks are configured with), the workerpool (find or register), the
// owner's stake, the publisher policy, and on the devnet the wallets' funds.
// The chain-gateway over gRPC in production
// (proto/poolops/chain/v1/chain.proto), a fake in tests (fake_chain_client.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace grpc {
class Channel;
}

namespace poolops::orchestrator {

using ProgressFn = std::function<void(const std::string& line)>;

struct PublisherSettings {
  std::string chain, workerpool, wallet;
  bool enabled = true;
  std::string core_metrics_url;
  bool gpu_pool = false;
  std::string price, volume, category, tag, trust, requester_restrict;
  uint32_t max_open_orders = 3;
  uint32_t check_period_seconds = 30;
};

// A chain as chain-gateway knows it (GetChain): a preset, the devnet or a
// chain the operator added. chain-gateway owns the home's chain registry;
// the orchestrator never reads its files.
struct ChainFacts {
  std::string name;
  std::string chain_id;     // decimal
  std::string rpc;          // JSON-RPC URL
  std::string hub;          // iExec hub address
  bool native = false;      // RLC is the chain's coin
  std::string market;       // market API URL, may be empty
  std::string origin;       // "preset", "devnet", "custom"
  uint64_t head_block = 0;  // GetChainHead only
};

// What a devnet top-up sent and left (FundFromDevnet).
struct WalletFunding {
  std::string address;
  std::string eth_sent;      // wei
  std::string rlc_sent;      // nRLC
  std::string native_after;  // wei
  std::string rlc_after;     // nRLC
};

class ChainClient {
 public:
  virtual ~ChainClient() = default;
  // NotFound when chain-gateway knows no chain of that name; Unavailable or
  // DeadlineExceeded when it cannot be asked (bounded: a few seconds).
  virtual absl::StatusOr<ChainFacts> GetChain(const std::string& name) = 0;
  // GetChain with the chain's head block, asked of the chain itself.
  virtual absl::StatusOr<ChainFacts> GetChainHead(const std::string& name) = 0;
  // The workerpool `owner` registered with `description`, or "".
  virtual absl::StatusOr<std::string> FindWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description) = 0;
  virtual absl::StatusOr<std::string> DeployWorkerpool(
      const std::string& chain, const std::string& owner,
      const std::string& description, const ProgressFn& progress) = 0;
  // Tops the stake of `wallet` up to `minimum` nRLC; returns the stake.
  virtual absl::StatusOr<std::string> EnsureStake(
      const std::string& chain, const std::string& wallet,
      const std::string& minimum, const ProgressFn& progress) = 0;
  // Devnet only: tops `wallet` up to `eth` ETH and `rlc` RLC (decimal
  // strings) from the devnet's own accounts. FailedPrecondition on any
  // other chain.
  virtual absl::StatusOr<WalletFunding> FundWallet(
      const std::string& chain, const std::string& wallet,
      const std::string& eth, const std::string& rlc,
      const ProgressFn& progress) = 0;
  virtual absl::Status SetPublisher(const PublisherSettings& settings) = 0;
};

std::unique_ptr<ChainClient> NewGatewayChainClient(
    std::shared_ptr<grpc::Channel> channel);

}  // namespace poolops::orchestrator
