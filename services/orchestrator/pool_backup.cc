#include "services/orchestrator/pool_backup.h"

#include <sys/stat.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "libs/common/bounded_json.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/bundle_diff.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kState[] = "state.json";
constexpr char kSecrets[] = "secrets.json";
constexpr char kCoreDatabase[] = "core-db.archive";
constexpr char kWallets[] = "wallets/";
constexpr char kBundles[] = "bundles/";
constexpr size_t kMaxManifestFiles = 10000;

// A path the manifest may name: relative, no "..", no hidden parts (the
// names poolops writes), bounded.
bool SafeBackupPath(const std::string& path) {
  if (path.empty() || path.size() > 1024 || path[0] == '/' ||
      path.find('\0') != std::string::npos ||
      path.find('\\') != std::string::npos) {
    return false;
  }
  for (const auto& part : fs::path(path)) {
    const std::string p = part.string();
    if (p.empty() || p == "." || p == "..") return false;
  }
  return true;
}

absl::Status WritePrivate(const fs::path& dir, const std::string& path,
                          const std::string& content, json* files) {
  const fs::path file = dir / path;
  if (absl::Status s = files::EnsureDir(file.parent_path(), 0700); !s.ok()) {
    return s;
  }
  if (absl::Status s = files::WriteFileAtomic(file, content, 0600); !s.ok()) {
    return s;
  }
  files->push_back({{"path", path},
                    {"sha256", Sha256Hex(content)},
                    {"size", content.size()}});
  return absl::OkStatus();
}

std::string BackupName(const std::string& pool, absl::Time now,
                       uint32_t revision) {
  return absl::StrCat(
      pool, "-", absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()),
      "-r", revision);
}

}  // namespace

absl::StatusOr<BackupResult> BackupPool(const ApplyLayers& layers,
                                        const std::string& pool,
                                        const fs::path& out_dir) {
  absl::StatusOr<std::string> status = layers.state->PoolStatus(pool);
  if (!status.ok()) return status.status();
  if (*status == "down") {
    return absl::FailedPreconditionError(absl::StrCat(
        "pool '", pool,
        "' is down: its database runs only while it is up (pool up first)"));
  }
  absl::StatusOr<std::optional<RevisionRecord>> last =
      layers.state->LastApplied(pool);
  if (!last.ok()) return last.status();
  if (!last->has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "pool '", pool, "' has no applied revision: nothing to back up"));
  }
  const RevisionRecord& revision = **last;
  absl::StatusOr<LoadedSpec> spec = layers.orchestrator->LoadRevision(revision);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<RenderResult> rendered =
      layers.orchestrator->Render(*spec, Orchestrator::MissingWallets::kFail);
  if (!rendered.ok()) return rendered.status();
  const Bundle* core = nullptr;
  for (const Bundle& b : rendered->bundles) {
    if (b.role == "core") core = &b;
  }
  if (core == nullptr) return absl::InternalError("no core bundle rendered");

  // The dump first: nothing is written when the database cannot be read.
  absl::StatusOr<std::unique_ptr<Target>> target =
      layers.targets->Open(core->target, spec->dir.string(), pool);
  if (!target.ok()) return target.status();
  absl::StatusOr<std::string> dump = layers.runner->Exec(
      target->get(), ComposeOf(*core), kCoreDatabaseService,
      {"mongodump", "--archive", "--quiet", "--port", kCoreDatabasePort}, "");
  if (!dump.ok()) {
    return absl::Status(
        dump.status().code(),
        absl::StrCat("the core's database dump: ", dump.status().message()));
  }
  absl::StatusOr<std::string> state = layers.state->ExportPool(pool);
  if (!state.ok()) return state.status();
  std::map<std::string, std::string> secrets;
  if (layers.orchestrator->deps().secrets != nullptr) {
    absl::StatusOr<std::map<std::string, std::string>> all =
        layers.orchestrator->deps().secrets->All(pool);
    if (!all.ok()) return all.status();
    secrets = *std::move(all);
  }

  // The operator's folder (it may be /tmp or a shared mount): never
  // re-moded, refused when others may write to it; the backup's own folder
  // inside is new and 0700.
  if (absl::Status s = files::EnsureOwnDir(out_dir); !s.ok()) return s;
  // A second backup within the same second gets a suffix.
  const std::string name =
      BackupName(pool, layers.clock->Now(), revision.revision);
  fs::path dir = out_dir / name;
  std::error_code ec;
  for (int n = 2; fs::exists(dir, ec); ++n) {
    if (n > 100) {
      return absl::AlreadyExistsError(absl::StrCat(dir.string(), " exists"));
    }
    dir = out_dir / absl::StrCat(name, "-", n);
  }
  if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  json files = json::array();
  auto write = [&](const std::string& path, const std::string& content) {
    return WritePrivate(dir, path, content, &files);
  };
  if (absl::Status s = write(kCoreDatabase, *dump); !s.ok()) return s;
  if (absl::Status s = write(kState, *state); !s.ok()) return s;
  if (absl::Status s = write(kSecrets, json(secrets).dump(1)); !s.ok()) {
    return s;
  }
  for (const auto& [name, wallet] : rendered->wallets) {
    if (!SafeBackupPath(name) || absl::StrContains(name, "/")) {
      return absl::InvalidArgumentError(
          absl::StrCat("wallet name '", name, "' cannot be a file name"));
    }
    if (absl::Status s =
            write(absl::StrCat(kWallets, name, ".json"), wallet.keystore_json);
        !s.ok()) {
      return s;
    }
  }
  json bundles = json::object(), operator_files = json::object();
  for (const Bundle& b : rendered->bundles) {
    // The operator's own files on the host go too: a lost host loses them.
    absl::StatusOr<std::unique_ptr<Target>> host =
        layers.targets->Open(b.target, spec->dir.string(), pool);
    if (!host.ok()) return host.status();
    for (const char* file : kOperatorOwnedFiles) {
      absl::StatusOr<std::optional<std::string>> content =
          ReadOperatorFile(host->get(), b.name, file);
      if (!content.ok()) return content.status();
      if (!content->has_value()) continue;
      if (absl::Status s =
              write(absl::StrCat(kBundles, b.name, "/", file), **content);
          !s.ok()) {
        return s;
      }
      operator_files[b.name].push_back(file);
    }
    json modes = json::object();
    for (const BundleFile& f : b.files) {
      if (absl::Status s =
              write(absl::StrCat(kBundles, b.name, "/", f.path), f.content);
          !s.ok()) {
        return s;
      }
      modes[f.path] = f.mode;
    }
    bundles[b.name] = std::move(modes);
  }
  json manifest = {
      {"format", kBackupFormat},
      {"pool", pool},
      {"revision", revision.revision},
      {"stackVersion", spec->spec.stack_version()},
      {"workerpool", revision.workerpool},
      {"createdAt", absl::FormatTime(absl::RFC3339_sec, layers.clock->Now(),
                                     absl::UTCTimeZone())},
      {"bundles", bundles},
      {"operatorFiles", operator_files},
      {"files", files}};
  json listed = files;
  if (absl::Status s = files::WriteFileAtomic(dir / kBackupManifest,
                                              manifest.dump(1) + "\n", 0600);
      !s.ok()) {
    return s;
  }
  BackupResult result;
  result.path = dir.string();
  for (const json& f : listed) result.files.push_back(f["path"]);
  result.files.push_back(kBackupManifest);
  return result;
}

