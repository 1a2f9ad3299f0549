// Arbitrary bytes as a JSON-RPC response body, single and batch, then the
// error mapping (revert decoding) on whatever error objects come out.
// Must never crash, hang or allocate without bound. Accepted: the body is a
// reply to request 1 (or to the batch 1..3), and the revert data of its
// error objects, if any, decodes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "absl/strings/match.h"
#include "libs/ethrpc/json_rpc_codec.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// False when the reply is an error whose revert data does not decode.
bool Exercise(const poolops::chain::JsonRpcReply& reply) {
  const auto* e = std::get_if<poolops::chain::JsonRpcError>(&reply);
  if (e == nullptr) return true;
  absl::Status s = poolops::chain::ErrorToStatus(*e);
  (void)poolops::chain::GetJsonRpcError(s);
  (void)poolops::chain::PrefixStatus(s, "eth_call at http://127.0.0.1:1: ");
  std::optional<std::string> reason =
      poolops::chain::DecodeRevertReason(poolops::chain::RevertData(*e));
  return !reason.has_value() ||
         !absl::EndsWith(*reason, "with a malformed payload");
}

}  // namespace

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto single =
      poolops::chain::ParseResponse(body, /*id=*/1, /*max_bytes=*/1 << 20);
  bool accepted = single.ok() && Exercise(*single);
  auto batch = poolops::chain::ParseBatchResponse(body, /*first_id=*/1,
                                                  /*count=*/3, 1 << 20);
  if (batch.ok()) {
    bool all = true;
    for (const auto& r : *batch) all = Exercise(r) && all;
    accepted = accepted || all;
  }
  // Raw bytes as revert data too (the payload after a hex decode).
  (void)poolops::chain::DecodeRevertReason(poolops::eth::ByteView(data, size));
  return accepted;
}
