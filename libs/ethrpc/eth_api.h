// Typed Ethereum JSON-RPC calls (eth_*) over a JsonRpcClient, with strict
// parsing of what the node returns (quantities, data, hashes, receipts).
// Thread-safe as the client is. Errors name the method and the endpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/eth/abi.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "nlohmann/json.hpp"

namespace poolops::chain {

// A block parameter: "latest", "pending", "earliest", "safe", "finalized", or
// a block number.
struct BlockTag {
  BlockTag(const char* tag) : text(tag) {}  // NOLINT: "latest" reads well
  static BlockTag Number(uint64_t n);
  std::string text;
};

// eth_call / eth_estimateGas argument. Unset fields are left to the node.
struct CallRequest {
  std::optional<eth::Address> from;
  std::optional<eth::Address> to;  // nullopt: contract creation
  std::optional<uint64_t> gas;
  std::optional<eth::U256> gas_price;
  std::optional<eth::U256> value;
  eth::Bytes data;
};

struct Log {
  eth::Address address;
  std::vector<eth::Hash32> topics;
  eth::Bytes data;
  uint64_t log_index = 0;
  // Set by eth_getLogs (receipts' logs carry them too).
  uint64_t block_number = 0;
  eth::Hash32 block_hash{};
  eth::Hash32 transaction_hash{};
  bool removed = false;  // dropped by a reorg (filters only)
};

// eth_getLogs: logs of `addresses` in [from_block, to_block] whose topic i
// is one of topics[i] (an empty set matches any).
struct LogFilter {
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  std::vector<eth::Address> addresses;
  std::vector<std::vector<eth::Hash32>> topics;
};

struct BlockHeader {
  uint64_t number = 0;
  eth::Hash32 hash{};
  eth::Hash32 parent_hash{};
  uint64_t timestamp = 0;  // unix seconds
};

struct Receipt {
  eth::Hash32 transaction_hash{};
  eth::Hash32 block_hash{};
  uint64_t block_number = 0;
  bool success = false;  // "status": 0x1
  uint64_t gas_used = 0;
  std::optional<eth::U256> effective_gas_price;
  eth::Address from;
  std::optional<eth::Address> to;
  std::optional<eth::Address> contract_address;  // creations only
  std::vector<Log> logs;
};

// Parses an eth_getTransactionReceipt result (an object; null is handled by
// the caller). InvalidArgumentError naming the field at fault.
absl::StatusOr<Receipt> ParseReceipt(const nlohmann::json& j);

// Whether a failed eth_getLogs asked for too much at once (a block range or
// a result count over the node's limit, a response over the client's
// size limit): the same query over a smaller range may succeed.
bool IsLogQueryTooLarge(const absl::Status& status);

class EthApi {
 public:
  // `client` and `clock` (time and polling sleeps) must outlive the EthApi.
  explicit EthApi(JsonRpcClient* client, Clock* clock = Clock::Real())
      : client_(client), clock_(clock) {}

  absl::StatusOr<eth::U256> ChainId();
  absl::StatusOr<uint64_t> BlockNumber();
  absl::StatusOr<eth::U256> GetBalance(const eth::Address& account,
                                       const BlockTag& block = "latest");
  // The next nonce; "pending" counts transactions still in the pool.
  absl::StatusOr<uint64_t> GetTransactionCount(
      const eth::Address& account, const BlockTag& block = "pending");
  absl::StatusOr<eth::U256> GasPrice();
  // eth_maxPriorityFeePerGas (EIP-1559 chains).
  absl::StatusOr<eth::U256> MaxPriorityFeePerGas();
  // baseFeePerGas of the latest block; NotFound before London.
  absl::StatusOr<eth::U256> LatestBaseFee();
  // Whether the node knows the transaction (pending or mined):
  // eth_getTransactionByHash is not null.
  absl::StatusOr<bool> TransactionKnown(const eth::Hash32& hash);
  absl::StatusOr<uint64_t> EstimateGas(const CallRequest& request);
  // eth_call expecting return data: an empty result is a FailedPrecondition
  // error (no code at the address, or a fallback that swallowed the call,
  // as the native hub does: PROTOCOL.md §G.3). Reverts are
  // FailedPrecondition with the decoded reason.
  absl::StatusOr<eth::Bytes> Call(const CallRequest& request,
                                  const BlockTag& block = "latest");
  // Several eth_calls in one JSON-RPC batch (one HTTP exchange), each result
  // checked as Call does. The outer status fails only when the batch could
  // not be exchanged.
  absl::StatusOr<std::vector<absl::StatusOr<eth::Bytes>>> CallBatch(
      const std::vector<CallRequest>& requests,
      const BlockTag& block = "latest");
  // Call of the function `signature` ("balanceOf(address)") with `args` on
  // `to`, its return data decoded as the ABI type `returns` ("uint256",
  // "(string,string,uint256,address)"): one value, as Call fails.
  absl::StatusOr<eth::abi::Value> CallFunction(
      const eth::Address& to, std::string_view signature,
      const std::vector<eth::abi::Value>& args, std::string_view returns,
      const BlockTag& block = "latest");
  // eth_call returning whatever came back, empty included.
  absl::StatusOr<eth::Bytes> CallRaw(const CallRequest& request,
                                     const BlockTag& block = "latest");
  // Returns the transaction hash; Internal if the node's hash is not the
  // Keccak-256 of `raw` (a node that changed or mixed up the transaction).
  absl::StatusOr<eth::Hash32> SendRawTransaction(eth::ByteView raw);
  // nullopt while the transaction is unknown or pending.
  absl::StatusOr<std::optional<Receipt>> GetTransactionReceipt(
      const eth::Hash32& hash);
  absl::StatusOr<eth::Bytes> GetCode(const eth::Address& account,
                                     const BlockTag& block = "latest");
  // Logs in the node's order (block, then log index). Nodes cap a query by
  // block range or result count: their error comes back as is (see
  // IsLogQueryTooLarge) for the caller to split the range.
  absl::StatusOr<std::vector<Log>> GetLogs(const LogFilter& filter);
  // The header of block `number` (NotFound past the head); the headers of
  // several blocks in one batch.
  absl::StatusOr<BlockHeader> GetBlockHeader(uint64_t number);
  absl::StatusOr<std::vector<BlockHeader>> GetBlockHeaders(
      const std::vector<uint64_t>& numbers);

  // Polls until the transaction is mined and its block has `confirmations`
  // blocks on top counting itself (0 and 1 both mean "mined"), sleeping
  // `poll` between checks. DeadlineExceeded after `timeout`. A node that is
  // unreachable while waiting is polled again, not given up on. A reverted
  // transaction is returned like any other (see Receipt::success).
  absl::StatusOr<Receipt> WaitForReceipt(
      const eth::Hash32& hash, uint64_t confirmations, absl::Duration timeout,
      absl::Duration poll = absl::Milliseconds(250));

 private:
  JsonRpcClient* const client_;
  Clock* const clock_;
};

}  // namespace poolops::chain
