#include "services/wallet/policy.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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

constexpr size_t kMaxRules = 100;
constexpr size_t kMaxRuleFields = 64;
constexpr size_t kMaxFieldValueBytes = 256;
constexpr size_t kMaxEncodeTypeBytes = 4096;

// Outside text quoted in a refusal: at most 64 bytes, printable ASCII.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64)) {
    out += absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_') {
    return false;
  }
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

// A message value in a canonical form for its EIP-712 type, or nullopt when
// it cannot be compared (structs, arrays, malformed values).
std::optional<std::string> Canonical(const std::string& type,
                                     const nlohmann::json& v) {
  if (type == "address") {
    if (!v.is_string()) return std::nullopt;
    absl::StatusOr<eth::Address> a =
        eth::Address::Parse(absl::AsciiStrToLower(v.get<std::string>()));
    if (!a.ok()) return std::nullopt;
    return a->ToChecksum();
  }
  if (absl::StartsWith(type, "uint") || absl::StartsWith(type, "int")) {
    std::string text;
    if (v.is_number_unsigned()) {
      text = std::to_string(v.get<uint64_t>());
    } else if (v.is_string()) {
      text = v.get<std::string>();
    } else {
      return std::nullopt;
    }
    absl::StatusOr<eth::U256> n = eth::U256::Parse(text);
    if (!n.ok()) return text;  // negative ints: compared as written
    return n->ToDecimal();
  }
  if (absl::StartsWith(type, "bytes")) {
    if (!v.is_string()) return std::nullopt;
    return absl::AsciiStrToLower(v.get<std::string>());
  }
  if (type == "bool") {
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_string()) return v.get<std::string>();
    return std::nullopt;
  }
  if (type == "string" && v.is_string()) return v.get<std::string>();
  return std::nullopt;
}

// Why `rule` does not match, or "" when it does.
std::string RuleMismatch(const TypedDataRule& rule,
                         const eth::eip712::DomainInfo& domain,
                         std::string_view primary_type,
                         const nlohmann::json& typed_data) {
  if (primary_type != rule.primary_type) {
    return absl::StrCat("primaryType ", Quote(primary_type), " is not ",
                        rule.primary_type);
  }
  if (rule.domain_name && domain.name != *rule.domain_name) {
    return absl::StrCat("domain name ", Quote(domain.name), " is not ",
                        Quote(*rule.domain_name));
  }
  if (rule.domain_version && domain.version != *rule.domain_version) {
    return absl::StrCat("domain version ", Quote(domain.version), " is not ",
                        Quote(*rule.domain_version));
  }
  if (rule.domain_chain_id) {
    absl::StatusOr<eth::U256> chain = eth::U256::Parse(domain.chain_id);
    if (domain.chain_id.empty() || !chain.ok()) return "no domain chainId";
    if (*chain != *rule.domain_chain_id) {
      return absl::StrCat("domain chainId ", domain.chain_id, " is not ",
                          rule.domain_chain_id->ToDecimal());
    }
  }
  if (rule.domain_verifying_contract) {
    absl::StatusOr<eth::Address> c =
        eth::Address::Parse(absl::AsciiStrToLower(domain.verifying_contract));
    if (domain.verifying_contract.empty() || !c.ok()) {
      return "no domain verifyingContract";
    }
    if (*c != *rule.domain_verifying_contract) {
      return absl::StrCat("domain verifyingContract ", c->ToChecksum(),
                          " is not ",
                          rule.domain_verifying_contract->ToChecksum());
    }
  }
  const nlohmann::json* types = nullptr;
  if (typed_data.is_object() && typed_data.contains("types")) {
    types = &typed_data["types"];
  }
  if (!rule.encode_type.empty()) {
    absl::StatusOr<std::string> encoded =
        types == nullptr ? absl::StatusOr<std::string>(
                               absl::InvalidArgumentError("no types"))
                         : eth::eip712::EncodeType(*types, primary_type);
    if (!encoded.ok() || *encoded != rule.encode_type) {
      return absl::StrCat("the type of ", rule.primary_type,
                          " is not the expected shape ",
                          Quote(rule.encode_type));
    }
  }
  if (rule.message.empty()) return "";
  const nlohmann::json* fields = nullptr;
  if (types != nullptr && types->is_object() &&
      types->contains(rule.primary_type)) {
    fields = &(*types)[rule.primary_type];
  }
  const nlohmann::json* message = nullptr;
  if (typed_data.is_object() && typed_data.contains("message") &&
      typed_data["message"].is_object()) {
    message = &typed_data["message"];
  }
  for (const auto& [name, want] : rule.message) {
    std::string type;
    if (fields != nullptr && fields->is_array()) {
      for (const nlohmann::json& f : *fields) {
        if (f.is_object() && f.value("name", "") == name &&
            f.contains("type") && f["type"].is_string()) {
          type = f["type"].get<std::string>();
        }
      }
    }
    if (type.empty() || message == nullptr || !message->contains(name)) {
      return absl::StrCat("no message.", name);
    }
    std::optional<std::string> got = Canonical(type, (*message)[name]);
    std::optional<std::string> expected = Canonical(type, nlohmann::json(want));
    if (!got || !expected || *got != *expected) {
      return absl::StrCat("message.", name, " is not ", Quote(want));
    }
  }
  return "";
}

