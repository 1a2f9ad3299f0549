// The poolops home folder (--home, $POOLOPS_HOME, default ~/.poolops):
//   config.yaml, chains/, keystore/ (vault, iExec SDK layout), wallets.json,
//   state.db, audit.log, devnet/, run/ (sockets, pids), logs/.
// Every folder is created 0700: the unix sockets inside are the access control.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace poolops {

class Home {
 public:
  // Resolves `flag` (may be empty), then $POOLOPS_HOME, then ~/.poolops.
  static std::filesystem::path Resolve(std::string_view flag);
  // Creates the folder tree (0700) if missing. An existing root keeps its
  // mode and is refused when group or others may write to it
  // (FailedPrecondition); the subfolders are ours and get tightened.
  static absl::StatusOr<Home> Open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path keystore_dir() const { return root_ / "keystore"; }
  std::filesystem::path run_dir() const { return root_ / "run"; }
  std::filesystem::path logs_dir() const { return root_ / "logs"; }
  std::filesystem::path chains_dir() const { return root_ / "chains"; }
  std::filesystem::path devnet_dir() const { return root_ / "devnet"; }
  std::filesystem::path audit_log() const { return root_ / "audit.log"; }
  std::filesystem::path state_db() const { return root_ / "state.db"; }
  std::filesystem::path config_file() const { return root_ / "config.yaml"; }
  // run/<service>.sock, the default listen address of each service.
  std::filesystem::path socket_path(std::string_view service) const;

 private:
  explicit Home(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace poolops
