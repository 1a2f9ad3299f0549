#include "libs/eth/eip712.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/bounded_json.h"
#include "libs/eth/address.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/uint256.h"
#include "nlohmann/json.hpp"

namespace poolops::eth::eip712 {
namespace {

using json = nlohmann::json;

// Bounds recursion through nested structs and array dimensions.
constexpr int kMaxDepth = 48;

constexpr const char* kDomainType = "EIP712Domain";

// EIP712Domain fields in the canonical order ethers derives them in.
constexpr std::pair<const char*, const char*> kDomainFields[] = {
    {"name", "string"},
    {"version", "string"},
    {"chainId", "uint256"},
    {"verifyingContract", "address"},
    {"salt", "bytes32"}};

absl::Status Error(std::string_view path, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("typed data ", std::string(path), ": ", std::string(why)));
}

struct Field {
  std::string name;
  std::string type;
};

// An elementary type, or kind kStruct naming an entry of `types`.
struct Elementary {
  enum Kind {
    kStruct,
    kUint,
    kInt,
    kAddress,
    kBool,
    kFixedBytes,
    kBytes,
    kString
  };
  Kind kind = kStruct;
  int size = 0;  // bits for integers, bytes for bytesN
};

bool ParseSized(std::string_view name, std::string_view prefix, int& n) {
  if (name.substr(0, prefix.size()) != prefix) return false;
  std::string_view digits = name.substr(prefix.size());
  if (digits.empty()) {
    n = -1;
    return true;
  }
  if (digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(std::string(digits), &n))
    n = 0;
  return true;
}

// Returns nullopt when `name` is not an elementary type name.
std::optional<Elementary> ElementaryOf(std::string_view name) {
  int n = 0;
  if (name == "address") return Elementary{Elementary::kAddress};
  if (name == "bool") return Elementary{Elementary::kBool};
  if (name == "string") return Elementary{Elementary::kString};
  if (name == "bytes") return Elementary{Elementary::kBytes};
  if (ParseSized(name, "bytes", n) && n >= 1 && n <= 32)
    return Elementary{Elementary::kFixedBytes, n};
  if (ParseSized(name, "uint", n) && n >= 8 && n <= 256 && n % 8 == 0)
    return Elementary{Elementary::kUint, n};
  if (ParseSized(name, "int", n) && n >= 8 && n <= 256 && n % 8 == 0)
    return Elementary{Elementary::kInt, n};
  return std::nullopt;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'))
      return false;
  return true;
}

// Splits "T[2][]" into "T[2]" and the last dimension (-1 for dynamic).
// Returns false when `type` is not an array.
bool SplitArray(std::string_view type, std::string_view& element, long& length,
                bool& valid) {
  valid = true;
  if (type.empty() || type.back() != ']') return false;
  size_t open = type.rfind('[');
  if (open == std::string_view::npos || open == 0) {
    valid = false;
    return true;
  }
  element = type.substr(0, open);
  std::string_view digits = type.substr(open + 1, type.size() - open - 2);
  if (digits.empty()) {
    length = -1;
  } else if (digits.find_first_not_of("0123456789") != std::string_view::npos ||
             (digits.size() > 1 && digits[0] == '0') ||
             !absl::SimpleAtoi(std::string(digits), &length) ||
             length > (1 << 24)) {
    valid = false;
  }
  return true;
}

class TypedData {
 public:
  // Validates `types` (an object of struct name -> [{name, type}]).
  absl::Status LoadTypes(const json& types) {
    if (!types.is_object()) return Error("types", "must be an object");
    for (const auto& [name, fields] : types.items()) {
      std::string path = absl::StrCat("types.", std::string(name));
      if (!IsIdentifier(name)) return Error(path, "invalid struct name");
      if (ElementaryOf(name).has_value())
        return Error(path, "struct name shadows an elementary type");
      if (!fields.is_array()) return Error(path, "must be an array of fields");
      std::vector<Field>& out = structs_[name];
      std::set<std::string> seen;
      for (size_t i = 0; i < fields.size(); ++i) {
        const json& f = fields[i];
        std::string fpath = absl::StrCat(path, "[", i, "]");
        if (!f.is_object() || !f.contains("name") || !f.contains("type") ||
            !f["name"].is_string() || !f["type"].is_string())
          return Error(fpath, "expected {\"name\": string, \"type\": string}");
        Field field{f["name"].get<std::string>(), f["type"].get<std::string>()};
        if (!IsIdentifier(field.name))
          return Error(fpath, "invalid field name");
        if (!seen.insert(field.name).second)
          return Error(fpath,
                       absl::StrCat("duplicate field \"", field.name, "\""));
        out.push_back(std::move(field));
      }
    }
    // Every referenced type must resolve, and references must not cycle.
    for (const auto& [name, fields] : structs_) {
      for (const Field& f : fields) {
        std::string_view base = BaseType(f.type);
        std::string path =
            absl::StrCat("types.", std::string(name), ".", f.name);
        if (base.empty())
          return Error(path, absl::StrCat("invalid type \"", f.type, "\""));
        if (!ElementaryOf(base).has_value() &&
            !structs_.count(std::string(base)))
          return Error(path, absl::StrCat("undeclared type \"",
                                          std::string(base), "\""));
      }
    }
    std::map<std::string, int> state;  // 1 = on stack, 2 = done
    for (const auto& entry : structs_)
      if (absl::Status s = CheckAcyclic(entry.first, state, 0); !s.ok())
        return s;
    return absl::OkStatus();
  }

