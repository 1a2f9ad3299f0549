// Where bundles go and where their commands run: a folder on this machine
// ("local:/path") or a folder on another one through the OpenSSH client
// ("ssh://user@host[:port]/path", so ~/.ssh/config and agents work). Files
// travel on stdin, never in argv; secrets are written 0600 with umask 077.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/process_runner.h"
#include "services/orchestrator/renderer.h"
#include "services/orchestrator/spec_validator.h"

namespace poolops::orchestrator {

struct CommandResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr, interleaved
};

// Long enough for compose to pull large images on a slow link; a hung
// docker daemon or host still ends the apply instead of holding it (the
// command is stopped with everything it started: DeadlineExceeded).
inline constexpr absl::Duration kCommandTimeout = absl::Minutes(30);

// The files a bundle folder holds that poolops never writes or deletes: an
// extra compose file (used with -f after the bundle's) and extra variables
// (appended to the .env poolops writes, so they win).
inline constexpr const char* kOperatorOwnedFiles[] = {
    "docker-compose.override.yml", "override.env"};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string Describe() const = 0;
  // A Docker Swarm manager (bundles are deployed as stacks there): its
  // DOCKER_HOST, "" for the orchestrator's own; nullopt for a folder target.
  virtual std::optional<std::string> SwarmHost() const { return std::nullopt; }
  // Writes <root>/<bundle>: the previous folder's files are first copied to
  // <root>/.<bundle>.backup (replacing an older backup; with `keep_backup`
  // an existing backup stays: the folder holds an unfinished revision's
  // files, the backup what last ran well); files of the previous bundle that
  // the new one lacks are removed; operator-owned files are left alone.
  // Each file is replaced atomically.
  virtual absl::Status WriteBundle(const std::string& bundle,
                                   const std::vector<BundleFile>& files,
                                   bool keep_backup) = 0;
  absl::Status WriteBundle(const std::string& bundle,
                           const std::vector<BundleFile>& files) {
    return WriteBundle(bundle, files, /*keep_backup=*/false);
  }
  // Puts the backup back (NotFound when there is none).
  virtual absl::Status RestoreBackup(const std::string& bundle) = 0;
  // True when <root>/<bundle>/<file> exists.
  virtual absl::StatusOr<bool> Exists(const std::string& bundle,
                                      const std::string& file) = 0;
  // Runs a shell script in <root>/<bundle> (sh -s, the script on stdin);
  // exit code 3 when that folder does not exist. Empty `bundle`: runs in
  // the login/current folder.
  virtual absl::StatusOr<CommandResult> Shell(const std::string& bundle,
                                              const std::string& script) = 0;
};

class TargetFactory {
 public:
  virtual ~TargetFactory() = default;
  // `spec_dir` resolves relative local paths; `pool` names a swarm
  // target's folder.
  virtual absl::StatusOr<std::unique_ptr<Target>> Open(
      const std::string& target, const std::string& spec_dir,
      const std::string& pool) = 0;
  absl::StatusOr<std::unique_ptr<Target>> Open(const std::string& target,
                                               const std::string& spec_dir) {
    return Open(target, spec_dir, "");
  }
};

struct SshOptions {
  std::string config_file;  // ssh -F (tests: key, known hosts, port)
  int connect_timeout_seconds = 10;
};

// Local folders, SSH through `ssh` on PATH, and swarms (their bundles kept
// under `swarm_root`/<manager>/<pool>; empty: swarm targets are refused).
std::unique_ptr<TargetFactory> NewTargetFactory(
    proc::ProcessRunner* runner, SshOptions ssh = {},
    std::filesystem::path swarm_root = {});

// The ssh argv up to the destination: our options first, the spec's user
// and port only as the values of -l and -p, then "--" and the host (IPv6
// without brackets), so that no value of a spec is ever read as an option
// even if ParseTarget let one through. The command ("sh -s", constant)
// follows; paths reach the remote shell only on stdin, ShellQuote'd.
std::vector<std::string> SshCommand(const TargetAddress& target,
                                    const SshOptions& ssh);

// Single-quotes a word for sh: every byte but ' kept as is inside '...',
// each ' as '\''. Safe for any text without NUL (the targets' paths hold
// no control characters at all).
std::string ShellQuote(const std::string& word);

// `data` in base64, 76 characters a line, each ending in a newline: what a
// script decodes from a heredoc, whose delimiter no byte of `data` can end.
std::string Base64Lines(const std::string& data);

// An operator-owned file of a bundle folder (kOperatorOwnedFiles), bytes as
// they are; nullopt when there is none.
absl::StatusOr<std::optional<std::string>> ReadOperatorFile(
    Target* target, const std::string& bundle, const std::string& file);
// Writes it (0600) unless the folder already has one: never replaces the
// operator's own.
absl::Status WriteOperatorFileIfAbsent(Target* target,
                                       const std::string& bundle,
                                       const std::string& file,
                                       const std::string& content);

// The shell script that writes a bundle (files base64 in heredocs).
std::string WriteBundleScript(const std::string& root,
                              const std::string& bundle,
                              const std::vector<BundleFile>& files,
                              bool keep_backup = false);

}  // namespace poolops::orchestrator
