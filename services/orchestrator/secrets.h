// The pool's secrets: passwords the operator gives as files, else generated
// (160 bits from an injectable Random) and kept in a SecretStore so that
// every render of the same pool gets the same values.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/random.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// Secrets kept per pool: "PROD_MONGO_PASSWORD", "wallet:<name>", ...
class SecretStore {
 public:
  virtual ~SecretStore() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(
      const std::string& pool, const std::string& key) = 0;
  virtual absl::Status Put(const std::string& pool, const std::string& key,
                           const std::string& value) = 0;
  // Every secret of the pool by key (backups).
  virtual absl::StatusOr<std::map<std::string, std::string>> All(
      const std::string& pool) = 0;
};

// <root>/<pool>/secrets.json, 0600 in 0700 folders, replaced atomically.
// A pool name that is not [a-z0-9][a-z0-9-]* is InvalidArgument (it becomes
// a folder name). Thread-safe.
class FileSecretStore : public SecretStore {
 public:
  explicit FileSecretStore(std::filesystem::path root)
      : root_(std::move(root)) {}
  absl::StatusOr<std::optional<std::string>> Get(
      const std::string& pool, const std::string& key) override;
  absl::Status Put(const std::string& pool, const std::string& key,
                   const std::string& value) override;
  absl::StatusOr<std::map<std::string, std::string>> All(
      const std::string& pool) override;

 private:
  absl::Mutex mu_;
  std::filesystem::path root_;
};

// For tests. Thread-safe.
class MemorySecretStore : public SecretStore {
 public:
  absl::StatusOr<std::optional<std::string>> Get(
      const std::string& pool, const std::string& key) override;
  absl::Status Put(const std::string& pool, const std::string& key,
                   const std::string& value) override;
  absl::StatusOr<std::map<std::string, std::string>> All(
      const std::string& pool) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, std::string> values_ ABSL_GUARDED_BY(mu_);
};

// 40 lowercase hex characters (160 bits): safe in .env files unquoted.
absl::StatusOr<std::string> GeneratePassword(Random* random);

// Every password a pool's bundles need, by .env variable name
// (PROD_CHAIN_ADAPTER_PASSWORD, PROD_GRAFANA_ADMIN_PASSWORD,
// PROD_MONGO_PASSWORD, SCONTAIN_REGISTRY_PASSWORD, REGISTRY_PASSWORD), and
// the keystore password of each wallet by wallet name.
struct PoolSecrets {
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> wallet_passwords;
  // Store keys (variable names, "wallet:<name>") of the secrets the request
  // itself carried: the only ones `Render` hands back.
  std::set<std::string> supplied;
};

// For each *_file field of the spec: the secret the request carries
// (`supplied`, by path as written; see secret_files.h), which is then kept
// in the store, else the stored one, else FailedPrecondition (the
// orchestrator never reads the named file itself). Passwords without a
// *_file: stored, else generated and stored. Wallet passwords without a
// *_file: stored, else left out (the caller decides: create it, or fail).
// A supplied secret that no .env quoting keeps intact is InvalidArgument
// naming its field.
absl::StatusOr<PoolSecrets> ResolveSecrets(
    const v1::PoolSpec& spec,
    const std::map<std::string, std::string>& supplied, SecretStore* store,
    Random* random);

// The store key of a wallet's password: "wallet:<name>".
std::string WalletPasswordKey(const std::string& wallet);

// `path` if absolute, else spec_dir / path.
std::filesystem::path SpecRelative(const std::filesystem::path& spec_dir,
                                   const std::string& path);

}  // namespace poolops::orchestrator
