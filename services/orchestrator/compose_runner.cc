#include "services/orchestrator/compose_runner.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/swarm_runner.h"

namespace poolops::orchestrator {

namespace {

// What compose printed, made readable: a Python traceback (v1 when the
// daemon is gone) becomes its last line; long output keeps its tail.
std::string Condense(const std::string& output) {
  std::string out(absl::StripAsciiWhitespace(output));
  if (absl::StrContains(out, "Traceback (most recent call last)")) {
    size_t nl = out.rfind('\n');
    out = nl == std::string::npos ? out : out.substr(nl + 1);
  }
  constexpr size_t kMax = 4000;
  if (out.size() > kMax) out = "..." + out.substr(out.size() - kMax);
  return out;
}

// Backups and restores exec in the database's container, which a swarm
// may run on any node: not done there yet.
absl::Status NotOnSwarm(const Target& target, const std::string& what) {
  return absl::UnimplementedError(
      absl::StrCat(target.Describe(), ": ", what,
                   " is not supported on swarm targets yet (backup and "
                   "restore of the core's database need a compose target)"));
}

}  // namespace

absl::Status ComposeFailure(const std::string& target, const std::string& verb,
                            const std::string& bundle,
                            const std::string& output) {
  const std::string what =
      absl::StrCat(target, ": compose ", verb, " of ", bundle, " failed: ");
  const std::string out = Condense(output);
  // v1 says "Couldn't connect to Docker daemon" or, when the socket file is
  // gone, "Error while fetching server API version"; v2 and the CLI say
  // "Cannot connect to the Docker daemon".
  for (const char* sign :
       {"connect to Docker daemon", "connect to the Docker daemon",
        "Is the docker daemon running", "error during connect",
        "Error while fetching server API version"}) {
    if (absl::StrContains(out, sign)) {
      return absl::UnavailableError(absl::StrCat(
          what,
          "the docker daemon is not reachable there (start dockerd or "
          "set DOCKER_HOST, then `poolctl pool up` again): ",
          out));
    }
  }
  // An image not on the host is pulled; a failed pull (no such image, no
  // registry reachable) fails the command. v1 prints "Pulling core
  // (image:tag)...", v2 "core Pulling".
  // A pull followed by containers being created succeeded: whatever failed
  // came later.
  std::string image;
  bool pull_failed = false;
  if (size_t at = out.rfind("Pulling"); at != std::string::npos) {
    const std::string after = out.substr(at);
    pull_failed = !absl::StrContains(after, "Creating ") &&
                  !absl::StrContains(after, "Recreating ") &&
                  !absl::StrContains(after, "Starting ");
    size_t open = after.find(" ("), close = after.find(")...");
    if (pull_failed && open != std::string::npos &&
        close != std::string::npos && open < close) {
      image = after.substr(open + 2, close - open - 2);
    }
  }
  for (const char* sign :
       {"pull access denied", "manifest unknown", "No such image",
        "repository does not exist", "not found: manifest"}) {
    pull_failed |= absl::StrContains(out, sign);
  }
  if (pull_failed) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, "an image is missing", image.empty() ? "" : " (" + image + ")",
        ": it is not on the host and could not be pulled (check "
        "images/registry/tags in the spec, or `poolctl devnet images` for the "
        "simulators): ",
        out));
  }
  return absl::UnavailableError(absl::StrCat(what, out));
}

absl::StatusOr<std::string> DockerComposeRunner::Detect(Target* target) {
  {
    absl::MutexLock lock(&mu_);
    auto it = flavour_.find(target->Describe());
    if (it != flavour_.end()) return it->second;
  }
  // Outside any bundle folder: it may not exist yet.
  absl::StatusOr<CommandResult> r = target->Shell(
      "",
      "if docker compose version >/dev/null 2>&1; then echo v2; "
      "elif docker-compose version >/dev/null 2>&1; then echo v1; "
      "else echo none; fi\n");
  if (!r.ok()) return r.status();
  std::string out(absl::StripAsciiWhitespace(r->output));
  std::string flavour;
  if (absl::EndsWith(out, "v2")) {
    flavour = "docker compose";
  } else if (absl::EndsWith(out, "v1")) {
    flavour = "docker-compose";
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat(target->Describe(),
                     ": neither `docker compose` (v2) nor `docker-compose` "
                     "(v1) works there: ",
                     r->output));
  }
  absl::MutexLock lock(&mu_);
  flavour_[target->Describe()] = flavour;
  return flavour;
}

