#include "services/orchestrator/secret_files.h"

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "services/orchestrator/secrets.h"
#include "services/orchestrator/spec_parser.h"

namespace poolops::orchestrator {

std::vector<SecretFileRef> SecretFileRefs(const v1::PoolSpec& spec) {
  std::vector<SecretFileRef> out;
  auto add = [&](std::string field, const std::string& path, std::string key,
                 const std::string& wallet) {
    if (path.empty()) return;
    out.push_back({std::move(field), path, std::move(key), wallet});
  };
  const v1::PoolSpec::Core& core = spec.core();
  add("core.chain_adapter_password_file", core.chain_adapter_password_file(),
      "PROD_CHAIN_ADAPTER_PASSWORD", "");
  add("core.grafana_admin_password_file", core.grafana_admin_password_file(),
      "PROD_GRAFANA_ADMIN_PASSWORD", "");
  add("core.mongo_password_file", core.mongo_password_file(),
      "PROD_MONGO_PASSWORD", "");
  add("core.tee.scontain_password_file", core.tee().scontain_password_file(),
      "SCONTAIN_REGISTRY_PASSWORD", "");
  add("images.private_registry.password_file",
      spec.images().private_registry().password_file(), "REGISTRY_PASSWORD",
      "");
  const std::string& owner = spec.workerpool().owner_wallet();
  add("workerpool.owner_password_file", spec.workerpool().owner_password_file(),
      WalletPasswordKey(owner), owner);
  for (int i = 0; i < spec.workers_size(); ++i) {
    const v1::PoolSpec::Worker& w = spec.workers(i);
    add(absl::StrCat("workers[", i, "].wallet_password_file"),
        w.wallet_password_file(), WalletPasswordKey(w.wallet()), w.wallet());
  }
  return out;
}

std::map<std::string, std::string> SuppliedSecrets(
    const v1::SpecSource& source) {
  std::map<std::string, std::string> out;
  for (const v1::SecretFile& f : source.secret_files()) {
    out[f.path()] = f.secret();
  }
  return out;
}

absl::Status AttachSecretFiles(v1::SpecSource* source) {
  v1::PoolSpec spec;
  if (source->has_spec()) {
    spec = source->spec();
  } else {
    absl::StatusOr<ParsedSpec> parsed =
        ParseSpec(source->yaml(), source->path());
    if (!parsed.ok()) return absl::OkStatus();
    spec = std::move(parsed->spec);
  }
  std::filesystem::path dir =
      std::filesystem::path(source->path()).parent_path();
  std::set<std::string> done;
  for (const SecretFileRef& ref : SecretFileRefs(spec)) {
    if (!done.insert(ref.path).second) continue;
    absl::StatusOr<std::string> secret =
        files::ReadSecretFile(SpecRelative(dir, ref.path));
    if (!secret.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ref.field, ": ", secret.status().message()));
    }
    v1::SecretFile* f = source->add_secret_files();
    f->set_path(ref.path);
    f->set_secret(*secret);
  }
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
