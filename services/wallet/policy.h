// Per-wallet signing policy. Opt-in: every rule is off while its list is
// empty (or the cap unset); a rule that is on refuses what it does not list.
// Fail closed: a wallet with any rule signs EIP-191 messages only when
// allow_messages is set, and typed data whose domain lacks a field a rule
// checks (chainId included) is refused.
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

// One kind of EIP-712 data a wallet may sign, e.g. "WorkerpoolOrder with
// message.workerpool == 0x.. under {iExecODB, 5.0.0, 134, hub}". Unset
// domain fields are not checked; set ones must be present and equal.
struct TypedDataRule {
  std::optional<std::string> domain_name;
  std::optional<std::string> domain_version;
  std::optional<eth::U256> domain_chain_id;
  std::optional<eth::Address> domain_verifying_contract;
  std::string primary_type;  // required
  // Exact encodeType of the primary type when set (pins the shape, e.g.
  // "Challenge(string challenge)"); empty: not checked.
  std::string encode_type;
  // Top-level message fields and the value each must have, sorted by name.
  // Compared by the field's declared type: addresses in any case, integers
  // by value (decimal or 0x), bytes in any case, other types exactly.
  std::vector<std::pair<std::string, std::string>> message;

  friend bool operator==(const TypedDataRule&, const TypedDataRule&) = default;
};

struct Policy {
  std::vector<eth::U256> allowed_chain_ids;
  std::vector<eth::Address> allowed_to;
  std::optional<eth::U256> max_value_wei;
  std::vector<std::string> allowed_domain_names;
  std::vector<eth::Address> allowed_verifying_contracts;
  // When not empty, typed data must match one of these (on top of the
  // domain rules above).
  std::vector<TypedDataRule> typed_data_rules;
  // EIP-191 messages: allowed when the policy is empty or this is set.
  bool allow_messages = false;

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
inline constexpr std::string_view kRuleTypedDataRules = "typed_data_rules";
inline constexpr std::string_view kRuleAllowMessages = "allow_messages";

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

// EIP-712: chain id, domain name, verifying contract, then the typed-data
// rules (`typed_data` is the JSON that was hashed: its types and message are
// read for the rules). A rule that is on refuses a domain without the field
// it checks: typed data without a chainId never passes a chain rule.
std::optional<PolicyRefusal> CheckTypedData(
    const Policy& policy, std::string_view wallet,
    const eth::eip712::DomainInfo& domain, std::string_view primary_type,
    const nlohmann::json& typed_data);

// EIP-191 personal messages: refused unless the policy is empty or sets
// allow_messages.
std::optional<PolicyRefusal> CheckMessage(const Policy& policy,
                                          std::string_view wallet);

// Builds a policy from its string form (the API's), validating every entry:
// InvalidArgument naming the field and entry ("policy.allowed_to[1]: ...").
struct TypedDataRuleText {
  std::string domain_name;  // empty = not checked (same for the 3 below)
  std::string domain_version;
  std::string domain_chain_id;
  std::string domain_verifying_contract;
  std::string primary_type;
  std::string encode_type;
  std::vector<std::pair<std::string, std::string>> message;
};
struct PolicyText {
  std::vector<std::string> allowed_chain_ids;
  std::vector<std::string> allowed_to;
  std::string max_value_wei;  // empty = no cap
  std::vector<std::string> allowed_domain_names;
  std::vector<std::string> allowed_verifying_contracts;
  std::vector<TypedDataRuleText> typed_data_rules;
  bool allow_messages = false;
};
absl::StatusOr<Policy> PolicyFromText(const PolicyText& text);
PolicyText PolicyToText(const Policy& policy);

// The form stored in wallets.json: {"allowedChainIds":["134"],"allowedTo":
// [...],"maxValueWei":"..."|null,"allowedDomainNames":[...],
// "allowedVerifyingContracts":[...],"typedDataRules":[rule...],
// "allowMessages":false}, a rule being {"primaryType":"WorkerpoolOrder",
// "domain":{"name","version","chainId","verifyingContract"} (each optional),
// "encodeType":"..." (optional),"message":{"workerpool":"0x.."}}.
nlohmann::json PolicyToJson(const Policy& policy);
absl::StatusOr<Policy> PolicyFromJson(const nlohmann::json& j);
// One rule in that JSON form (the CLI's --typed-data-rule takes it too);
// `what` names it in errors ("policy.typed_data_rules[0]").
absl::StatusOr<TypedDataRuleText> TypedDataRuleTextFromJson(
    const nlohmann::json& j, std::string_view what);
nlohmann::json TypedDataRuleToJson(const TypedDataRuleText& rule);

}  // namespace poolops::wallet