absl::StatusOr<TypedDataRule> RuleFromText(const TypedDataRuleText& text,
                                           const std::string& what) {
  TypedDataRule rule;
  if (!IsIdentifier(text.primary_type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ".primary_type: want a type name ([A-Za-z_][A-Za-z0-9_]*)"));
  }
  rule.primary_type = text.primary_type;
  for (auto [field, value, out] :
       {std::tuple{"domain_name", &text.domain_name, &rule.domain_name},
        std::tuple{"domain_version", &text.domain_version,
                   &rule.domain_version}}) {
    if (value->empty()) continue;
    if (value->size() > kMaxDomainNameBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ".", field, ": at most ", kMaxDomainNameBytes, " bytes"));
    }
    *out = *value;
  }
  if (!text.domain_chain_id.empty()) {
    absl::StatusOr<eth::U256> id = eth::U256::Parse(
        text.domain_chain_id, absl::StrCat(what, ".domain_chain_id"));
    if (!id.ok()) return id.status();
    if (id->IsZero()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ".domain_chain_id: must be > 0"));
    }
    rule.domain_chain_id = *id;
  }
  if (!text.domain_verifying_contract.empty()) {
    absl::StatusOr<eth::Address> a =
        eth::Address::Parse(text.domain_verifying_contract,
                            absl::StrCat(what, ".domain_verifying_contract"));
    if (!a.ok()) return a.status();
    rule.domain_verifying_contract = *a;
  }
  if (text.encode_type.size() > kMaxEncodeTypeBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ".encode_type: at most ", kMaxEncodeTypeBytes, " bytes"));
  }
  if (!text.encode_type.empty() &&
      !absl::StartsWith(text.encode_type,
                        absl::StrCat(text.primary_type, "("))) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ".encode_type: want the encodeType of ", text.primary_type,
        ", e.g. \"", text.primary_type, "(string field)\""));
  }
  rule.encode_type = text.encode_type;
  if (text.message.size() > kMaxRuleFields) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ".message: at most ", kMaxRuleFields, " fields"));
  }
  for (const auto& [name, value] : text.message) {
    if (!IsIdentifier(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ".message: ", Quote(name), " is not a field name"));
    }
    if (value.size() > kMaxFieldValueBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ".message.", name, ": at most ",
                       kMaxFieldValueBytes, " bytes"));
    }
    for (const auto& [seen, unused] : rule.message) {
      if (seen == name) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ".message.", name, ": given twice"));
      }
    }
    rule.message.emplace_back(name, value);
  }
  std::sort(rule.message.begin(), rule.message.end());
  return rule;
}

