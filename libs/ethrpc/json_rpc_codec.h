// JSON-RPC 2.0 wire format: request encoding, strict response validation,
// and the mapping of node error objects to absl::Status (with the revert
// reason of "execution reverted" errors decoded). No I/O: this is the part
// that parses outside input, and the part the fuzzer drives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/eth/bytes.h"
#include "nlohmann/json.hpp"

namespace poolops::chain {

struct JsonRpcRequest {
  std::string method;
  nlohmann::json params = nlohmann::json::array();
};

// The error object of a response. Attached as a payload to the statuses made
// by ErrorToStatus, so callers (nonce manager, revert handling) can inspect
// the node's code and data without parsing messages.
struct JsonRpcError {
  int64_t code = 0;
  std::string message;
  nlohmann::json data;  // null when absent
};

// One validated response: the result (possibly JSON null, e.g. a receipt not
// yet mined) or the node's error object.
using JsonRpcReply = std::variant<nlohmann::json, JsonRpcError>;

inline constexpr size_t kDefaultMaxResponseBytes = size_t{32} << 20;

std::string EncodeRequest(const JsonRpcRequest& request, int64_t id);
// Ids are first_id, first_id + 1, ... in request order.
std::string EncodeBatch(const std::vector<JsonRpcRequest>& requests,
                        int64_t first_id);

// Validates a single response: a JSON object with "jsonrpc": "2.0", the
// expected integer id, and exactly one of "result" / "error" (an object with
// an integer "code" and a string "message"). Anything else, and bodies over
// `max_bytes`, is an InvalidArgumentError describing the defect.
absl::StatusOr<JsonRpcReply> ParseResponse(
    absl::string_view body, int64_t id,
    size_t max_bytes = kDefaultMaxResponseBytes);

// Validates a batch response (any order) for `count` requests numbered from
// `first_id`; returns the replies in request order. Every id must answer
// exactly once. A single error object instead of an array (a node refusing
// the whole batch) becomes that error for every request.
absl::StatusOr<std::vector<JsonRpcReply>> ParseBatchResponse(
    absl::string_view body, int64_t first_id, size_t count,
    size_t max_bytes = kDefaultMaxResponseBytes);

// Maps a node error object to a status. Codes:
//   revert (code 3 or "revert" in the message)  FailedPrecondition
//   -32005 (limit exceeded / rate limited)      ResourceExhausted
//   -32601 method not found                     Unimplemented
//   -32602 invalid params                       InvalidArgument
//   -32700, -32600, -32603                      Internal
//   -32000..-32099 other server errors          FailedPrecondition
//   anything else                               Unknown
// The message is the node's, plus the decoded revert reason when the
// node's message does not already carry it, plus " [code N]".
absl::Status ErrorToStatus(const JsonRpcError& error);

// The error object attached by ErrorToStatus, if any.
std::optional<JsonRpcError> GetJsonRpcError(const absl::Status& status);

// True for node errors worth retrying after a pause (rate limits).
bool IsRetryableRpcError(const JsonRpcError& error);

// Revert data of an error object: "data" as a hex string, a "Reverted 0x.."
// string, or an object with a hex "data" member. Empty when none.
eth::Bytes RevertData(const JsonRpcError& error);

// Human-readable revert reason: Error(string) -> the string, Panic(uint256)
// -> "panic 0x11 (arithmetic overflow)", other data -> "custom error 0x..."
// with the selector. nullopt for empty data.
std::optional<std::string> DecodeRevertReason(eth::ByteView data);

// Returns `status` with `prefix` in front of its message, payloads kept.
absl::Status PrefixStatus(const absl::Status& status, absl::string_view prefix);

}  // namespace poolops::chain
