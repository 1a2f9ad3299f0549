#include "services/wallet/wallet_registry.h"

#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxRegistryBytes = 16 << 20;

bool LooksLikeAddress(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
  }
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string FormatCreated(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<WalletEntry> EntryFromJson(const nlohmann::json& j, size_t i) {
  std::string where = absl::StrCat("wallets[", i, "]");
  auto str = [&](const char* key) -> absl::StatusOr<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      return absl::DataLossError(
          absl::StrCat(where, ".", key, ": missing or not a string"));
    }
    return it->get<std::string>();
  };
  WalletEntry e;
  absl::StatusOr<std::string> name = str("name");
  if (!name.ok()) return name.status();
  e.name = *name;
  absl::StatusOr<std::string> address = str("address");
  if (!address.ok()) return address.status();
  absl::StatusOr<eth::Address> a =
      ParseAddressAnyCase(*address, absl::StrCat(where, ".address"));
  if (!a.ok()) return absl::DataLossError(a.status().message());
  e.address = *a;
  e.checksum = a->ToChecksum();
  absl::StatusOr<std::string> keystore = str("keystore");
  if (!keystore.ok()) return keystore.status();
  if (keystore->empty() || keystore->find('/') != std::string::npos ||
      *keystore == "." || *keystore == "..") {
    return absl::DataLossError(
        absl::StrCat(where, ".keystore: want a file name"));
  }
  e.keystore_file = *keystore;
  absl::StatusOr<std::string> created = str("created");
  if (!created.ok()) return created.status();
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, *created, &e.created, &err)) {
    return absl::DataLossError(absl::StrCat(where, ".created: ", err));
  }
  absl::StatusOr<Policy> policy =
      PolicyFromJson(j.contains("policy") ? j["policy"] : nlohmann::json());
  if (!policy.ok()) {
    return absl::DataLossError(
        absl::StrCat(where, ".", policy.status().message()));
  }
  e.policy = std::move(*policy);
  if (auto it = j.find("lockedByOperator"); it != j.end() && !it->is_null()) {
    absl::Time at;
    if (!it->is_string() ||
        !absl::ParseTime(absl::RFC3339_full, it->get<std::string>(), &at,
                         &err)) {
      return absl::DataLossError(
          absl::StrCat(where, ".lockedByOperator: want an RFC 3339 time"));
    }
    e.operator_locked_at = at;
  }
  return e;
}

}  // namespace

absl::StatusOr<eth::Address> ParseAddressAnyCase(std::string_view text,
                                                 std::string_view what) {
  return eth::Address::Parse(absl::AsciiStrToLower(std::string(text)), what);
}

absl::Status ValidateWalletName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "wallet name must be 1 to ", kMaxNameLength, " characters"));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name[0]))) {
    return absl::InvalidArgumentError(
        "wallet name must start with a letter or a digit");
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return absl::InvalidArgumentError(
          "wallet name may only hold letters, digits, '.', '_' and '-'");
    }
  }
  if (LooksLikeAddress(name)) {
    return absl::InvalidArgumentError(
        "wallet name must not look like an address");
  }
  return absl::OkStatus();
}

absl::StatusOr<WalletRegistry> WalletRegistry::Load(
    std::filesystem::path file) {
  WalletRegistry registry(file);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return registry;
  absl::StatusOr<std::string> text = files::ReadFile(file, kMaxRegistryBytes);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  std::string prefix = absl::StrCat(file.string(), ": ");
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(absl::StrCat(prefix, "not a JSON object"));
  }
  auto wallets = j.find("wallets");
  if (wallets == j.end() || !wallets->is_array()) {
    return absl::DataLossError(absl::StrCat(prefix, "wallets: want an array"));
  }
  for (size_t i = 0; i < wallets->size(); ++i) {
    absl::StatusOr<WalletEntry> e = EntryFromJson((*wallets)[i], i);
    if (!e.ok()) {
      return absl::DataLossError(absl::StrCat(prefix, e.status().message()));
    }
    if (registry.FindByName(e->name) || registry.FindByAddress(e->address)) {
      return absl::DataLossError(
          absl::StrCat(prefix, "wallets[", i, "] is a duplicate"));
    }
    registry.entries_.push_back(std::move(*e));
  }
  return registry;
}

const WalletEntry* WalletRegistry::FindByName(std::string_view name) const {
  for (const WalletEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const WalletEntry* WalletRegistry::FindByAddress(
    const eth::Address& address) const {
  for (const WalletEntry& e : entries_) {
    if (e.address == address) return &e;
  }
  return nullptr;
}

const WalletEntry* WalletRegistry::Find(
    std::string_view name_or_address) const {
  if (const WalletEntry* e = FindByName(name_or_address)) return e;
  if (!LooksLikeAddress(name_or_address)) return nullptr;
  absl::StatusOr<eth::Address> a =
      ParseAddressAnyCase(name_or_address, "wallet");
  return a.ok() ? FindByAddress(*a) : nullptr;
}

absl::Status WalletRegistry::Add(WalletEntry entry) {
  if (FindByName(entry.name)) {
    return absl::AlreadyExistsError(
        absl::StrCat("a wallet named ", entry.name, " already exists"));
  }
  if (const WalletEntry* e = FindByAddress(entry.address)) {
    return absl::AlreadyExistsError(
        absl::StrCat("address ", entry.address.ToChecksum(),
                     " is already in the vault as wallet ", e->name));
  }
  std::vector<WalletEntry> next = entries_;
  next.push_back(std::move(entry));
  if (absl::Status s = Save(next); !s.ok()) return s;
  entries_ = std::move(next);
  return absl::OkStatus();
}

absl::Status WalletRegistry::SetPolicy(const eth::Address& address,
                                       Policy policy) {
  std::vector<WalletEntry> next = entries_;
  for (WalletEntry& e : next) {
    if (e.address == address) {
      e.policy = std::move(policy);
      if (absl::Status s = Save(next); !s.ok()) return s;
      entries_ = std::move(next);
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(
      absl::StrCat("wallet ", address.ToChecksum(), " not found"));
}

absl::Status WalletRegistry::SetOperatorLock(
    const eth::Address& address, std::optional<absl::Time> locked_at) {
  std::vector<WalletEntry> next = entries_;
  for (WalletEntry& e : next) {
    if (e.address == address) {
      e.operator_locked_at = locked_at;
      if (absl::Status s = Save(next); !s.ok()) return s;
      entries_ = std::move(next);
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(
      absl::StrCat("wallet ", address.ToChecksum(), " not found"));
}

absl::Status WalletRegistry::Save(
    const std::vector<WalletEntry>& entries) const {
  nlohmann::ordered_json wallets = nlohmann::ordered_json::array();
  for (const WalletEntry& e : entries) {
    nlohmann::ordered_json w;
    w["name"] = e.name;
    w["address"] = e.address.ToChecksum();
    w["keystore"] = e.keystore_file;
    w["created"] = FormatCreated(e.created);
    if (!e.policy.empty()) {
      w["policy"] =
          nlohmann::ordered_json::parse(PolicyToJson(e.policy).dump());
    }
    if (e.operator_locked_at.has_value()) {
      w["lockedByOperator"] = FormatCreated(*e.operator_locked_at);
    }
    wallets.push_back(std::move(w));
  }
  nlohmann::ordered_json doc;
  doc["version"] = 1;
  doc["wallets"] = std::move(wallets);
  return files::WriteFileAtomic(file_, doc.dump(2) + "\n", 0600,
                                /*exclusive=*/false);
}

}  // namespace poolops::wallet
