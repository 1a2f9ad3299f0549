// A signed workerpool order as the iExec market API receives, stores and
// returns it, and its orderHash: the EIP-712 digest under the hub's domain
// {name "iExecODB", version "5.0.0", chainId, verifyingContract = hub}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "nlohmann/json.hpp"

namespace poolops::iexec {

struct WorkerpoolOrder {
  eth::Address workerpool;
  uint64_t workerpoolprice = 0;  // nRLC per task
  uint64_t volume = 1;
  std::string tag;  // "0x" + 64 lowercase hex digits
  uint64_t category = 0;
  uint64_t trust = 0;
  eth::Address apprestrict;
  eth::Address datasetrestrict;
  eth::Address requesterrestrict;
  std::string salt;  // "0x" + 64 lowercase hex digits
  std::string sign;  // as received ("0x..."), not part of the hash

  friend bool operator==(const WorkerpoolOrder&,
                         const WorkerpoolOrder&) = default;
};

// The hub's EIP-712 domain for orders.
struct OrderDomain {
  uint64_t chain_id = 0;
  eth::Address hub;
};

// Validates `order` as the API's signed workerpool order schema: every field
// required, numbers as JSON numbers or numeric strings (0..2^53-1, volume
// >= 1), addresses in any case, tag and salt bytes32 (lowercased), sign
// "0x...". Errors are InvalidArgumentError with the API's messages, fields
// named "<path>.<field>" (e.g. "order.volume must be greater than or equal
// to 1").
absl::StatusOr<WorkerpoolOrder> ParseSignedWorkerpoolOrder(
    const nlohmann::json& order, std::string_view path = "order");

// The order as the API returns it: numbers as JSON numbers, addresses EIP-55,
// hex lowercase.
nlohmann::json WorkerpoolOrderToJson(const WorkerpoolOrder& order);

// EIP-712 typed data ({types, domain, primaryType, message}) of any iExec
// order type under the hub's domain: `members` in the contract's order
// (name, type), `message` with numbers as decimal strings.
nlohmann::json OrderTypedData(
    const char* primary_type,
    const std::vector<std::pair<const char*, const char*>>& members,
    nlohmann::json message, const OrderDomain& domain);

// EIP-712 typed data ({types, domain, primaryType, message}) of the order.
nlohmann::json WorkerpoolOrderTypedData(const WorkerpoolOrder& order,
                                        const OrderDomain& domain);

// orderHash = keccak256(0x1901 ‖ domainSeparator ‖ structHash).
absl::StatusOr<eth::Hash32> WorkerpoolOrderHash(const WorkerpoolOrder& order,
                                                const OrderDomain& domain);

// Tag bit sets: `tag` has every bit of `required`; `tag`'s bits are all in
// `allowed`. Arguments are bytes32 hex strings (assumed valid).
bool TagIncludes(std::string_view tag, std::string_view required);
bool TagWithin(std::string_view tag, std::string_view allowed);

}  // namespace poolops::iexec
