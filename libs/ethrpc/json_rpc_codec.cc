#include "libs/ethrpc/json_rpc_codec.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/bounded_json.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/eth/uint256.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

constexpr char kErrorPayloadUrl[] = "type.poolops.dev/jsonrpc.error";
// Real responses nest a handful of levels; a cap keeps hostile input from
// exhausting the stack in nlohmann's recursive copy/destroy paths.
constexpr int kMaxDepth = 128;
// Node messages and revert strings are outside input: bound what lands in logs.
constexpr size_t kMaxMessageChars = 1024;
constexpr uint8_t kErrorSelector[4] = {0x08, 0xc3, 0x79,
                                       0xa0};  // Error(string)
constexpr uint8_t kPanicSelector[4] = {0x4e, 0x48, 0x7b,
                                       0x71};  // Panic(uint256)

bool ContainsIgnoreCase(absl::string_view haystack, absl::string_view needle) {
  return absl::StrContains(absl::AsciiStrToLower(haystack),
                           absl::AsciiStrToLower(needle));
}

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed JSON-RPC response: ", why));
}

// Printable ASCII only, bounded: messages may come from a hostile node.
std::string Sanitize(absl::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxMessageChars)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    }
  }
  if (text.size() > kMaxMessageChars) out += "...";
  return out;
}

std::string Snippet(absl::string_view body) {
  return absl::StrCat("\"", Sanitize(body.substr(0, 80)),
                      body.size() > 80 ? "...\"" : "\"");
}

absl::StatusOr<json> ParseJson(absl::string_view body, size_t max_bytes) {
  absl::StatusOr<json> j =
      ParseBoundedJson(std::string_view(body.data(), body.size()),
                       {.max_bytes = max_bytes, .max_depth = kMaxDepth}, "");
  if (j.ok()) return j;
  std::string why(j.status().message());
  if (absl::StartsWith(why, "not JSON"))
    absl::StrAppend(&why, ": ", Snippet(body));
  return Malformed(why);
}

std::optional<int64_t> AsInt64(const json& j) {
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (j.is_number_integer()) return j.get<int64_t>();
  return std::nullopt;
}

// dump() throws on invalid UTF-8 unless told otherwise.
std::string Dump(const json& j) { return DumpJson(j); }

// Validates the envelope of one response object. `id_out` receives the id
// (nullopt for a null id, allowed only with an error).
absl::StatusOr<JsonRpcReply> ParseEnvelope(const json& j,
                                           std::optional<int64_t>* id_out) {
  if (!j.is_object()) return Malformed("not a JSON object");
  auto version = j.find("jsonrpc");
  if (version == j.end() || !version->is_string() ||
      version->get_ref<const std::string&>() != "2.0")
    return Malformed("\"jsonrpc\" is not \"2.0\"");
  auto id = j.find("id");
  if (id == j.end()) return Malformed("no \"id\"");
  auto result = j.find("result");
  auto error = j.find("error");
  if (result != j.end() && error != j.end())
    return Malformed("both \"result\" and \"error\"");
  if (result == j.end() && error == j.end())
    return Malformed("neither \"result\" nor \"error\"");
  if (id->is_null()) {
    if (result != j.end()) return Malformed("null \"id\" with a result");
    *id_out = std::nullopt;
  } else {
    std::optional<int64_t> n = AsInt64(*id);
    if (!n.has_value()) return Malformed("\"id\" is not an integer");
    *id_out = n;
  }
  if (result != j.end()) return JsonRpcReply(*result);
  if (!error->is_object()) return Malformed("\"error\" is not an object");
  auto code = error->find("code");
  auto message = error->find("message");
  if (code == error->end() || !AsInt64(*code).has_value())
    return Malformed("error \"code\" is not an integer");
  if (message == error->end() || !message->is_string())
    return Malformed("error \"message\" is not a string");
  JsonRpcError e;
  e.code = *AsInt64(*code);
  e.message = message->get<std::string>();
  auto data = error->find("data");
  if (data != error->end()) e.data = *data;
  return JsonRpcReply(std::move(e));
}