TypedDataRuleText RuleToText(const TypedDataRule& rule) {
  TypedDataRuleText text;
  text.domain_name = rule.domain_name.value_or("");
  text.domain_version = rule.domain_version.value_or("");
  if (rule.domain_chain_id) {
    text.domain_chain_id = rule.domain_chain_id->ToDecimal();
  }
  if (rule.domain_verifying_contract) {
    text.domain_verifying_contract =
        rule.domain_verifying_contract->ToChecksum();
  }
  text.primary_type = rule.primary_type;
  text.encode_type = rule.encode_type;
  text.message = rule.message;
  return text;
}

}  // namespace

bool Policy::empty() const {
  return allowed_chain_ids.empty() && allowed_to.empty() &&
         !max_value_wei.has_value() && allowed_domain_names.empty() &&
         allowed_verifying_contracts.empty() && typed_data_rules.empty() &&
         !allow_messages;
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
    const eth::eip712::DomainInfo& domain, std::string_view primary_type,
    const nlohmann::json& typed_data) {
  if (!policy.allowed_chain_ids.empty()) {
    // Without a chainId the signature is valid on every chain.
    if (domain.chain_id.empty()) {
      return Refuse(kRuleAllowedChainIds,
                    "a domain without a chainId is not allowed", wallet);
    }
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
  if (!policy.typed_data_rules.empty()) {
    std::vector<std::string> why;
    for (size_t i = 0; i < policy.typed_data_rules.size(); ++i) {
      std::string miss = RuleMismatch(policy.typed_data_rules[i], domain,
                                      primary_type, typed_data);
      if (miss.empty()) return std::nullopt;
      if (why.size() < 8)
        why.push_back(absl::StrCat("rule ", i + 1, ": ", miss));
    }
    return Refuse(
        kRuleTypedDataRules,
        absl::StrCat(Quote(primary_type), " under domain ", Quote(domain.name),
                     " matches no rule (", absl::StrJoin(why, "; "), ")"),
        wallet);
  }
  return std::nullopt;
}

std::optional<PolicyRefusal> CheckMessage(const Policy& policy,
                                          std::string_view wallet) {
  if (policy.empty() || policy.allow_messages) return std::nullopt;
  return Refuse(kRuleAllowMessages,
                "personal messages (EIP-191) are not allowed by the policy",
                wallet);
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
  if (text.typed_data_rules.size() > kMaxRules) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy.typed_data_rules: at most ", kMaxRules, " rules"));
  }
  for (size_t i = 0; i < text.typed_data_rules.size(); ++i) {
    absl::StatusOr<TypedDataRule> rule =
        RuleFromText(text.typed_data_rules[i],
                     absl::StrCat("policy.typed_data_rules[", i, "]"));
    if (!rule.ok()) return rule.status();
    if (!Contains(policy.typed_data_rules, *rule)) {
      policy.typed_data_rules.push_back(*std::move(rule));
    }
  }
  policy.allow_messages = text.allow_messages;
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
  for (const TypedDataRule& rule : policy.typed_data_rules) {
    text.typed_data_rules.push_back(RuleToText(rule));
  }
  text.allow_messages = policy.allow_messages;
  return text;
}

nlohmann::json TypedDataRuleToJson(const TypedDataRuleText& rule) {
  nlohmann::json domain = nlohmann::json::object();
  if (!rule.domain_name.empty()) domain["name"] = rule.domain_name;
  if (!rule.domain_version.empty()) domain["version"] = rule.domain_version;
  if (!rule.domain_chain_id.empty()) domain["chainId"] = rule.domain_chain_id;
  if (!rule.domain_verifying_contract.empty()) {
    domain["verifyingContract"] = rule.domain_verifying_contract;
  }
  nlohmann::json message = nlohmann::json::object();
  for (const auto& [k, v] : rule.message) message[k] = v;
  nlohmann::json j = {{"primaryType", rule.primary_type},
                      {"domain", domain},
                      {"message", message}};
  if (!rule.encode_type.empty()) j["encodeType"] = rule.encode_type;
  return j;
}

