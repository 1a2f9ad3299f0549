#include "services/orchestrator/secrets.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/secret_files.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

// The pool name is a folder name under the store's root.
absl::Status CheckPoolName(const std::string& pool) {
  bool ok = !pool.empty() && pool.size() <= 64 && pool[0] != '-';
  for (char c : pool) {
    ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-');
  }
  return ok ? absl::OkStatus()
            : absl::InvalidArgumentError(
                  absl::StrCat("'", pool, "' is not a pool name"));
}

absl::StatusOr<nlohmann::json> LoadJson(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return nlohmann::json::object();
  absl::StatusOr<std::string> text = files::ReadFile(file, 1 << 20);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) {
    return absl::DataLossError(
        absl::StrCat(file.string(), ": not a JSON object"));
  }
  return j;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> FileSecretStore::Get(
    const std::string& pool, const std::string& key) {
  if (absl::Status s = CheckPoolName(pool); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  absl::StatusOr<nlohmann::json> j = LoadJson(root_ / pool / "secrets.json");
  if (!j.ok()) return j.status();
  if (!j->contains(key) || !(*j)[key].is_string()) return std::nullopt;
  return (*j)[key].get<std::string>();
}

absl::Status FileSecretStore::Put(const std::string& pool,
                                  const std::string& key,
                                  const std::string& value) {
  if (absl::Status s = CheckPoolName(pool); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  fs::path dir = root_ / pool;
  if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  absl::StatusOr<nlohmann::json> j = LoadJson(dir / "secrets.json");
  if (!j.ok()) return j.status();
  (*j)[key] = value;
  return files::WriteFileAtomic(dir / "secrets.json", j->dump(2) + "\n", 0600);
}

absl::StatusOr<std::map<std::string, std::string>> FileSecretStore::All(
    const std::string& pool) {
  if (absl::Status s = CheckPoolName(pool); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  absl::StatusOr<nlohmann::json> j = LoadJson(root_ / pool / "secrets.json");
  if (!j.ok()) return j.status();
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j->items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> MemorySecretStore::All(
    const std::string& pool) {
  absl::MutexLock lock(&mu_);
  std::map<std::string, std::string> out;
  const std::string prefix = absl::StrCat(pool, "/");
  for (auto it = values_.lower_bound(prefix);
       it != values_.end() && absl::StartsWith(it->first, prefix); ++it) {
    out[it->first.substr(prefix.size())] = it->second;
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> MemorySecretStore::Get(
    const std::string& pool, const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(absl::StrCat(pool, "/", key));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

absl::Status MemorySecretStore::Put(const std::string& pool,
                                    const std::string& key,
                                    const std::string& value) {
  absl::MutexLock lock(&mu_);
  values_[absl::StrCat(pool, "/", key)] = value;
  return absl::OkStatus();
}

absl::StatusOr<std::string> GeneratePassword(Random* random) {
  std::vector<uint8_t> bytes(20);
  if (absl::Status s = random->Fill(absl::MakeSpan(bytes)); !s.ok()) return s;
  std::string hex = absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  std::fill(bytes.begin(), bytes.end(), 0);
  return hex;
}

std::string WalletPasswordKey(const std::string& wallet) {
  return absl::StrCat("wallet:", wallet);
}

std::filesystem::path SpecRelative(const std::filesystem::path& spec_dir,
                                   const std::string& path) {
  fs::path p(path);
  if (p.is_absolute() || spec_dir.empty()) return p;
  return spec_dir / p;
}

absl::StatusOr<PoolSecrets> ResolveSecrets(
    const v1::PoolSpec& spec,
    const std::map<std::string, std::string>& supplied, SecretStore* store,
    Random* random) {
  PoolSecrets out;
  auto stored = [&](const std::string& key)
      -> absl::StatusOr<std::optional<std::string>> {
    return store->Get(spec.name(), key);
  };
  // The *_file fields: what the request carries, else what the store keeps.
  for (const SecretFileRef& ref : SecretFileRefs(spec)) {
    std::string value;
    auto given = supplied.find(ref.path);
    if (given != supplied.end()) {
      if (absl::Status s = CheckValue(ValueKind::kSecret, given->second);
          !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            ref.field, ": the secret in ", ref.path, " ", s.message(),
            "; choose another (it is never changed silently)"));
      }
      value = given->second;
      absl::StatusOr<std::optional<std::string>> old = stored(ref.key);
      if (!old.ok()) return old.status();
      if (*old != value) {
        if (absl::Status s = store->Put(spec.name(), ref.key, value); !s.ok())
          return s;
      }
      out.supplied.insert(ref.key);
    } else {
      absl::StatusOr<std::optional<std::string>> old = stored(ref.key);
      if (!old.ok()) return old.status();
      if (!old->has_value()) {
        return absl::FailedPreconditionError(absl::StrCat(
            ref.field, ": the secret of ", ref.path,
            " was not sent with the request and the pool has none stored; "
            "the orchestrator never reads files a spec names, the client "
            "sends them (poolctl pool ... -f SPEC reads them on your side)"));
      }
      value = **old;
    }
    if (ref.wallet.empty()) {
      out.values[ref.key] = value;
    } else {
      out.wallet_passwords[ref.wallet] = value;
    }
  }
  // Generated when the operator names no file.
  for (const char* var :
       {"PROD_CHAIN_ADAPTER_PASSWORD", "PROD_GRAFANA_ADMIN_PASSWORD",
        "PROD_MONGO_PASSWORD"}) {
    if (out.values.count(var)) continue;
    absl::StatusOr<std::optional<std::string>> old = stored(var);
    if (!old.ok()) return old.status();
    if (old->has_value()) {
      out.values[var] = **old;
      continue;
    }
    absl::StatusOr<std::string> made = GeneratePassword(random);
    if (!made.ok()) return made.status();
    if (absl::Status s = store->Put(spec.name(), var, *made); !s.ok()) return s;
    out.values[var] = *made;
  }
  // Wallets without a file: the password poolops made, when it made one.
  std::vector<std::string> wallets = {spec.workerpool().owner_wallet()};
  for (const v1::PoolSpec::Worker& w : spec.workers()) {
    wallets.push_back(w.wallet());
  }
  for (const std::string& name : wallets) {
    if (name.empty() || out.wallet_passwords.count(name)) continue;
    absl::StatusOr<std::optional<std::string>> old =
        stored(WalletPasswordKey(name));
    if (!old.ok()) return old.status();
    if (old->has_value()) out.wallet_passwords[name] = **old;
  }
  return out;
}

}  // namespace poolops::orchestrator
