#include "libs/ethrpc/eth_api.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

// libs/eth speaks std::string_view; Debian's Abseil has its own string_view.
std::string_view Std(absl::string_view s) { return {s.data(), s.size()}; }

absl::Status Bad(absl::string_view what, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", why));
}

absl::StatusOr<absl::string_view> HexString(const json& j,
                                            absl::string_view what) {
  if (!j.is_string()) return Bad(what, "not a string");
  absl::string_view s = j.get_ref<const std::string&>();
  if (!absl::StartsWith(s, "0x")) return Bad(what, "no 0x prefix");
  return s;
}

// A QUANTITY: "0x" and 1 to 64 hex digits.
absl::StatusOr<eth::U256> Quantity(const json& j, absl::string_view what) {
  absl::StatusOr<absl::string_view> s = HexString(j, what);
  if (!s.ok()) return s.status();
  if (s->size() == 2 || s->size() > 66)
    return Bad(what, "not a quantity (1 to 64 hex digits)");
  return eth::U256::FromHex(Std(*s), Std(what));
}

absl::StatusOr<uint64_t> Quantity64(const json& j, absl::string_view what) {
  absl::StatusOr<eth::U256> v = Quantity(j, what);
  if (!v.ok()) return v.status();
  if (!v->FitsUint64()) return Bad(what, "does not fit 64 bits");
  return v->low64();
}

absl::StatusOr<eth::Bytes> Data(const json& j, absl::string_view what) {
  absl::StatusOr<absl::string_view> s = HexString(j, what);
  if (!s.ok()) return s.status();
  return eth::FromHex(Std(*s), Std(what));
}

