// What the monitor learns from the chain side, behind interfaces: the chain
// head (JSON-RPC eth_blockNumber), chain names resolved to RPC and market
// URLs, and wallet balances (both through chain-gateway). Real
// implementations in rpc_chain_head.cc and gateway_sources.cc; tests use
// fakes. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace poolops::monitor {

class ChainHeadSource {
 public:
  virtual ~ChainHeadSource() = default;
  // The latest block number at `rpc_url`.
  virtual absl::StatusOr<uint64_t> HeadBlock(const std::string& rpc_url,
                                             absl::Duration timeout) = 0;
};

// Over libs/ethrpc (JsonRpcClient + EthApi, libcurl), one attempt per
// call within `timeout`.
std::unique_ptr<ChainHeadSource> NewRpcChainHeadSource();

struct ChainInfo {
  std::string rpc;
  std::string market;
  std::string chain_id;  // decimal
  std::string hub;       // the iExec hub address; may be empty
  uint32_t confirmations = 0;  // blocks until a block is final
};

class ChainResolver {
 public:
  virtual ~ChainResolver() = default;
  // NotFound for an unknown chain; Unavailable/Unimplemented when the
  // gateway cannot say.
  virtual absl::StatusOr<ChainInfo> Resolve(const std::string& chain,
                                            absl::Duration timeout) = 0;
};

struct Balances {
  std::string address;
  std::string native;  // wei
  std::string rlc;     // nRLC
  std::string stake;   // nRLC
  std::string locked;  // nRLC
};

class BalanceSource {
 public:
  virtual ~BalanceSource() = default;
  // Unimplemented/Unavailable when chain-gateway cannot answer: the monitor
  // then reports the wallet as unknown, never as zero.
  virtual absl::StatusOr<Balances> GetBalances(const std::string& chain,
                                               const std::string& wallet,
                                               absl::Duration timeout) = 0;
};

}  // namespace poolops::monitor
