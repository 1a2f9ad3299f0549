#include "services/chain/chains/poco_generation.h"

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"
#include "libs/ethrpc/json_rpc_codec.h"

namespace poolops::chain {
namespace {

// The node ran the call and it reverted: a definite "no such function".
bool IsRevert(const absl::Status& status) {
  std::optional<JsonRpcError> e = GetJsonRpcError(status);
  return e.has_value() &&
         (e->code == 3 ||
          absl::StrContains(absl::AsciiStrToLower(e->message), "revert"));
}

}  // namespace

absl::StatusOr<PocoGeneration> DetectPocoGeneration(EthApi& eth,
                                                    const eth::Address& hub) {
  CallRequest call;
  call.to = hub;
  absl::StatusOr<eth::Bytes> data =
      eth::abi::EncodeCall("facetAddresses()", {});
  if (!data.ok()) return data.status();
  call.data = *std::move(data);
  absl::StatusOr<eth::Bytes> out = eth.CallRaw(call);
  if (!out.ok()) {
    if (IsRevert(out.status())) return PocoGeneration::kPoco5;
    return absl::Status(
        out.status().code(),
        absl::StrCat("reading which PoCo hub ", hub.ToChecksum(),
                     " runs (facetAddresses()): ", out.status().message()));
  }
  // A Diamond lists its facets; anything else (nothing, or bytes that are
  // not an address list) is not the loupe answering.
  absl::StatusOr<std::vector<eth::abi::Value>> facets =
      eth::abi::Decode({*eth::abi::ParseType("address[]")}, *out);
  if (!facets.ok()) return PocoGeneration::kPoco5;
  const auto& list = std::get<std::vector<eth::abi::Value>>((*facets)[0].v);
  return list.empty() ? PocoGeneration::kPoco5 : PocoGeneration::kPoco6;
}

}  // namespace poolops::chain