absl::StatusOr<eth::Hash32> Hash(const json& j, absl::string_view what) {
  absl::StatusOr<absl::string_view> s = HexString(j, what);
  if (!s.ok()) return s.status();
  absl::StatusOr<eth::Bytes> b = eth::FromHexFixed(Std(*s), 32, Std(what));
  if (!b.ok()) return b.status();
  eth::Hash32 h{};
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

absl::StatusOr<eth::Address> AddressOf(const json& j, absl::string_view what) {
  if (!j.is_string()) return Bad(what, "not a string");
  return eth::Address::Parse(j.get_ref<const std::string&>(), Std(what));
}

// Optional member: absent and null are both "none".
const json* Member(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::StatusOr<const json*> Required(const json& j, const char* key,
                                     absl::string_view where) {
  const json* m = Member(j, key);
  if (m == nullptr) return Bad(absl::StrCat(where, ".", key), "missing");
  return m;
}

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = *std::move(tmp)
#define RPC_CONCAT_INNER(a, b) a##b
#define RPC_CONCAT(a, b) RPC_CONCAT_INNER(a, b)
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(RPC_CONCAT(status_or_, __LINE__), lhs, expr)

absl::StatusOr<Log> ParseLog(const json& j, absl::string_view where) {
  if (!j.is_object()) return Bad(where, "not an object");
  Log log;
  const json* m;
  ASSIGN_OR_RETURN(m, Required(j, "address", where));
  ASSIGN_OR_RETURN(log.address, AddressOf(*m, absl::StrCat(where, ".address")));
  ASSIGN_OR_RETURN(m, Required(j, "topics", where));
  if (!m->is_array() || m->size() > 4)
    return Bad(absl::StrCat(where, ".topics"), "not an array of at most 4");
  for (size_t i = 0; i < m->size(); ++i) {
    eth::Hash32 topic{};
    ASSIGN_OR_RETURN(topic,
                     Hash((*m)[i], absl::StrCat(where, ".topics[", i, "]")));
    log.topics.push_back(topic);
  }
  ASSIGN_OR_RETURN(m, Required(j, "data", where));
  ASSIGN_OR_RETURN(log.data, Data(*m, absl::StrCat(where, ".data")));
  if ((m = Member(j, "logIndex")) != nullptr) {
    ASSIGN_OR_RETURN(log.log_index,
                     Quantity64(*m, absl::StrCat(where, ".logIndex")));
  }
  if ((m = Member(j, "blockNumber")) != nullptr) {
    ASSIGN_OR_RETURN(log.block_number,
                     Quantity64(*m, absl::StrCat(where, ".blockNumber")));
  }
  if ((m = Member(j, "blockHash")) != nullptr) {
    ASSIGN_OR_RETURN(log.block_hash,
                     Hash(*m, absl::StrCat(where, ".blockHash")));
  }
  if ((m = Member(j, "transactionHash")) != nullptr) {
    ASSIGN_OR_RETURN(log.transaction_hash,
                     Hash(*m, absl::StrCat(where, ".transactionHash")));
  }
  if ((m = Member(j, "removed")) != nullptr) {
    if (!m->is_boolean()) return Bad(absl::StrCat(where, ".removed"), "not a boolean");
    log.removed = m->get<bool>();
  }
  return log;
}

json CallObject(const CallRequest& r) {
  json o = json::object();
  if (r.from.has_value()) o["from"] = r.from->ToLowerHex();
  if (r.to.has_value()) o["to"] = r.to->ToLowerHex();
  if (r.gas.has_value()) o["gas"] = eth::U256(*r.gas).ToHex();
  if (r.gas_price.has_value()) o["gasPrice"] = r.gas_price->ToHex();
  if (r.value.has_value()) o["value"] = r.value->ToHex();
  // Both spellings: older nodes read "data", newer ones prefer "input".
  o["data"] = eth::ToHex(r.data);
  o["input"] = eth::ToHex(r.data);
  return o;
}

bool Transient(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
}

}  // namespace

BlockTag BlockTag::Number(uint64_t n) {
  BlockTag tag("");
  tag.text = eth::U256(n).ToHex();
  return tag;
}

absl::StatusOr<Receipt> ParseReceipt(const json& j) {
  constexpr absl::string_view kWhere = "receipt";
  if (!j.is_object()) return Bad(kWhere, "not an object");
  Receipt r;
  const json* m;
  ASSIGN_OR_RETURN(m, Required(j, "transactionHash", kWhere));
  ASSIGN_OR_RETURN(r.transaction_hash, Hash(*m, "receipt.transactionHash"));
  ASSIGN_OR_RETURN(m, Required(j, "blockHash", kWhere));
  ASSIGN_OR_RETURN(r.block_hash, Hash(*m, "receipt.blockHash"));
  ASSIGN_OR_RETURN(m, Required(j, "blockNumber", kWhere));
  ASSIGN_OR_RETURN(r.block_number, Quantity64(*m, "receipt.blockNumber"));
  // Pre-Byzantium receipts have a state root instead: not on our chains.
  ASSIGN_OR_RETURN(m, Required(j, "status", kWhere));
  uint64_t status;
  ASSIGN_OR_RETURN(status, Quantity64(*m, "receipt.status"));
  if (status > 1) return Bad("receipt.status", "neither 0x0 nor 0x1");
  r.success = status == 1;
  ASSIGN_OR_RETURN(m, Required(j, "gasUsed", kWhere));
  ASSIGN_OR_RETURN(r.gas_used, Quantity64(*m, "receipt.gasUsed"));
  if ((m = Member(j, "effectiveGasPrice")) != nullptr) {
    ASSIGN_OR_RETURN(r.effective_gas_price,
                     Quantity(*m, "receipt.effectiveGasPrice"));
  }
  ASSIGN_OR_RETURN(m, Required(j, "from", kWhere));
  ASSIGN_OR_RETURN(r.from, AddressOf(*m, "receipt.from"));
  if ((m = Member(j, "to")) != nullptr) {
    ASSIGN_OR_RETURN(r.to, AddressOf(*m, "receipt.to"));
  }
  if ((m = Member(j, "contractAddress")) != nullptr) {
    ASSIGN_OR_RETURN(r.contract_address,
                     AddressOf(*m, "receipt.contractAddress"));
  }
  ASSIGN_OR_RETURN(m, Required(j, "logs", kWhere));
  if (!m->is_array()) return Bad("receipt.logs", "not an array");
  for (size_t i = 0; i < m->size(); ++i) {
    Log log;
    ASSIGN_OR_RETURN(log,
                     ParseLog((*m)[i], absl::StrCat("receipt.logs[", i, "]")));
    r.logs.push_back(std::move(log));
  }
  return r;
}

namespace {

// Runs `method` and parses its result with `parse` inside the client, so a
// result that does not parse counts against that endpoint (failover).
template <typename T, typename Parse>
absl::StatusOr<T> Typed(JsonRpcClient* client, absl::string_view method,
                        json params, Parse parse,
                        std::string* answered_by = nullptr) {
  absl::StatusOr<T> out = absl::InternalError("no result");
  absl::StatusOr<json> r = client->Call(
      method, std::move(params),
      [&](const json& j) -> absl::Status {
        out = parse(j);
        return out.status();
      },
      answered_by);
  if (!r.ok()) return r.status();
  return out;
}

}  // namespace

absl::StatusOr<eth::U256> EthApi::ChainId() {
  return Typed<eth::U256>(
      client_, "eth_chainId", json::array(),
      [](const json& j) { return Quantity(j, "chain id"); });
}

absl::StatusOr<uint64_t> EthApi::BlockNumber() {
  return Typed<uint64_t>(
      client_, "eth_blockNumber", json::array(),
      [](const json& j) { return Quantity64(j, "block number"); });
}

absl::StatusOr<eth::U256> EthApi::GetBalance(const eth::Address& account,
                                             const BlockTag& block) {
  return Typed<eth::U256>(client_, "eth_getBalance",
                          json::array({account.ToLowerHex(), block.text}),
                          [](const json& j) { return Quantity(j, "balance"); });
}

absl::StatusOr<uint64_t> EthApi::GetTransactionCount(
    const eth::Address& account, const BlockTag& block) {
  return Typed<uint64_t>(
      client_, "eth_getTransactionCount",
      json::array({account.ToLowerHex(), block.text}),
      [](const json& j) { return Quantity64(j, "transaction count"); });
}

absl::StatusOr<eth::U256> EthApi::GasPrice() {
  return Typed<eth::U256>(
      client_, "eth_gasPrice", json::array(),
      [](const json& j) { return Quantity(j, "gas price"); });
}

absl::StatusOr<eth::U256> EthApi::MaxPriorityFeePerGas() {
  return Typed<eth::U256>(
      client_, "eth_maxPriorityFeePerGas", json::array(),
      [](const json& j) { return Quantity(j, "max priority fee"); });
}

absl::StatusOr<eth::U256> EthApi::LatestBaseFee() {
  absl::StatusOr<std::optional<eth::U256>> fee =
      Typed<std::optional<eth::U256>>(
          client_, "eth_getBlockByNumber", json::array({"latest", false}),
          [](const json& j) -> absl::StatusOr<std::optional<eth::U256>> {
            if (!j.is_object()) return Bad("block", "not an object");
            const json* fee = Member(j, "baseFeePerGas");
            if (fee == nullptr || fee->is_null()) return std::nullopt;
            absl::StatusOr<eth::U256> q = Quantity(*fee, "baseFeePerGas");
            if (!q.ok()) return q.status();
            return std::optional<eth::U256>(*q);
          });
  if (!fee.ok()) return fee.status();
  if (!fee->has_value())
    return absl::NotFoundError("the latest block has no baseFeePerGas");
  return **fee;
}

absl::StatusOr<bool> EthApi::TransactionKnown(const eth::Hash32& hash) {
  return Typed<bool>(client_, "eth_getTransactionByHash",
                     json::array({eth::ToHex(hash)}),
                     [](const json& j) -> absl::StatusOr<bool> {
                       if (j.is_null()) return false;
                       if (!j.is_object())
                         return Bad("transaction", "not an object");
                       return true;
                     });
}

absl::StatusOr<uint64_t> EthApi::EstimateGas(const CallRequest& request) {
  return Typed<uint64_t>(
      client_, "eth_estimateGas", json::array({CallObject(request)}),
      [](const json& j) { return Quantity64(j, "gas estimate"); });
}

absl::StatusOr<eth::Bytes> EthApi::CallRaw(const CallRequest& request,
                                           const BlockTag& block) {
  return Typed<eth::Bytes>(
      client_, "eth_call", json::array({CallObject(request), block.text}),
      [](const json& j) { return Data(j, "return data"); });
}

absl::StatusOr<eth::Bytes> EthApi::Call(const CallRequest& request,
                                        const BlockTag& block) {
  std::string endpoint;
  absl::StatusOr<eth::Bytes> out = Typed<eth::Bytes>(
      client_, "eth_call", json::array({CallObject(request), block.text}),
      [](const json& j) { return Data(j, "return data"); }, &endpoint);
  if (out.ok() && out->empty()) {
    std::string target =
        request.to.has_value() ? request.to->ToChecksum() : "(creation)";
    return absl::FailedPreconditionError(
        absl::StrCat("eth_call at ", endpoint, ": call to ", target,
                     " returned no data (no contract code there, or a fallback "
                     "function took the call)"));
  }
  return out;
}

absl::StatusOr<eth::abi::Value> EthApi::CallFunction(
    const eth::Address& to, std::string_view signature,
    const std::vector<eth::abi::Value>& args, std::string_view returns,
    const BlockTag& block) {
  absl::StatusOr<eth::abi::Type> type = eth::abi::ParseType(returns);
  if (!type.ok()) return type.status();
  absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(signature, args);
  if (!data.ok()) return data.status();
  CallRequest request;
  request.to = to;
  request.data = *std::move(data);
  absl::StatusOr<eth::Bytes> out = Call(request, block);
  if (!out.ok()) {
    return absl::Status(
        out.status().code(),
        absl::StrCat(std::string(signature), ": ", out.status().message()));
  }
  absl::StatusOr<std::vector<eth::abi::Value>> values =
      eth::abi::Decode({*type}, *out);
  if (!values.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(signature), " returned what is not ",
                     std::string(returns), ": ", values.status().message()));
  }
  return std::move((*values)[0]);
}

