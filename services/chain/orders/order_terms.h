// What an operator chooses for a workerpool order, turned into the order the
// iExec 8.x SDK would build (`createWorkerpoolorder` defaults: price 0,
// volume 1, category 0, trust 0, tag 0x0…0, restricts 0x0): tag names
// encoded as the SDK does, amounts with units, a fresh CSPRNG salt. Errors
// are InvalidArgument naming the field (`--price`-style names are the CLI's
// business; here the order's field names).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/common/random.h"
#include "libs/eth/units.h"
#include "libs/iexec/workerpool_order.h"
#include "services/chain/chains/poco_generation.h"

namespace poolops::chain {

// Every field as typed; empty = the SDK's default.
struct OrderTermsInput {
  std::string workerpool;  // required
  std::string price;       // decimal, in `price_unit`
  eth::Unit price_unit = eth::Unit::kNRlc;
  std::string volume;
  std::string category;
  std::string tag;  // "tee,scone" names or a bytes32 hex
  std::string trust;
  std::string app_restrict;
  std::string dataset_restrict;
  std::string requester_restrict;
};

// The market API stores numbers as JS numbers: 2^53 - 1 at most.
inline constexpr uint64_t kMaxOrderNumber = (uint64_t{1} << 53) - 1;

// Tag bits (sdk utils.js TAG_MAP): tee 0, scone 1, gramine 2, tdx 3, gpu 8.
// Accepts comma-separated names (any case, spaces ignored) or a bytes32 hex,
// and applies the SDK's workerpool-order rules: `tee` needs exactly one
// framework (scone, gramine, tdx), a framework needs `tee`, frameworks are
// exclusive. Returns "0x" + 64 lowercase hex digits; "" gives zero.
absl::StatusOr<std::string> EncodeTag(std::string_view tag);

// The names of the known bits set in a bytes32 tag ("tee,scone"); unknown
// bits appear as "bit<N>".
std::string DescribeTag(std::string_view tag_hex);

// The tag of TDX orders: tee + tdx.
inline constexpr char kTdxTag[] =
    "0x0000000000000000000000000000000000000000000000000000000000000009";

// Whether the tag sets a TEE bit (tee, scone, gramine, tdx): only such tags
// depend on the chain's PoCo (CheckTagOnChain), so only they need it read.
bool TagHasTeeBits(std::string_view tag_hex);

// What the chain's PoCo accepts beyond the SDK's tag rules. iExec v9 (PoCo
// 6) removed SGX, so scone and gramine are refused there (SDK 9 refuses them
// too), and its TEE is TDX, whose orders need trust >= 1 (iExec's TEE
// docs). PoCo 5 (Bellecour) keeps SGX and today's rules. InvalidArgument
// saying why and what to use instead; `hub` names the chain's hub.
absl::Status CheckTagOnChain(std::string_view tag_hex, uint64_t trust,
                             PocoGeneration generation,
                             const eth::Address& hub);

// "0x" + 64 lowercase hex digits from `random`.
absl::StatusOr<std::string> NewSalt(Random* random);

// The unsigned order (sign empty) with a fresh salt.
absl::StatusOr<iexec::WorkerpoolOrder> BuildWorkerpoolOrder(
    const OrderTermsInput& terms, Random* random);

// The locked stake the protocol asks of the workerpool owner per task:
// price × 30 / 100 (PoCo WORKERPOOL_STAKE_RATIO, the market's check).
eth::U256 StakePerTask(uint64_t workerpoolprice);

}  // namespace poolops::chain