  bool Has(const std::string& name) const { return structs_.count(name) > 0; }

  // Adds the EIP712Domain type implied by the keys of `domain`.
  absl::Status DeriveDomainType(const json& domain) {
    for (const auto& [key, value] : domain.items()) {
      bool known = false;
      for (const auto& [name, type] : kDomainFields) known |= key == name;
      if (!known)
        return Error(absl::StrCat("domain.", std::string(key)),
                     "unknown domain field");
    }
    std::vector<Field>& fields = structs_[kDomainType];
    for (const auto& [name, type] : kDomainFields)
      if (domain.contains(name) && !domain[name].is_null())
        fields.push_back(Field{name, type});
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> EncodeType(const std::string& primary) const {
    auto it = structs_.find(primary);
    if (it == structs_.end())
      return Error("primaryType",
                   absl::StrCat("undeclared type \"", primary, "\""));
    std::set<std::string> deps;
    CollectDeps(primary, deps);
    deps.erase(primary);
    std::string out = Format(primary);
    for (const std::string& d : deps) out += Format(d);  // std::set sorts
    return out;
  }

  absl::StatusOr<Hash32> HashStruct(const std::string& type, const json& value,
                                    const std::string& path, int depth) const {
    if (depth > kMaxDepth) return Error(path, "nested too deeply");
    if (!value.is_object())
      return Error(path, absl::StrCat("expected a ", type, " object"));
    auto cached = type_hashes_.find(type);
    if (cached == type_hashes_.end()) {
      absl::StatusOr<std::string> encoded_type = EncodeType(type);
      if (!encoded_type.ok()) return encoded_type.status();
      cached =
          type_hashes_.emplace(type, Keccak(std::string_view(*encoded_type)))
              .first;
    }
    Keccak256 h;
    h.Update(cached->second);
    for (const Field& f : structs_.at(type)) {
      std::string fpath = absl::StrCat(path, ".", f.name);
      auto member = value.find(f.name);
      if (member == value.end()) return Error(fpath, "missing field");
      absl::StatusOr<Hash32> word =
          EncodeField(f.type, *member, fpath, depth + 1);
      if (!word.ok()) return word.status();
      h.Update(*word);
    }
    return h.Finish();
  }

 private:
  // "Person[2][]" -> "Person"; empty when the array syntax is malformed.
  static std::string_view BaseType(std::string_view type) {
    for (int i = 0; i <= kMaxDepth; ++i) {
      std::string_view element;
      long length = 0;
      bool valid = true;
      if (!SplitArray(type, element, length, valid)) return type;
      if (!valid) return {};
      type = element;
    }
    return {};
  }

  absl::Status CheckAcyclic(const std::string& name,
                            std::map<std::string, int>& state,
                            int depth) const {
    if (state[name] == 2) return absl::OkStatus();
    if (state[name] == 1)
      return Error(absl::StrCat("types.", std::string(name)),
                   "cyclic type reference");
    if (depth > kMaxDepth)
      return Error(absl::StrCat("types.", std::string(name)),
                   "types nested too deeply");
    state[name] = 1;
    for (const Field& f : structs_.at(name)) {
      std::string base(BaseType(f.type));
      if (structs_.count(base))
        if (absl::Status s = CheckAcyclic(base, state, depth + 1); !s.ok())
          return s;
    }
    state[name] = 2;
    return absl::OkStatus();
  }

  void CollectDeps(const std::string& name, std::set<std::string>& deps) const {
    if (!deps.insert(name).second) return;
    for (const Field& f : structs_.at(name)) {
      std::string base(BaseType(f.type));
      if (structs_.count(base)) CollectDeps(base, deps);
    }
  }

  std::string Format(const std::string& name) const {
    std::vector<std::string> parts;
    for (const Field& f : structs_.at(name))
      parts.push_back(absl::StrCat(f.type, " ", f.name));
    return absl::StrCat(std::string(name), "(", absl::StrJoin(parts, ","), ")");
  }

  // The 32-byte encodeData member for `value` of `type`.
  absl::StatusOr<Hash32> EncodeField(const std::string& type, const json& value,
                                     const std::string& path, int depth) const {
    if (depth > kMaxDepth) return Error(path, "nested too deeply");
    std::string_view element;
    long length = 0;
    bool valid = true;
    if (SplitArray(type, element, length, valid)) {
      if (!valid)
        return Error(path, absl::StrCat("invalid type \"", type, "\""));
      if (!value.is_array()) return Error(path, "expected an array");
      if (length >= 0 && value.size() != static_cast<size_t>(length))
        return Error(path, absl::StrCat("expected ", length, " elements, got ",
                                        value.size()));
      Keccak256 h;
      std::string element_type(element);
      for (size_t i = 0; i < value.size(); ++i) {
        absl::StatusOr<Hash32> word = EncodeField(
            element_type, value[i], absl::StrCat(path, "[", i, "]"), depth + 1);
        if (!word.ok()) return word.status();
        h.Update(*word);
      }
      return h.Finish();
    }
    if (structs_.count(type)) return HashStruct(type, value, path, depth);
    std::optional<Elementary> e = ElementaryOf(type);
    if (!e.has_value())
      return Error(path, absl::StrCat("unknown type \"", type, "\""));
    return EncodeAtomic(*e, type, value, path);
  }

  static absl::StatusOr<Hash32> EncodeAtomic(const Elementary& e,
                                             const std::string& type,
                                             const json& value,
                                             const std::string& path) {
    switch (e.kind) {
      case Elementary::kBool:
        if (!value.is_boolean()) return Error(path, "expected true or false");
        return U256(value.get<bool>() ? 1 : 0).ToBytesBE();
      case Elementary::kString: {
        if (!value.is_string()) return Error(path, "expected a string");
        return Keccak(std::string_view(value.get_ref<const std::string&>()));
      }
      case Elementary::kAddress: {
        if (!value.is_string())
          return Error(path, "expected an address string");
        absl::StatusOr<Address> a =
            Address::Parse(value.get_ref<const std::string&>(), path);
        if (!a.ok()) return a.status();
        Hash32 word{};
        std::memcpy(word.data() + 12, a->bytes().data(), 20);
        return word;
      }
      case Elementary::kBytes:
      case Elementary::kFixedBytes: {
        if (!value.is_string()) return Error(path, "expected a 0x-hex string");
        const std::string& text = value.get_ref<const std::string&>();
        if (text.size() < 2 || text[0] != '0' ||
            (text[1] != 'x' && text[1] != 'X'))
          return Error(path, "expected a 0x-hex string");
        absl::StatusOr<Bytes> bytes = FromHex(text, path);
        if (!bytes.ok()) return bytes.status();
        if (e.kind == Elementary::kBytes) return Keccak(*bytes);
        if (bytes->size() != static_cast<size_t>(e.size))
          return Error(path, absl::StrCat("expected ", e.size, " bytes for ",
                                          type, ", got ", bytes->size()));
        Hash32 word{};
        std::memcpy(word.data(), bytes->data(), bytes->size());
        return word;
      }
      case Elementary::kUint:
      case Elementary::kInt:
        return EncodeInteger(e, type, value, path);
      case Elementary::kStruct:
        break;
    }
    return Error(path, "internal: not an atomic type");
  }

  static absl::StatusOr<Hash32> EncodeInteger(const Elementary& e,
                                              const std::string& type,
                                              const json& value,
                                              const std::string& path) {
    bool negative = false;
    U256 magnitude;
    if (value.is_number_unsigned()) {
      magnitude = value.get<uint64_t>();
    } else if (value.is_number_integer()) {
      int64_t v = value.get<int64_t>();
      negative = v < 0;
      // Negate in unsigned arithmetic so INT64_MIN is handled.
      magnitude =
          negative ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
    } else if (value.is_string()) {
      std::string_view text = value.get_ref<const std::string&>();
      if (!text.empty() && text[0] == '-') {
        negative = true;
        text.remove_prefix(1);
      }
      absl::StatusOr<U256> parsed = U256::Parse(text, path);
      if (!parsed.ok()) return parsed.status();
      magnitude = *parsed;
    } else {
      return Error(path, absl::StrCat("expected an integer (JSON integer or "
                                      "decimal/0x-hex string) for ",
                                      type));
    }
    if (negative && magnitude.IsZero()) negative = false;
    if (e.kind == Elementary::kUint) {
      if (negative)
        return Error(path, absl::StrCat("negative value for ", type));
      if (magnitude.BitLength() > e.size)
        return Error(path, absl::StrCat("value out of range for ", type));
      return magnitude.ToBytesBE();
    }
    // intN: -2^(N-1) <= v <= 2^(N-1) - 1.
    U256 limit = U256(1) << (e.size - 1);
    if (negative ? magnitude > limit : magnitude >= limit)
      return Error(path, absl::StrCat("value out of range for ", type));
    U256 twos = negative ? U256() - magnitude : magnitude;
    return twos.ToBytesBE();
  }

  std::map<std::string, std::vector<Field>> structs_;
  // typeHash per struct; arrays of structs would otherwise re-derive it.
  mutable std::map<std::string, Hash32> type_hashes_;
};

absl::StatusOr<DomainInfo> DescribeDomain(const json& domain) {
  DomainInfo info;
  if (auto it = domain.find("name"); it != domain.end() && it->is_string())
    info.name = it->get<std::string>();
  if (auto it = domain.find("version"); it != domain.end() && it->is_string())
    info.version = it->get<std::string>();
  if (auto it = domain.find("chainId"); it != domain.end() && !it->is_null()) {
    if (it->is_number_unsigned()) {
      info.chain_id = std::to_string(it->get<uint64_t>());
    } else if (it->is_string()) {
      absl::StatusOr<U256> id =
          U256::Parse(it->get<std::string>(), "domain.chainId");
      if (!id.ok()) return id.status();
      info.chain_id = id->ToDecimal();
    } else if (it->is_number_integer() && it->get<int64_t>() >= 0) {
      info.chain_id = std::to_string(it->get<int64_t>());
    } else {
      return Error("domain.chainId", "expected a non-negative integer");
    }
  }
  if (auto it = domain.find("verifyingContract");
      it != domain.end() && !it->is_null()) {
    if (!it->is_string())
      return Error("domain.verifyingContract", "expected an address string");
    absl::StatusOr<Address> a =
        Address::Parse(it->get<std::string>(), "domain.verifyingContract");
    if (!a.ok()) return a.status();
    info.verifying_contract = a->ToChecksum();
  }
  return info;
}

absl::StatusOr<Digests> HashTypedDataImpl(const json& typed_data) {
  if (!typed_data.is_object()) return Error("", "must be a JSON object");
  for (const char* key : {"types", "primaryType", "domain", "message"})
    if (!typed_data.contains(key)) return Error(key, "missing");
  const json& types = typed_data["types"];
  const json& domain = typed_data["domain"];
  const json& message = typed_data["message"];
  if (!typed_data["primaryType"].is_string())
    return Error("primaryType", "must be a string");
  if (!domain.is_object()) return Error("domain", "must be an object");
  if (!message.is_object()) return Error("message", "must be an object");
  std::string primary = typed_data["primaryType"].get<std::string>();

  TypedData td;
  if (absl::Status s = td.LoadTypes(types); !s.ok()) return s;
  if (!td.Has(kDomainType))
    if (absl::Status s = td.DeriveDomainType(domain); !s.ok()) return s;
  if (!td.Has(primary))
    return Error("primaryType",
                 absl::StrCat("undeclared type \"", primary, "\""));

  Digests out;
  absl::StatusOr<Hash32> separator =
      td.HashStruct(kDomainType, domain, "domain", 0);
  if (!separator.ok()) return separator.status();
  out.domain_separator = *separator;
  Keccak256 h;
  h.Update(std::string_view("\x19\x01", 2));
  h.Update(out.domain_separator);
  if (primary == kDomainType) {
    // eth_signTypedData_v4 signs only the separator in this case.
    out.struct_hash = out.domain_separator;
  } else {
    absl::StatusOr<Hash32> struct_hash =
        td.HashStruct(primary, message, "message", 0);
    if (!struct_hash.ok()) return struct_hash.status();
    out.struct_hash = *struct_hash;
    h.Update(out.struct_hash);
  }
  out.digest = h.Finish();
  absl::StatusOr<DomainInfo> info = DescribeDomain(domain);
  if (!info.ok()) return info.status();
  out.domain = *std::move(info);
  out.primary_type = primary;
  return out;
}

}  // namespace

absl::StatusOr<Digests> HashTypedData(const nlohmann::json& typed_data) {
  try {
    return HashTypedDataImpl(typed_data);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("typed data: ", e.what()));
  }
}

absl::StatusOr<Digests> HashTypedDataJson(std::string_view json_text) {
  // Outside input (a gRPC client's, a file's): bounded before parsing.
  absl::StatusOr<json> parsed = ParseBoundedJson(
      std::string_view(json_text.data(), json_text.size()), "typed data");
  if (!parsed.ok()) return parsed.status();
  return HashTypedData(*parsed);
}

absl::StatusOr<std::string> EncodeType(const nlohmann::json& types,
                                       std::string_view primary_type) {
  try {
    TypedData td;
    if (absl::Status s = td.LoadTypes(types); !s.ok()) return s;
    return td.EncodeType(std::string(primary_type));
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("typed data: ", e.what()));
  }
}

Hash32 PersonalMessageDigest(ByteView message) {
  Keccak256 h;
  h.Update(
      std::string_view("\x19"
                       "Ethereum Signed Message:\n"));
  h.Update(std::string_view(std::to_string(message.size())));
  h.Update(message);
  return h.Finish();
}

}  // namespace poolops::eth::eip712