absl::StatusOr<std::vector<absl::StatusOr<eth::Bytes>>> EthApi::CallBatch(
    const std::vector<CallRequest>& requests, const BlockTag& block) {
  std::vector<JsonRpcRequest> batch;
  batch.reserve(requests.size());
  for (const CallRequest& r : requests)
    batch.push_back({"eth_call", json::array({CallObject(r), block.text})});
  absl::StatusOr<std::vector<absl::StatusOr<json>>> replies =
      client_->Batch(batch);
  if (!replies.ok()) return replies.status();
  std::vector<absl::StatusOr<eth::Bytes>> out;
  out.reserve(replies->size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const absl::StatusOr<json>& reply = (*replies)[i];
    if (!reply.ok()) {
      out.push_back(reply.status());
      continue;
    }
    absl::StatusOr<eth::Bytes> data = Data(*reply, "return data");
    if (data.ok() && data->empty()) {
      std::string target = requests[i].to.has_value()
                               ? requests[i].to->ToChecksum()
                               : "(creation)";
      data = absl::FailedPreconditionError(
          absl::StrCat("eth_call: call to ", target,
                       " returned no data (no contract code there, or a "
                       "fallback function took the call)"));
    }
    out.push_back(std::move(data));
  }
  return out;
}

absl::StatusOr<eth::Hash32> EthApi::SendRawTransaction(eth::ByteView raw) {
  const eth::Hash32 expected = eth::Keccak(raw);
  return Typed<eth::Hash32>(
      client_, "eth_sendRawTransaction", json::array({eth::ToHex(raw)}),
      [&expected](const json& j) -> absl::StatusOr<eth::Hash32> {
        absl::StatusOr<eth::Hash32> h = Hash(j, "transaction hash");
        if (h.ok() && *h != expected)
          return Bad("transaction hash", absl::StrCat(eth::ToHex(*h),
                                                      " is not the hash of the "
                                                      "raw transaction ",
                                                      eth::ToHex(expected)));
        return h;
      });
}

