// docker compose on a target: v2 (`docker compose`) or v1 (`docker-compose`),
// detected per host. Runs in the bundle folder with the bundle's compose
// files in order, plus the operator's docker-compose.override.yml when it
// exists. Secrets stay in .env: nothing secret is on the command line.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/orchestrator/target.h"

namespace poolops::orchestrator {

struct ComposeBundle {
  std::string name;                // folder under the target root
  std::string project;             // -p
  std::vector<std::string> files;  // -f, in order
};

class ComposeRunner {
 public:
  virtual ~ComposeRunner() = default;
  // up -d --remove-orphans.
  virtual absl::Status Up(Target* target, const ComposeBundle& bundle) = 0;
  // down (-v with remove_volumes).
  virtual absl::Status Down(Target* target, const ComposeBundle& bundle,
                            bool remove_volumes) = 0;
  // Names of the running services.
  virtual absl::StatusOr<std::vector<std::string>> Running(
      Target* target, const ComposeBundle& bundle) = 0;
  // The last `lines` log lines of `service` (a failed gate says why the
  // service did not come up before the rollback removes its container).
  virtual absl::StatusOr<std::string> Logs(Target* /*target*/,
                                           const ComposeBundle& /*bundle*/,
                                           const std::string& /*service*/,
                                           int /*lines*/) {
    return absl::UnimplementedError("no logs");
  }
  // up -d of some services only (restore starts the database alone).
  virtual absl::Status UpServices(
      Target* /*target*/, const ComposeBundle& /*bundle*/,
      const std::vector<std::string>& /*services*/) {
    return absl::UnimplementedError("no up of some services");
  }
  // Runs `command` in `service`'s container (exec -T) with `input` on its
  // stdin; returns its stdout, bytes as they are (a database dump). A
  // non-zero exit is an error with what it printed on stderr.
  virtual absl::StatusOr<std::string> Exec(
      Target* /*target*/, const ComposeBundle& /*bundle*/,
      const std::string& /*service*/,
      const std::vector<std::string>& /*command*/,
      const std::string& /*input*/) {
    return absl::UnimplementedError("no exec");
  }
};

// The error for a failed compose command, from what it printed: the docker
// daemon unreachable (Unavailable) or an image missing (FailedPrecondition)
// say so and what to do; anything else is Unavailable with the output.
absl::Status ComposeFailure(const std::string& target, const std::string& verb,
                            const std::string& bundle,
                            const std::string& output);

// In a bundle folder: the flock(1) lock that up and down hold (ps does not).
inline constexpr char kComposeLockFile[] = ".poolops-compose.lock";

// The script a compose command runs in its bundle folder: `compose` (the
// flavour's command) with the bundle's files, the operator's override when
// it exists, and with `exclusive` the bundle's lock when flock exists there.
std::string ComposeScript(const std::string& compose,
                          const ComposeBundle& bundle, const std::string& args,
                          bool exclusive);

// Through Target::Shell. Remembers the compose flavour of each target.
class DockerComposeRunner : public ComposeRunner {
 public:
  absl::Status Up(Target* target, const ComposeBundle& bundle) override;
  absl::Status Down(Target* target, const ComposeBundle& bundle,
                    bool remove_volumes) override;
  absl::StatusOr<std::vector<std::string>> Running(
      Target* target, const ComposeBundle& bundle) override;
  absl::StatusOr<std::string> Logs(Target* target, const ComposeBundle& bundle,
                                   const std::string& service,
                                   int lines) override;
  absl::Status UpServices(Target* target, const ComposeBundle& bundle,
                          const std::vector<std::string>& services) override;
  absl::StatusOr<std::string> Exec(Target* target, const ComposeBundle& bundle,
                                   const std::string& service,
                                   const std::vector<std::string>& command,
                                   const std::string& input) override;
  // "docker compose" or "docker-compose" (FailedPrecondition: neither).
  absl::StatusOr<std::string> Detect(Target* target);

 private:
  absl::StatusOr<CommandResult> Compose(Target* target,
                                        const ComposeBundle& bundle,
                                        const std::string& args,
                                        bool exclusive);
  absl::Mutex mu_;
  std::map<std::string, std::string> flavour_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::orchestrator