std::string ComposeScript(const std::string& compose,
                          const ComposeBundle& bundle, const std::string& args,
                          bool exclusive) {
  std::string cmd = absl::StrCat(compose, " -p ", ShellQuote(bundle.project));
  for (const std::string& f : bundle.files) {
    absl::StrAppend(&cmd, " -f ", ShellQuote(f));
  }
  std::string script = "set -e\n";
  if (exclusive) {
    // One changing command per bundle at a time, across processes: a
    // compose left running by an orchestrator that was killed finishes
    // before the next one starts. The lock goes with the shell's exit.
    absl::StrAppend(&script,
                    "if command -v flock >/dev/null 2>&1; then exec 9>>",
                    kComposeLockFile, "; flock 9; fi\n");
  }
  absl::StrAppend(&script, "extra=\n",
                  "[ -f docker-compose.override.yml ] && "
                  "extra='-f docker-compose.override.yml'\n",
                  cmd, " $extra ", args, "\n");
  return script;
}

absl::StatusOr<CommandResult> DockerComposeRunner::Compose(
    Target* target, const ComposeBundle& bundle, const std::string& args,
    bool exclusive) {
  absl::StatusOr<std::string> flavour = Detect(target);
  if (!flavour.ok()) return flavour.status();
  return target->Shell(bundle.name,
                       ComposeScript(*flavour, bundle, args, exclusive));
}

absl::Status DockerComposeRunner::Up(Target* target,
                                     const ComposeBundle& bundle) {
  if (target->SwarmHost()) return StackDeploy(target, bundle);
  absl::StatusOr<CommandResult> r =
      Compose(target, bundle, "up -d --remove-orphans", /*exclusive=*/true);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return ComposeFailure(target->Describe(), "up", bundle.name, r->output);
  }
  return absl::OkStatus();
}

absl::Status DockerComposeRunner::Down(Target* target,
                                       const ComposeBundle& bundle,
                                       bool remove_volumes) {
  if (target->SwarmHost()) {
    return StackRemove(target, bundle, remove_volumes);
  }
  absl::StatusOr<CommandResult> r =
      Compose(target, bundle,
              remove_volumes ? "down --remove-orphans -v -t 5"
                             : "down --remove-orphans -t 5",
              /*exclusive=*/true);
  if (!r.ok()) return r.status();
  if (r->exit_code == 3) return absl::OkStatus();  // no folder: nothing runs
  if (r->exit_code != 0) {
    return ComposeFailure(target->Describe(), "down", bundle.name, r->output);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> DockerComposeRunner::Running(
    Target* target, const ComposeBundle& bundle) {
  if (target->SwarmHost()) {
    absl::StatusOr<std::vector<SwarmServiceState>> services =
        StackServices(target, bundle);
    if (!services.ok()) return services.status();
    std::vector<std::string> out;
    for (const SwarmServiceState& s : *services) {
      if (s.Converged()) out.push_back(s.service);
    }
    return out;
  }
  // Docker's own state per container: compose's "running" filter also
  // lists a container in a restart loop (State.Running stays true), which
  // is what a worker that exits at start looks like.
  absl::StatusOr<CommandResult> r =
      Compose(target, bundle,
              "ps -q >.poolops-ps; xargs -r docker inspect -f "
              "'{{index .Config.Labels \"com.docker.compose.service\"}} "
              "{{.State.Status}}' <.poolops-ps; rm -f .poolops-ps",
              /*exclusive=*/false);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return ComposeFailure(target->Describe(), "ps", bundle.name, r->output);
  }
  std::vector<std::string> out;
  for (absl::string_view line :
       absl::StrSplit(r->output, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f =
        absl::StrSplit(absl::StripAsciiWhitespace(line), ' ');
    if (f.size() == 2 && f[1] == "running") out.emplace_back(f[0]);
  }
  return out;
}

absl::StatusOr<std::string> DockerComposeRunner::Logs(
    Target* target, const ComposeBundle& bundle, const std::string& service,
    int lines) {
  if (target->SwarmHost()) {
    // A task the swarm rejected (a missing image or bind folder, no node
    // that fits) has no logs: what the swarm says comes first.
    std::string said;
    absl::StatusOr<std::vector<SwarmServiceState>> states =
        StackServices(target, bundle);
    if (states.ok()) {
      for (const SwarmServiceState& st : *states) {
        if (st.service != service || st.Converged()) continue;
        said = absl::StrCat("swarm: ", service, " ", st.Describe(), "\n");
      }
    }
    absl::StatusOr<std::string> logs =
        StackLogs(target, bundle, service, lines);
    if (!logs.ok()) {
      if (said.empty()) return logs.status();
      return said;
    }
    return said + Condense(*logs);
  }
  absl::StatusOr<CommandResult> r = Compose(
      target, bundle,
      absl::StrCat("logs --no-color --tail ", lines, " ", ShellQuote(service)),
      /*exclusive=*/false);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return ComposeFailure(target->Describe(), "logs", bundle.name, r->output);
  }
  return Condense(r->output);
}

absl::Status DockerComposeRunner::UpServices(
    Target* target, const ComposeBundle& bundle,
    const std::vector<std::string>& services) {
  if (target->SwarmHost()) return NotOnSwarm(*target, "starting some services");
  std::string args = "up -d";
  for (const std::string& s : services)
    absl::StrAppend(&args, " ", ShellQuote(s));
  absl::StatusOr<CommandResult> r =
      Compose(target, bundle, args, /*exclusive=*/true);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return ComposeFailure(target->Describe(), "up", bundle.name, r->output);
  }
  return absl::OkStatus();
}