absl::string_view PanicMeaning(uint64_t code) {
  switch (code) {
    case 0x00:
      return "generic panic";
    case 0x01:
      return "assertion failed";
    case 0x11:
      return "arithmetic overflow or underflow";
    case 0x12:
      return "division or modulo by zero";
    case 0x21:
      return "invalid enum value";
    case 0x22:
      return "invalid storage byte array encoding";
    case 0x31:
      return "pop on an empty array";
    case 0x32:
      return "array index out of bounds";
    case 0x41:
      return "out of memory";
    case 0x51:
      return "call to a zero-initialized function";
    default:
      return "unknown panic code";
  }
}

absl::StatusCode CodeFor(const JsonRpcError& e, bool revert) {
  if (revert) return absl::StatusCode::kFailedPrecondition;
  switch (e.code) {
    case -32005:
      return absl::StatusCode::kResourceExhausted;
    case -32601:
      return absl::StatusCode::kUnimplemented;
    case -32602:
      return absl::StatusCode::kInvalidArgument;
    case -32700:
    case -32600:
    case -32603:
      return absl::StatusCode::kInternal;
    default:
      break;
  }
  if (e.code <= -32000 && e.code >= -32099)
    return absl::StatusCode::kFailedPrecondition;
  return absl::StatusCode::kUnknown;
}

}  // namespace

std::string EncodeRequest(const JsonRpcRequest& request, int64_t id) {
  json j = {{"jsonrpc", "2.0"},
            {"id", id},
            {"method", request.method},
            {"params", request.params}};
  return Dump(j);
}

std::string EncodeBatch(const std::vector<JsonRpcRequest>& requests,
                        int64_t first_id) {
  json batch = json::array();
  for (size_t i = 0; i < requests.size(); ++i) {
    batch.push_back({{"jsonrpc", "2.0"},
                     {"id", first_id + static_cast<int64_t>(i)},
                     {"method", requests[i].method},
                     {"params", requests[i].params}});
  }
  return Dump(batch);
}

absl::StatusOr<JsonRpcReply> ParseResponse(absl::string_view body, int64_t id,
                                           size_t max_bytes) {
  absl::StatusOr<json> j = ParseJson(body, max_bytes);
  if (!j.ok()) return j.status();
  std::optional<int64_t> got;
  absl::StatusOr<JsonRpcReply> reply = ParseEnvelope(*j, &got);
  if (!reply.ok()) return reply;
  if (got.has_value() && *got != id)
    return Malformed(absl::StrCat("\"id\" ", *got, " does not match ", id));
  return reply;
}

absl::StatusOr<std::vector<JsonRpcReply>> ParseBatchResponse(
    absl::string_view body, int64_t first_id, size_t count, size_t max_bytes) {
  absl::StatusOr<json> j = ParseJson(body, max_bytes);
  if (!j.ok()) return j.status();
  if (j->is_object()) {
    // A node refusing the whole batch answers one error object.
    std::optional<int64_t> got;
    absl::StatusOr<JsonRpcReply> reply = ParseEnvelope(*j, &got);
    if (!reply.ok()) return reply.status();
    if (!std::holds_alternative<JsonRpcError>(*reply))
      return Malformed("an object with a result in answer to a batch");
    return std::vector<JsonRpcReply>(count, *reply);
  }
  if (!j->is_array()) return Malformed("batch answer is not an array");
  if (j->size() != count)
    return Malformed(absl::StrCat("batch of ", count, " answered with ",
                                  j->size(), " responses"));
  std::vector<std::optional<JsonRpcReply>> slots(count);
  for (const json& item : *j) {
    std::optional<int64_t> got;
    absl::StatusOr<JsonRpcReply> reply = ParseEnvelope(item, &got);
    if (!reply.ok()) return reply.status();
    if (!got.has_value())
      return Malformed("a batch response with a null \"id\"");
    if (*got < first_id || *got - first_id >= static_cast<int64_t>(count))
      return Malformed(absl::StrCat("unexpected \"id\" ", *got, " in batch"));
    std::optional<JsonRpcReply>& slot = slots[*got - first_id];
    if (slot.has_value())
      return Malformed(absl::StrCat("\"id\" ", *got, " answered twice"));
    slot = *std::move(reply);
  }
  std::vector<JsonRpcReply> out;
  out.reserve(count);
  for (auto& slot : slots) out.push_back(*std::move(slot));  // all filled
  return out;
}

