// Per-wallet signing policy. Opt-in: every rule is off while its list is
// empty (or the cap unset); a rule that is on refuses what it does not list.
// Refusals are PermissionDenied errors that name the rule and the wallet, e.g.
// "policy allowed_chain_ids: chain 5 not allowed for wallet core".
// Plain values, no locking: the vault owns copies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/eip712.h"
#include "libs/eth/transaction.h"
#include "libs/eth/uint256.h"
#include "nlohmann/json_fwd.hpp"

namespace poolops::wallet {

struct Policy {
  std::vector<eth::U256> allowed_chain_ids;
  std::vector<eth::Address> allowed_to;
  std::optional<eth::U256> max_value_wei;
  std::vector<std::string> allowed_domain_names;
  std::vector<eth::Address> allowed_verifying_contracts;

  bool empty() const;
  friend bool operator==(const Policy&, const Policy&) = default;
};

// Rule names, as they appear in refusals and audit records.
inline constexpr std::string_view kRuleAllowedChainIds = "allowed_chain_ids";
inline constexpr std::string_view kRuleAllowedTo = "allowed_to";
inline constexpr std::string_view kRuleMaxValueWei = "max_value_wei";
inline constexpr std::string_view kRuleAllowedDomainNames =
    "allowed_domain_names";
inline constexpr std::string_view kRuleAllowedVerifyingContracts =
    "allowed_verifying_contracts";

// Why a policy refused: the rule and the PermissionDenied status to return.
struct PolicyRefusal {
  std::string rule;
  absl::Status status;
};

// Transactions: chain id, recipient (a contract creation is refused when
// allowed_to is on) and value cap.
std::optional<PolicyRefusal> CheckTransaction(const Policy& policy,
                                              std::string_view wallet,
                                              const eth::Transaction& tx);

// EIP-712: domain name, verifying contract, and chain id when the domain has
// one. A rule that is on refuses a domain without the field it checks.
std::optional<PolicyRefusal> CheckTypedData(
    const Policy& policy, std::string_view wallet,
    const eth::eip712::DomainInfo& domain);

// Builds a policy from its string form (the API's), validating every entry:
// InvalidArgument naming the field and entry ("policy.allowed_to[1]: ...").
struct PolicyText {
  std::vector<std::string> allowed_chain_ids;
  std::vector<std::string> allowed_to;
  std::string max_value_wei;  // empty = no cap
  std::vector<std::string> allowed_domain_names;
  std::vector<std::string> allowed_verifying_contracts;
};
absl::StatusOr<Policy> PolicyFromText(const PolicyText& text);
PolicyText PolicyToText(const Policy& policy);

// The form stored in wallets.json: {"allowedChainIds":["134"],"allowedTo":
// [...],"maxValueWei":"..."|null,"allowedDomainNames":[...],
// "allowedVerifyingContracts":[...]}.
nlohmann::json PolicyToJson(const Policy& policy);
absl::StatusOr<Policy> PolicyFromJson(const nlohmann::json& j);

}  // namespace poolops::wallet
