// `pool backup` and what `pool restore` reads back: the core's database (a
// mongodump in its container), the pool's wallets (encrypted keystores as
// the vault keeps them), the secrets poolops generated for it, the bundles
// of its last applied revision, its state and history, with a manifest of
// sha-256 sums. Every file 0600 in a 0700 folder: the bundles' .env files
// hold the same passwords as on the hosts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/up_run.h"

namespace poolops::orchestrator {

inline constexpr char kBackupFormat[] = "poolops-backup 1";
inline constexpr char kBackupManifest[] = "manifest.json";
// Restore reads no file larger than this (the database dump).
inline constexpr uint64_t kMaxBackupFile = uint64_t{1} << 30;

struct BackupResult {
  std::string path;                // the backup's folder
  std::vector<std::string> files;  // relative to it, manifest.json last
};

// Backs up the pool as its last applied revision runs: FailedPrecondition
// for a pool that never ran or is down (its database runs only while it is
// up). Writes <out_dir>/<pool>-<UTC time>-r<revision>/.
absl::StatusOr<BackupResult> BackupPool(const ApplyLayers& layers,
                                        const std::string& pool,
                                        const std::filesystem::path& out_dir);

// A backup as read back, every file checked against the manifest first.
struct PoolBackup {
  std::string pool;
  uint32_t revision = 0;
  std::string workerpool;
  std::string state_json;
  std::map<std::string, std::string> secrets;
  std::map<std::string, std::string> wallets;  // name -> keystore JSON
  // bundle name -> its files (path, content, mode)
  std::map<std::string, std::vector<BundleFile>> bundles;
  // bundle name -> the operator's own files there (override.env, ...)
  std::map<std::string, std::map<std::string, std::string>> operator_files;
  std::string core_database;  // the mongodump archive
};

// InvalidArgument naming the file when a checksum, a size or the manifest
// is wrong, a file is missing or one is not listed; nothing is changed.
absl::StatusOr<PoolBackup> ReadBackup(const std::filesystem::path& dir,
                                      const std::string& pool);

// Puts back what lives outside the hosts: the secrets (those the store
// lacks), the wallets (imported when the vault lacks them; a vault wallet
// of the same name with another address is FailedPrecondition) and the
// state (kept when the orchestrator has a history of the pool: it must be
// the backup's workerpool, else FailedPrecondition).
absl::Status RestoreRecords(const ApplyLayers& layers,
                            const PoolBackup& backup);

// Writes each bundle of the revision to its host as backed up, and the
// operator's files the host lacks (an existing one is the operator's: kept).
absl::Status RestoreBundles(const ApplyLayers& layers, const PoolBackup& backup,
                            const std::vector<BundleRecord>& bundles,
                            const std::string& spec_dir);

// Starts the core's database alone (its bundle restored first) and restores
// the dump into it (mongorestore --drop), retried while mongod starts.
absl::Status RestoreCoreDatabase(const ApplyLayers& layers,
                                 const PoolBackup& backup,
                                 const BundleRecord& core,
                                 const std::string& spec_dir);

}  // namespace poolops::orchestrator