absl::StatusOr<std::optional<Receipt>> EthApi::GetTransactionReceipt(
    const eth::Hash32& hash) {
  return Typed<std::optional<Receipt>>(
      client_, "eth_getTransactionReceipt", json::array({eth::ToHex(hash)}),
      [&hash](const json& j) -> absl::StatusOr<std::optional<Receipt>> {
        if (j.is_null()) return std::nullopt;
        absl::StatusOr<Receipt> r = ParseReceipt(j);
        if (!r.ok()) return r.status();
        if (r->transaction_hash != hash)
          return Bad("receipt.transactionHash", "not the hash asked for");
        return std::optional<Receipt>(*std::move(r));
      });
}

absl::StatusOr<eth::Bytes> EthApi::GetCode(const eth::Address& account,
                                           const BlockTag& block) {
  return Typed<eth::Bytes>(client_, "eth_getCode",
                           json::array({account.ToLowerHex(), block.text}),
                           [](const json& j) { return Data(j, "code"); });
}

bool IsLogQueryTooLarge(const absl::Status& status) {
  if (absl::IsResourceExhausted(status)) return true;  // response too big
  // What nodes say (geth, erigon, alchemy, infura, arbitrum, anvil...).
  const std::string m = absl::AsciiStrToLower(status.message());
  for (const char* hint :
       {"query returned more than", "block range", "too many", "limit exceeded",
        "range is too large", "response size", "exceed", "-32005"})
    if (absl::StrContains(m, hint)) return true;
  return false;
}