namespace {
constexpr char kExecOut[] = "POOLOPS-EXEC-OUT";
constexpr char kExecEnd[] = "POOLOPS-EXEC-END";
}  // namespace

absl::StatusOr<std::string> DockerComposeRunner::Exec(
    Target* target, const ComposeBundle& bundle, const std::string& service,
    const std::vector<std::string>& command, const std::string& input) {
  if (target->SwarmHost()) return NotOnSwarm(*target, "exec in a service");
  absl::StatusOr<std::string> flavour = Detect(target);
  if (!flavour.ok()) return flavour.status();
  // Bytes travel base64 both ways (the script on stdin, the answer in the
  // shell's output) through temporary 0600 files on the host.
  std::string args = absl::StrCat("exec -T ", ShellQuote(service));
  for (const std::string& c : command)
    absl::StrAppend(&args, " ", ShellQuote(c));
  absl::StrAppend(&args,
                  " <\"$in\" >\"$out\" 2>\"$err\" || { c=$?; cat \"$err\"; "
                  "exit $c; }");
  std::string script = absl::StrCat(
      "set -e\nin=$(mktemp) out=$(mktemp) err=$(mktemp)\n",
      "trap 'rm -f \"$in\" \"$out\" \"$err\"' EXIT\n",
      "base64 -d >\"$in\" <<'POOLOPS_EXEC_INPUT'\n", Base64Lines(input),
      "POOLOPS_EXEC_INPUT\n",
      ComposeScript(*flavour, bundle, args, /*exclusive=*/false), "echo ",
      kExecOut, "\nbase64 \"$out\"\necho ", kExecEnd, "\n");
  absl::StatusOr<CommandResult> r = target->Shell(bundle.name, script);
  if (!r.ok()) return r.status();
  const std::string what =
      absl::StrCat(service, " ", command.empty() ? "" : command[0]);
  size_t begin = r->output.find(absl::StrCat(kExecOut, "\n"));
  size_t end = r->output.rfind(kExecEnd);
  if (r->exit_code != 0 || begin == std::string::npos ||
      end == std::string::npos || end < begin) {
    return absl::UnavailableError(absl::StrCat(
        target->Describe(), ": ", what, " in ", bundle.name, " failed (exit ",
        r->exit_code, "): ", Condense(r->output)));
  }
  begin += sizeof(kExecOut);
  std::string encoded;
  for (char c : r->output.substr(begin, end - begin)) {
    if (c != '\n' && c != '\r') encoded.push_back(c);
  }
  std::string out;
  if (!absl::Base64Unescape(encoded, &out)) {
    return absl::DataLossError(absl::StrCat(target->Describe(), ": ", what,
                                            ": the output did not decode"));
  }
  return out;
}

}  // namespace poolops::orchestrator