absl::StatusOr<PoolBackup> ReadBackup(const fs::path& dir,
                                      const std::string& pool) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("backup ", dir.string(), ": ", why));
  };
  absl::StatusOr<std::string> text =
      files::ReadFile(dir / kBackupManifest, 4 << 20);
  if (!text.ok()) return bad(std::string(text.status().message()));
  absl::StatusOr<json> manifest = ParseBoundedJson(*text, "manifest.json");
  if (!manifest.ok() || !manifest->is_object() ||
      manifest->value("format", "") != kBackupFormat) {
    return bad("manifest.json is not a poolops backup manifest");
  }
  PoolBackup out;
  out.pool = manifest->value("pool", "");
  if (out.pool != pool) {
    return bad(absl::StrCat("it is pool '", out.pool, "', not '", pool, "'"));
  }
  const json& rev = (*manifest)["revision"];
  const json& listed = (*manifest)["files"];
  const json& bundles = (*manifest)["bundles"];
  if (!rev.is_number_unsigned() || !listed.is_array() ||
      listed.size() > kMaxManifestFiles || !bundles.is_object()) {
    return bad("manifest.json: revision, files or bundles malformed");
  }
  out.revision = rev.get<uint32_t>();
  out.workerpool = manifest->value("workerpool", "");

  // Every file checked before any is used.
  std::map<std::string, std::string> content;
  for (const json& f : listed) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() ||
        !f.contains("sha256") || !f["sha256"].is_string() ||
        !f.contains("size") || !f["size"].is_number_unsigned()) {
      return bad("manifest.json: a file entry is malformed");
    }
    const std::string path = f["path"];
    if (!SafeBackupPath(path) || content.count(path)) {
      return bad(
          absl::StrCat("manifest.json: bad or repeated path '", path, "'"));
    }
    const uint64_t size = f["size"];
    if (size > kMaxBackupFile) {
      return bad(absl::StrCat(path, ": over ", kMaxBackupFile, " bytes"));
    }
    struct stat st;
    if (::lstat((dir / path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return bad(absl::StrCat(path, ": missing or not a regular file"));
    }
    absl::StatusOr<std::string> data = files::ReadFile(dir / path, size);
    if (!data.ok() || data->size() != size ||
        Sha256Hex(*data) != f["sha256"].get<std::string>()) {
      return bad(absl::StrCat(path,
                              ": checksum mismatch (changed or "
                              "damaged since the backup)"));
    }
    content[path] = *std::move(data);
  }
  // Files the manifest does not list were not written by the backup.
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_directory()) continue;
    const std::string rel = fs::relative(it->path(), dir).string();
    if (rel != kBackupManifest && !content.count(rel)) {
      return bad(absl::StrCat(rel, ": not in the manifest"));
    }
  }
  for (const char* required : {kState, kSecrets, kCoreDatabase}) {
    if (!content.count(required))
      return bad(absl::StrCat(required, " missing"));
  }
  // The state is parsed by the store; its nesting is checked here.
  if (!JsonNestingWithin(content[kState], 8)) {
    return bad("state.json nests too deep");
  }
  out.state_json = content[kState];
  out.core_database = content[kCoreDatabase];
  absl::StatusOr<json> secrets =
      ParseBoundedJson(content[kSecrets], "secrets.json");
  if (!secrets.ok() || !secrets->is_object())
    return bad("secrets.json malformed");
  for (const auto& [key, value] : secrets->items()) {
    if (!value.is_string()) return bad("secrets.json: a value is not text");
    out.secrets[key] = value.get<std::string>();
  }
  for (const auto& [path, data] : content) {
    if (absl::StartsWith(path, kWallets) && absl::EndsWith(path, ".json")) {
      std::string name = path.substr(sizeof(kWallets) - 1);
      name.resize(name.size() - 5);
      if (name.empty() || absl::StrContains(name, "/")) {
        return bad(absl::StrCat(path, ": not a wallet file"));
      }
      out.wallets[name] = data;
    }
  }
  for (const auto& [name, modes] : bundles.items()) {
    if (!SafeBackupPath(name) || absl::StrContains(name, "/") ||
        !modes.is_object()) {
      return bad(absl::StrCat("manifest.json: bundle '", name, "' malformed"));
    }
    std::vector<BundleFile>& files = out.bundles[name];
    for (const auto& [path, mode] : modes.items()) {
      auto it = content.find(absl::StrCat(kBundles, name, "/", path));
      if (it == content.end() || !mode.is_number_unsigned() ||
          mode.get<uint32_t>() > 0777) {
        return bad(absl::StrCat("bundle ", name, ": ", path,
                                " missing or its mode malformed"));
      }
      files.push_back({path, it->second, mode.get<uint32_t>()});
    }
  }
  if (manifest->contains("operatorFiles")) {
    const json& operator_files = (*manifest)["operatorFiles"];
    if (!operator_files.is_object()) return bad("operatorFiles malformed");
    for (const auto& [name, list] : operator_files.items()) {
      if (!out.bundles.count(name) || !list.is_array()) {
        return bad(absl::StrCat("operatorFiles: bundle '", name, "'"));
      }
      for (const json& f : list) {
        bool known = false;
        for (const char* o : kOperatorOwnedFiles) known |= f == o;
        auto it = known ? content.find(absl::StrCat(kBundles, name, "/",
                                                    f.get<std::string>()))
                        : content.end();
        if (it == content.end()) {
          return bad(absl::StrCat("operatorFiles of ", name, ": ", f.dump()));
        }
        out.operator_files[name][f.get<std::string>()] = it->second;
      }
    }
  }
  if (!out.bundles.count("core")) return bad("no core bundle");
  return out;
}