absl::StatusOr<std::vector<Log>> EthApi::GetLogs(const LogFilter& f) {
  json filter = {{"fromBlock", eth::U256(f.from_block).ToHex()},
                 {"toBlock", eth::U256(f.to_block).ToHex()}};
  if (!f.addresses.empty()) {
    json a = json::array();
    for (const eth::Address& address : f.addresses) a.push_back(address.ToLowerHex());
    filter["address"] = a;
  }
  if (!f.topics.empty()) {
    json t = json::array();
    for (const std::vector<eth::Hash32>& set : f.topics) {
      if (set.empty()) {
        t.push_back(nullptr);
        continue;
      }
      json any = json::array();
      for (const eth::Hash32& topic : set) any.push_back(eth::ToHex(topic));
      t.push_back(any);
    }
    filter["topics"] = t;
  }
  absl::StatusOr<json> reply = client_->Call("eth_getLogs", json::array({filter}));
  if (!reply.ok()) return reply.status();
  if (!reply->is_array()) return Bad("eth_getLogs", "not an array");
  std::vector<Log> logs;
  logs.reserve(reply->size());
  for (size_t i = 0; i < reply->size(); ++i) {
    absl::StatusOr<Log> log = ParseLog((*reply)[i], absl::StrCat("logs[", i, "]"));
    if (!log.ok()) return log.status();
    logs.push_back(*std::move(log));
  }
  return logs;
}