absl::StatusOr<TypedDataRuleText> TypedDataRuleTextFromJson(
    const nlohmann::json& j, std::string_view what_view) {
  const std::string what(what_view);
  auto bad = [&](std::string_view field, std::string_view want) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, field.empty() ? "" : ".", std::string(field), ": ",
                     std::string(want)));
  };
  if (!j.is_object()) return bad("", "want an object");
  TypedDataRuleText rule;
  for (const auto& [key, value] : j.items()) {
    if (key == "primaryType" || key == "encodeType") {
      if (!value.is_string()) return bad(key, "want a string");
      (key == "primaryType" ? rule.primary_type : rule.encode_type) =
          value.get<std::string>();
    } else if (key == "domain") {
      if (!value.is_object()) return bad(key, "want an object");
      for (const auto& [dk, dv] : value.items()) {
        std::string* out = dk == "name"      ? &rule.domain_name
                           : dk == "version" ? &rule.domain_version
                           : dk == "chainId" ? &rule.domain_chain_id
                           : dk == "verifyingContract"
                               ? &rule.domain_verifying_contract
                               : nullptr;
        if (out == nullptr) {
          return bad(absl::StrCat("domain.", dk),
                     "unknown field (want name, version, chainId, "
                     "verifyingContract)");
        }
        if (dv.is_string()) {
          *out = dv.get<std::string>();
        } else if (dk == "chainId" && dv.is_number_unsigned()) {
          *out = std::to_string(dv.get<uint64_t>());
        } else {
          return bad(absl::StrCat("domain.", dk), "want a string");
        }
      }
    } else if (key == "message") {
      if (!value.is_object()) return bad(key, "want an object");
      for (const auto& [mk, mv] : value.items()) {
        if (mv.is_string()) {
          rule.message.emplace_back(mk, mv.get<std::string>());
        } else if (mv.is_number_unsigned() || mv.is_boolean()) {
          rule.message.emplace_back(mk, mv.dump());
        } else {
          return bad(absl::StrCat("message.", mk), "want a string");
        }
      }
    } else {
      return bad(key,
                 "unknown field (want primaryType, domain, encodeType, "
                 "message)");
    }
  }
  return rule;
}

nlohmann::json PolicyToJson(const Policy& policy) {
  PolicyText text = PolicyToText(policy);
  nlohmann::json j = {
      {"allowedChainIds", text.allowed_chain_ids},
      {"allowedTo", text.allowed_to},
      {"maxValueWei", nullptr},
      {"allowedDomainNames", text.allowed_domain_names},
      {"allowedVerifyingContracts", text.allowed_verifying_contracts},
      {"typedDataRules", nlohmann::json::array()},
      {"allowMessages", text.allow_messages},
  };
  for (const TypedDataRuleText& rule : text.typed_data_rules) {
    j["typedDataRules"].push_back(TypedDataRuleToJson(rule));
  }
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
  if (auto it = j.find("typedDataRules"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      return absl::InvalidArgumentError(
          "policy.typedDataRules: want an array of objects");
    }
    for (size_t i = 0; i < it->size(); ++i) {
      absl::StatusOr<TypedDataRuleText> rule = TypedDataRuleTextFromJson(
          (*it)[i], absl::StrCat("policy.typedDataRules[", i, "]"));
      if (!rule.ok()) return rule.status();
      text.typed_data_rules.push_back(*std::move(rule));
    }
  }
  if (auto it = j.find("allowMessages"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return absl::InvalidArgumentError("policy.allowMessages: want a boolean");
    }
    text.allow_messages = it->get<bool>();
  }
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
