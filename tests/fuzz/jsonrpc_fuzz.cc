// Arbitrary bytes as a JSON-RPC response body, single and batch, then the
// error mapping (revert decoding) on whatever error objects come out.
// Must never crash, hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "libs/ethrpc/json_rpc_codec.h"

namespace {

void Exercise(const poolops::chain::JsonRpcReply& reply) {
  if (const auto* e = std::get_if<poolops::chain::JsonRpcError>(&reply)) {
    absl::Status s = poolops::chain::ErrorToStatus(*e);
    (void)poolops::chain::GetJsonRpcError(s);
    (void)poolops::chain::PrefixStatus(s, "eth_call at http://127.0.0.1:1: ");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto single =
      poolops::chain::ParseResponse(body, /*id=*/1, /*max_bytes=*/1 << 20);
  if (single.ok()) Exercise(*single);
  auto batch = poolops::chain::ParseBatchResponse(body, /*first_id=*/1,
                                                  /*count=*/3, 1 << 20);
  if (batch.ok()) {
    for (const auto& r : *batch) Exercise(r);
  }
  // Raw bytes as revert data too (the payload after a hex decode).
  (void)poolops::chain::DecodeRevertReason(poolops::eth::ByteView(data, size));
  return 0;
}