namespace {
absl::StatusOr<BlockHeader> ParseHeader(const json& j, uint64_t number) {
  const std::string where = absl::StrCat("block ", number);
  if (j.is_null())
    return absl::NotFoundError(absl::StrCat(where, " does not exist yet"));
  if (!j.is_object()) return Bad(where, "not an object");
  BlockHeader h;
  const json* m;
  ASSIGN_OR_RETURN(m, Required(j, "number", where));
  ASSIGN_OR_RETURN(h.number, Quantity64(*m, where + ".number"));
  ASSIGN_OR_RETURN(m, Required(j, "hash", where));
  ASSIGN_OR_RETURN(h.hash, Hash(*m, where + ".hash"));
  ASSIGN_OR_RETURN(m, Required(j, "parentHash", where));
  ASSIGN_OR_RETURN(h.parent_hash, Hash(*m, where + ".parentHash"));
  ASSIGN_OR_RETURN(m, Required(j, "timestamp", where));
  ASSIGN_OR_RETURN(h.timestamp, Quantity64(*m, where + ".timestamp"));
  if (h.number != number) return Bad(where, "the node answered another block");
  return h;
}
}  // namespace

absl::StatusOr<BlockHeader> EthApi::GetBlockHeader(uint64_t number) {
  absl::StatusOr<json> reply = client_->Call(
      "eth_getBlockByNumber", json::array({eth::U256(number).ToHex(), false}));
  if (!reply.ok()) return reply.status();
  return ParseHeader(*reply, number);
}

absl::StatusOr<std::vector<BlockHeader>> EthApi::GetBlockHeaders(
    const std::vector<uint64_t>& numbers) {
  std::vector<JsonRpcRequest> batch;
  batch.reserve(numbers.size());
  for (uint64_t n : numbers)
    batch.push_back({"eth_getBlockByNumber",
                     json::array({eth::U256(n).ToHex(), false})});
  absl::StatusOr<std::vector<absl::StatusOr<json>>> replies =
      client_->Batch(batch);
  if (!replies.ok()) return replies.status();
  std::vector<BlockHeader> out;
  out.reserve(numbers.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    if (!(*replies)[i].ok()) return (*replies)[i].status();
    absl::StatusOr<BlockHeader> h = ParseHeader(*(*replies)[i], numbers[i]);
    if (!h.ok()) return h.status();
    out.push_back(*h);
  }
  return out;
}

absl::StatusOr<Receipt> EthApi::WaitForReceipt(const eth::Hash32& hash,
                                               uint64_t confirmations,
                                               absl::Duration timeout,
                                               absl::Duration poll) {
  const absl::Time deadline = clock_->Now() + timeout;
  const uint64_t needed = std::max<uint64_t>(confirmations, 1);
  std::string progress = "not mined";
  absl::Status transient;  // last node failure, reported on timeout
  while (true) {
    absl::StatusOr<std::optional<Receipt>> receipt =
        GetTransactionReceipt(hash);
    if (!receipt.ok() && !Transient(receipt.status())) return receipt.status();
    if (!receipt.ok()) {
      transient = receipt.status();
    } else if (receipt->has_value()) {
      const Receipt& r = **receipt;
      if (needed == 1) return r;
      absl::StatusOr<uint64_t> head = BlockNumber();
      if (!head.ok() && !Transient(head.status())) return head.status();
      if (!head.ok()) {
        transient = head.status();
      } else {
        uint64_t have =
            *head >= r.block_number ? *head - r.block_number + 1 : 0;
        if (have >= needed) return r;
        progress = absl::StrCat("mined in block ", r.block_number, ", ", have,
                                " of ", needed, " confirmations");
      }
    } else {
      progress = "not mined";  // also after a reorg dropped it
    }
    if (clock_->Now() + poll > deadline) {
      std::string message = absl::StrCat(
          "waiting for the receipt of ", eth::ToHex(hash), ": still ", progress,
          " after ", absl::FormatDuration(timeout));
      if (!transient.ok())
        absl::StrAppend(&message, " (last error: ", transient.message(), ")");
      return absl::DeadlineExceededError(message);
    }
    clock_->SleepFor(poll);
  }
}

}  // namespace poolops::chain
