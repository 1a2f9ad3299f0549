#include "services/wallet/policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

PolicyRefusal Refuse(std::string_view rule, std::string_view what,
                     std::string_view wallet) {
  return {std::string(rule),
          absl::PermissionDeniedError(absl::StrCat(
              "policy ", std::string(rule), ": ", std::string(what),
              " for wallet ", std::string(wallet)))};
}

template <typename T>
bool Contains(const std::vector<T>& list, const T& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::optional<PolicyRefusal> CheckChain(const Policy& policy,
                                        std::string_view wallet,
                                        const eth::U256& chain_id) {
  if (policy.allowed_chain_ids.empty() ||
      Contains(policy.allowed_chain_ids, chain_id)) {
    return std::nullopt;
  }
  return Refuse(kRuleAllowedChainIds,
                absl::StrCat("chain ", chain_id.ToDecimal(), " not allowed"),
                wallet);
}

constexpr size_t kMaxPolicyEntries = 1000;
constexpr size_t kMaxDomainNameBytes = 256;

absl::Status CheckCount(std::string_view field, size_t n) {
  if (n > kMaxPolicyEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy.", std::string(field), ": at most ",
                     kMaxPolicyEntries, " entries"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<eth::Address>> ParseAddresses(
    std::string_view field, const std::vector<std::string>& in) {
  if (absl::Status s = CheckCount(field, in.size()); !s.ok()) return s;
  std::vector<eth::Address> out;
  for (size_t i = 0; i < in.size(); ++i) {
    absl::StatusOr<eth::Address> a = eth::Address::Parse(
        in[i], absl::StrCat("policy.", std::string(field), "[", i, "]"));
    if (!a.ok()) return a.status();
    if (!Contains(out, *a)) out.push_back(*a);
  }
  return out;
}

std::vector<std::string> AddressStrings(const std::vector<eth::Address>& in) {
  std::vector<std::string> out;
  for (const eth::Address& a : in) out.push_back(a.ToChecksum());
  return out;
}

std::vector<std::string> JsonStrings(const nlohmann::json& j,
                                     std::string_view key, absl::Status* err) {
  std::vector<std::string> out;
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) {
    *err = absl::InvalidArgumentError(absl::StrCat(
        "policy.", std::string(key), ": want an array of strings"));
    return out;
  }
  for (const nlohmann::json& e : *it) {
    if (!e.is_string()) {
      *err = absl::InvalidArgumentError(absl::StrCat(
          "policy.", std::string(key), ": want an array of strings"));
      return {};
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

bool Policy::empty() const {
  return allowed_chain_ids.empty() && allowed_to.empty() &&
         !max_value_wei.has_value() && allowed_domain_names.empty() &&
         allowed_verifying_contracts.empty();
}

std::optional<PolicyRefusal> CheckTransaction(const Policy& policy,
                                              std::string_view wallet,
                                              const eth::Transaction& tx) {
  if (auto r = CheckChain(policy, wallet, tx.chain_id)) return r;
  if (!policy.allowed_to.empty()) {
    if (!tx.to.has_value()) {
      return Refuse(kRuleAllowedTo, "contract creation not allowed", wallet);
    }
    if (!Contains(policy.allowed_to, *tx.to)) {
      return Refuse(
          kRuleAllowedTo,
          absl::StrCat("recipient ", tx.to->ToChecksum(), " not allowed"),
          wallet);
    }
  }
  if (policy.max_value_wei.has_value() && tx.value > *policy.max_value_wei) {
    return Refuse(
        kRuleMaxValueWei,
        absl::StrCat("value ", tx.value.ToDecimal(), " wei exceeds the cap of ",
                     policy.max_value_wei->ToDecimal(), " wei"),
        wallet);
  }
  return std::nullopt;
}

std::optional<PolicyRefusal> CheckTypedData(
    const Policy& policy, std::string_view wallet,
    const eth::eip712::DomainInfo& domain) {
  if (!policy.allowed_chain_ids.empty() && !domain.chain_id.empty()) {
    absl::StatusOr<eth::U256> chain = eth::U256::Parse(domain.chain_id);
    if (!chain.ok()) {
      return Refuse(
          kRuleAllowedChainIds,
          absl::StrCat("domain chainId ", domain.chain_id, " not allowed"),
          wallet);
    }
    if (auto r = CheckChain(policy, wallet, *chain)) return r;
  }
  if (!policy.allowed_domain_names.empty() &&
      !Contains(policy.allowed_domain_names, domain.name)) {
    return Refuse(
        kRuleAllowedDomainNames,
        domain.name.empty()
            ? std::string("a domain without a name is not allowed")
            : absl::StrCat("domain \"", domain.name, "\" not allowed"),
        wallet);
  }
  if (!policy.allowed_verifying_contracts.empty()) {
    absl::StatusOr<eth::Address> contract =
        domain.verifying_contract.empty()
            ? absl::StatusOr<eth::Address>(
                  absl::InvalidArgumentError("no verifying contract"))
            : eth::Address::Parse(domain.verifying_contract);
    if (!contract.ok()) {
      return Refuse(kRuleAllowedVerifyingContracts,
                    "a domain without a verifying contract is not allowed",
                    wallet);
    }
    if (!Contains(policy.allowed_verifying_contracts, *contract)) {
      return Refuse(kRuleAllowedVerifyingContracts,
                    absl::StrCat("verifying contract ", contract->ToChecksum(),
                                 " not allowed"),
                    wallet);
    }
  }
  return std::nullopt;
}

absl::StatusOr<Policy> PolicyFromText(const PolicyText& text) {
  Policy policy;
  if (absl::Status s =
          CheckCount(kRuleAllowedChainIds, text.allowed_chain_ids.size());
      !s.ok()) {
    return s;
  }
  for (size_t i = 0; i < text.allowed_chain_ids.size(); ++i) {
    std::string what = absl::StrCat("policy.allowed_chain_ids[", i, "]");
    absl::StatusOr<eth::U256> id =
        eth::U256::Parse(text.allowed_chain_ids[i], what);
    if (!id.ok()) return id.status();
    if (id->IsZero()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": must be > 0"));
    }
    if (!Contains(policy.allowed_chain_ids, *id)) {
      policy.allowed_chain_ids.push_back(*id);
    }
  }
  absl::StatusOr<std::vector<eth::Address>> to =
      ParseAddresses(kRuleAllowedTo, text.allowed_to);
  if (!to.ok()) return to.status();
  policy.allowed_to = std::move(*to);
  if (!text.max_value_wei.empty()) {
    absl::StatusOr<eth::U256> cap =
        eth::U256::Parse(text.max_value_wei, "policy.max_value_wei");
    if (!cap.ok()) return cap.status();
    policy.max_value_wei = *cap;
  }
  if (absl::Status s =
          CheckCount(kRuleAllowedDomainNames, text.allowed_domain_names.size());
      !s.ok()) {
    return s;
  }
  for (size_t i = 0; i < text.allowed_domain_names.size(); ++i) {
    const std::string& name = text.allowed_domain_names[i];
    if (name.empty() || name.size() > kMaxDomainNameBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("policy.allowed_domain_names[", i, "]: want 1 to ",
                       kMaxDomainNameBytes, " bytes"));
    }
    if (!Contains(policy.allowed_domain_names, name)) {
      policy.allowed_domain_names.push_back(name);
    }
  }
  absl::StatusOr<std::vector<eth::Address>> contracts = ParseAddresses(
      kRuleAllowedVerifyingContracts, text.allowed_verifying_contracts);
  if (!contracts.ok()) return contracts.status();
  policy.allowed_verifying_contracts = std::move(*contracts);
  return policy;
}

PolicyText PolicyToText(const Policy& policy) {
  PolicyText text;
  for (const eth::U256& id : policy.allowed_chain_ids) {
    text.allowed_chain_ids.push_back(id.ToDecimal());
  }
  text.allowed_to = AddressStrings(policy.allowed_to);
  if (policy.max_value_wei)
    text.max_value_wei = policy.max_value_wei->ToDecimal();
  text.allowed_domain_names = policy.allowed_domain_names;
  text.allowed_verifying_contracts =
      AddressStrings(policy.allowed_verifying_contracts);
  return text;
}

nlohmann::json PolicyToJson(const Policy& policy) {
  PolicyText text = PolicyToText(policy);
  nlohmann::json j = {
      {"allowedChainIds", text.allowed_chain_ids},
      {"allowedTo", text.allowed_to},
      {"maxValueWei", nullptr},
      {"allowedDomainNames", text.allowed_domain_names},
      {"allowedVerifyingContracts", text.allowed_verifying_contracts},
  };
  if (policy.max_value_wei) j["maxValueWei"] = text.max_value_wei;
  return j;
}

absl::StatusOr<Policy> PolicyFromJson(const nlohmann::json& j) {
  if (j.is_null()) return Policy{};
  if (!j.is_object()) {
    return absl::InvalidArgumentError("policy: want an object");
  }
  absl::Status err;
  PolicyText text;
  text.allowed_chain_ids = JsonStrings(j, "allowedChainIds", &err);
  text.allowed_to = JsonStrings(j, "allowedTo", &err);
  text.allowed_domain_names = JsonStrings(j, "allowedDomainNames", &err);
  text.allowed_verifying_contracts =
      JsonStrings(j, "allowedVerifyingContracts", &err);
  if (!err.ok()) return err;
  if (auto it = j.find("maxValueWei"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) {
      return absl::InvalidArgumentError(
          "policy.maxValueWei: want a decimal string");
    }
    text.max_value_wei = it->get<std::string>();
    if (text.max_value_wei.empty()) {
      return absl::InvalidArgumentError(
          "policy.maxValueWei: want a decimal string");
    }
  }
  return PolicyFromText(text);
}

}  // namespace poolops::wallet