eth::Bytes RevertData(const JsonRpcError& error) {
  const json* data = &error.data;
  if (data->is_object()) {
    auto inner = data->find("data");
    if (inner == data->end()) return {};
    data = &*inner;
  }
  if (!data->is_string()) return {};
  absl::string_view text = data->get_ref<const std::string&>();
  if (absl::StartsWith(text, "Reverted ")) text.remove_prefix(9);
  if (!absl::StartsWith(text, "0x")) return {};
  absl::StatusOr<eth::Bytes> bytes =
      eth::FromHex(std::string_view(text.data(), text.size()));
  return bytes.ok() ? *std::move(bytes) : eth::Bytes{};
}

std::optional<std::string> DecodeRevertReason(eth::ByteView data) {
  if (data.empty()) return std::nullopt;
  if (data.size() < 4) return absl::StrCat("revert data ", eth::ToHex(data));
  eth::ByteView selector = data.subspan(0, 4);
  eth::ByteView args = data.subspan(4);
  if (std::equal(selector.begin(), selector.end(), kErrorSelector)) {
    absl::StatusOr<eth::abi::Type> t = eth::abi::ParseType("string");
    if (t.ok()) {
      auto values = eth::abi::Decode({*t}, args);
      if (values.ok() && values->size() == 1 &&
          std::holds_alternative<std::string>((*values)[0].v))
        return Sanitize(std::get<std::string>((*values)[0].v));
    }
    return std::string("Error(string) with a malformed payload");
  }
  if (std::equal(selector.begin(), selector.end(), kPanicSelector)) {
    if (args.size() == 32) {
      absl::StatusOr<eth::U256> code = eth::U256::FromBytesBE(args);
      if (code.ok()) {
        absl::string_view meaning = code->FitsUint64()
                                        ? PanicMeaning(code->low64())
                                        : "unknown panic code";
        return absl::StrCat("panic ", code->ToHex(), " (", meaning, ")");
      }
    }
    return std::string("Panic(uint256) with a malformed payload");
  }
  return absl::StrCat("custom error ", eth::ToHex(selector), " with ",
                      args.size(), " bytes of arguments");
}

absl::Status ErrorToStatus(const JsonRpcError& error) {
  bool revert = error.code == 3 || ContainsIgnoreCase(error.message, "revert");
  std::string message = Sanitize(error.message);
  if (revert) {
    std::optional<std::string> reason = DecodeRevertReason(RevertData(error));
    if (reason.has_value() && !absl::StrContains(message, *reason))
      absl::StrAppend(&message, ": ", *reason);
  }
  absl::StrAppend(&message, " [code ", error.code, "]");
  absl::Status status(CodeFor(error, revert), message);
  json payload = {
      {"code", error.code}, {"message", error.message}, {"data", error.data}};
  status.SetPayload(kErrorPayloadUrl, absl::Cord(Dump(payload)));
  return status;
}

std::optional<JsonRpcError> GetJsonRpcError(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  // Written by ErrorToStatus from a parsed (bounded) answer.
  absl::StatusOr<json> parsed =
      ParseBoundedJson(std::string(*payload), {.max_depth = kMaxDepth}, "");
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json& j = *parsed;
  try {
    JsonRpcError e;
    e.code = j.at("code").get<int64_t>();
    e.message = j.at("message").get<std::string>();
    e.data = j.at("data");
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool IsRetryableRpcError(const JsonRpcError& error) {
  return error.code == -32005 ||
         ContainsIgnoreCase(error.message, "rate limit") ||
         ContainsIgnoreCase(error.message, "too many requests");
}

absl::Status PrefixStatus(const absl::Status& status,
                          absl::string_view prefix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& p) {
    out.SetPayload(url, p);
  });
  return out;
}

}  // namespace poolops::chain
