#include "services/orchestrator/secrets.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<nlohmann::json> LoadJson(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return nlohmann::json::object();
  absl::StatusOr<std::string> text = files::ReadFile(file, 1 << 20);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) {
    return absl::DataLossError(absl::StrCat(file.string(), ": not a JSON object"));
  }
  return j;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> FileSecretStore::Get(
    const std::string& pool, const std::string& key) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<nlohmann::json> j = LoadJson(root_ / pool / "secrets.json");
  if (!j.ok()) return j.status();
  if (!j->contains(key) || !(*j)[key].is_string()) return std::nullopt;
  return (*j)[key].get<std::string>();
}

absl::Status FileSecretStore::Put(const std::string& pool,
                                  const std::string& key,
                                  const std::string& value) {
  absl::MutexLock lock(&mu_);
  fs::path dir = root_ / pool;
  if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  absl::StatusOr<nlohmann::json> j = LoadJson(dir / "secrets.json");
  if (!j.ok()) return j.status();
  (*j)[key] = value;
  return files::WriteFileAtomic(dir / "secrets.json", j->dump(2) + "\n", 0600);
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

absl::StatusOr<PoolSecrets> ResolveSecrets(const v1::PoolSpec& spec,
                                           const std::filesystem::path& spec_dir,
                                           SecretStore* store, Random* random) {
  PoolSecrets out;
  auto from_file = [&](const std::string& file,
                       const std::string& field) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> s =
        files::ReadSecretFile(SpecRelative(spec_dir, file));
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", s.status().message()));
    }
    return s;
  };
  struct Generated {
    const char* var;
    const std::string& file;
    const char* field;
  };
  const v1::PoolSpec::Core& core = spec.core();
  for (const Generated& g :
       {Generated{"PROD_CHAIN_ADAPTER_PASSWORD", core.chain_adapter_password_file(),
                  "core.chain_adapter_password_file"},
        Generated{"PROD_GRAFANA_ADMIN_PASSWORD", core.grafana_admin_password_file(),
                  "core.grafana_admin_password_file"},
        Generated{"PROD_MONGO_PASSWORD", core.mongo_password_file(),
                  "core.mongo_password_file"}}) {
    if (!g.file.empty()) {
      absl::StatusOr<std::string> v = from_file(g.file, g.field);
      if (!v.ok()) return v.status();
      out.values[g.var] = *v;
      continue;
    }
    absl::StatusOr<std::optional<std::string>> stored =
        store->Get(spec.name(), g.var);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      out.values[g.var] = **stored;
      continue;
    }
    absl::StatusOr<std::string> made = GeneratePassword(random);
    if (!made.ok()) return made.status();
    if (absl::Status s = store->Put(spec.name(), g.var, *made); !s.ok()) return s;
    out.values[g.var] = *made;
  }
  if (!core.tee().scontain_password_file().empty()) {
    absl::StatusOr<std::string> v = from_file(core.tee().scontain_password_file(),
                                              "core.tee.scontain_password_file");
    if (!v.ok()) return v.status();
    out.values["SCONTAIN_REGISTRY_PASSWORD"] = *v;
  }
  const auto& registry = spec.images().private_registry();
  if (!registry.password_file().empty()) {
    absl::StatusOr<std::string> v = from_file(
        registry.password_file(), "images.private_registry.password_file");
    if (!v.ok()) return v.status();
    out.values["REGISTRY_PASSWORD"] = *v;
  }
  auto wallet = [&](const std::string& name, const std::string& file,
                    const std::string& field) -> absl::Status {
    if (name.empty()) return absl::OkStatus();
    if (!file.empty()) {
      absl::StatusOr<std::string> v = from_file(file, field);
      if (!v.ok()) return v.status();
      out.wallet_passwords[name] = *v;
      return absl::OkStatus();
    }
    absl::StatusOr<std::optional<std::string>> stored =
        store->Get(spec.name(), WalletPasswordKey(name));
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) out.wallet_passwords[name] = **stored;
    return absl::OkStatus();
  };
  if (absl::Status s = wallet(spec.workerpool().owner_wallet(),
                              spec.workerpool().owner_password_file(),
                              "workerpool.owner_password_file");
      !s.ok())
    return s;
  for (int i = 0; i < spec.workers_size(); ++i) {
    const v1::PoolSpec::Worker& w = spec.workers(i);
    if (absl::Status s =
            wallet(w.wallet(), w.wallet_password_file(),
                   absl::StrCat("workers[", i, "].wallet_password_file"));
        !s.ok())
      return s;
  }
  return out;
}

}  // namespace poolops::orchestrator