absl::Status RestoreRecords(const ApplyLayers& layers,
                            const PoolBackup& backup) {
  const Dependencies& deps = layers.orchestrator->deps();
  // Wallets first: refused before anything is written when the vault holds
  // another key under a wallet's name.
  for (const auto& [name, keystore] : backup.wallets) {
    if (deps.wallets == nullptr) {
      return absl::FailedPreconditionError("no wallet-vault to restore into");
    }
    absl::StatusOr<std::optional<WalletKeystore>> found =
        deps.wallets->Find(name);
    if (!found.ok()) return found.status();
    absl::StatusOr<json> parsed = ParseBoundedJson(keystore, "keystore");
    const std::string address =
        parsed.ok() && parsed->is_object() ? parsed->value("address", "") : "";
    if (found->has_value()) {
      if (!absl::EqualsIgnoreCase(absl::StripPrefix((*found)->address, "0x"),
                                  absl::StripPrefix(address, "0x"))) {
        return absl::FailedPreconditionError(
            absl::StrCat("the vault's wallet '", name, "' is ",
                         (*found)->address, ", the backup's is 0x", address,
                         ": rename or remove one before restoring"));
      }
      continue;
    }
    auto password = backup.secrets.find(absl::StrCat("wallet:", name));
    if (password == backup.secrets.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "wallet '", name,
          "' is not in the vault and its password is the operator's: import "
          "it first (poolctl wallet import-keystore)"));
    }
  }
  if (deps.secrets != nullptr) {
    for (const auto& [key, value] : backup.secrets) {
      absl::StatusOr<std::optional<std::string>> have =
          deps.secrets->Get(backup.pool, key);
      if (!have.ok()) return have.status();
      if (have->has_value()) continue;
      if (absl::Status s = deps.secrets->Put(backup.pool, key, value);
          !s.ok()) {
        return s;
      }
    }
  }
  // The orchestrator's own history of the pool, when it has one, is newer
  // than the backup's; it must be the same workerpool.
  absl::StatusOr<std::vector<RevisionRecord>> history =
      layers.state->History(backup.pool);
  if (!history.ok() && !absl::IsNotFound(history.status())) {
    return history.status();
  }
  if (!history.ok() || history->empty()) {
    if (absl::Status s =
            layers.state->ImportPool(backup.pool, backup.state_json);
        !s.ok()) {
      return s;
    }
    // Nothing of it runs yet: `up` marks it up once it does.
    if (absl::Status s = layers.state->MarkDown(backup.pool); !s.ok()) {
      return s;
    }
  } else {
    absl::StatusOr<std::string> workerpool =
        layers.state->Workerpool(backup.pool);
    if (!workerpool.ok()) return workerpool.status();
    if (!absl::EqualsIgnoreCase(*workerpool, backup.workerpool)) {
      return absl::FailedPreconditionError(
          absl::StrCat("pool '", backup.pool, "' here is workerpool ",
                       *workerpool, ", the backup's is ", backup.workerpool));
    }
  }
  for (const auto& [name, keystore] : backup.wallets) {
    absl::StatusOr<std::optional<WalletKeystore>> found =
        deps.wallets->Find(name);
    if (!found.ok()) return found.status();
    if (found->has_value()) continue;
    if (absl::Status s = deps.wallets->Import(
            name, keystore, backup.secrets.at(absl::StrCat("wallet:", name)));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status RestoreBundles(const ApplyLayers& layers, const PoolBackup& backup,
                            const std::vector<BundleRecord>& bundles,
                            const std::string& spec_dir) {
  for (const BundleRecord& b : bundles) {
    auto files = backup.bundles.find(b.name);
    if (files == backup.bundles.end()) {
      return absl::DataLossError(
          absl::StrCat("the backup has no bundle '", b.name, "'"));
    }
    absl::StatusOr<std::unique_ptr<Target>> target =
        layers.targets->Open(b.target, spec_dir, backup.pool);
    if (!target.ok()) return target.status();
    if (absl::Status s = (*target)->WriteBundle(b.name, files->second);
        !s.ok()) {
      return s;
    }
    auto own = backup.operator_files.find(b.name);
    if (own == backup.operator_files.end()) continue;
    for (const auto& [file, content] : own->second) {
      if (absl::Status s =
              WriteOperatorFileIfAbsent(target->get(), b.name, file, content);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status RestoreCoreDatabase(const ApplyLayers& layers,
                                 const PoolBackup& backup,
                                 const BundleRecord& core,
                                 const std::string& spec_dir) {
  absl::StatusOr<std::unique_ptr<Target>> target =
      layers.targets->Open(core.target, spec_dir, backup.pool);
  if (!target.ok()) return target.status();
  const ComposeBundle compose = ComposeOf(core);
  if (absl::Status s = layers.runner->UpServices(target->get(), compose,
                                                 {kCoreDatabaseService});
      !s.ok()) {
    return s;
  }
  // mongod takes a moment to accept connections on a fresh volume.
  absl::Status last;
  const absl::Time deadline =
      layers.clock->Now() + layers.options.core_healthy_timeout;
  do {
    absl::StatusOr<std::string> out =
        layers.runner->Exec(target->get(), compose, kCoreDatabaseService,
                            {"mongorestore", "--archive", "--drop", "--quiet",
                             "--port", kCoreDatabasePort},
                            backup.core_database);
    if (out.ok()) return absl::OkStatus();
    last = out.status();
    layers.clock->SleepFor(layers.options.poll_interval);
  } while (layers.clock->Now() < deadline);
  return absl::Status(last.code(), absl::StrCat("the core's database restore: ",
                                                last.message()));
}

}  // namespace poolops::orchestrator
