#include "services/orchestrator/swarm_runner.h"

#include "absl/strings/str_cat.h"
#include "services/orchestrator/swarm_stack.h"

namespace poolops::orchestrator {
namespace {

// The stack's files, then the operator's own when the folder has one.
std::string ComposeArgs(const ComposeBundle& bundle) {
  std::string args;
  for (const std::string& f : bundle.files) {
    absl::StrAppend(&args, " -c ", ShellQuote(f));
  }
  absl::StrAppend(&args,
                  " $( [ -f docker-compose.override.yml ] && "
                  "echo '-c docker-compose.override.yml' )");
  return args;
}

absl::StatusOr<CommandResult> Run(Target* target, const ComposeBundle& bundle,
                                  const std::string& script) {
  return target->Shell(
      bundle.name,
      absl::StrCat(SwarmEnv(*target),
                   "command -v docker >/dev/null || { echo 'no docker CLI on "
                   "the orchestrator host (swarm targets need it)'; exit 4; "
                   "}\n",
                   script));
}

absl::Status Failure(Target* target, const std::string& verb,
                     const ComposeBundle& bundle, const CommandResult& r) {
  if (r.exit_code == 4) {
    return absl::FailedPreconditionError(
        absl::StrCat(target->Describe(), ": ", r.output));
  }
  return ComposeFailure(target->Describe(), verb, bundle.project, r.output);
}

}  // namespace

std::string SwarmEnv(const Target& target) {
  std::optional<std::string> host = target.SwarmHost();
  if (!host.has_value() || host->empty()) return "";
  return absl::StrCat("DOCKER_HOST=", ShellQuote(*host),
                      "\nexport DOCKER_HOST\n");
}

absl::Status StackDeploy(Target* target, const ComposeBundle& bundle) {
  // Images by tag, as compose does: each node pulls (or has) its own; a
  // registry is never asked for digests (the devnet has none).
  absl::StatusOr<CommandResult> r =
      Run(target, bundle,
          absl::StrCat("docker stack deploy --prune --resolve-image never",
                       ComposeArgs(bundle), " ", ShellQuote(bundle.project),
                       " 2>&1\n"));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return Failure(target, "stack deploy", bundle, *r);
  return absl::OkStatus();
}

absl::Status StackRemove(Target* target, const ComposeBundle& bundle,
                         bool remove_volumes) {
  const std::string ns = ShellQuote(
      absl::StrCat("label=com.docker.stack.namespace=", bundle.project));
  std::string script = absl::StrCat(
      // A manager that does not answer must not look like a removed stack.
      "docker service ls -q >/dev/null || exit 1\n", "docker stack rm ",
      ShellQuote(bundle.project), " >/dev/null 2>&1\n",
      // Services go at once; their containers and the stack's secrets and
      // configs a little later.
      "i=0\nwhile [ $i -lt 120 ]; do\n",
      "  [ -z \"$(docker service ls -q --filter ", ns,
      ")$(docker secret ls -q --filter ", ns,
      ")$(docker config ls -q --filter ", ns, ")\" ] && break\n",
      "  docker stack rm ", ShellQuote(bundle.project), " >/dev/null 2>&1\n",
      "  sleep 0.5; i=$((i+1))\ndone\n",
      "[ $i -lt 120 ] || { echo 'stack not removed after a minute'; exit 1; "
      "}\n");
  if (remove_volumes) {
    absl::StrAppend(&script, "j=0\nwhile [ $j -lt 60 ]; do\n",
                    "  v=$(docker volume ls -q --filter ", ns, ")\n",
                    "  [ -z \"$v\" ] && break\n",
                    "  echo \"$v\" | xargs docker volume rm >/dev/null 2>&1\n",
                    "  sleep 0.5; j=$((j+1))\ndone\n");
  }
  absl::StatusOr<CommandResult> r = Run(target, bundle, script);
  if (!r.ok()) return r.status();
  if (r->exit_code == 3) return absl::OkStatus();  // no folder: nothing ran
  if (r->exit_code != 0) return Failure(target, "stack rm", bundle, *r);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SwarmServiceState>> StackServices(
    Target* target, const ComposeBundle& bundle) {
  absl::StatusOr<std::string> script =
      SwarmListingScript(bundle.project, kSwarmServicesFile);
  if (!script.ok()) return script.status();
  absl::StatusOr<CommandResult> r = Run(target, bundle, *script);
  if (!r.ok()) return r.status();
  if (r->exit_code == 3) return std::vector<SwarmServiceState>{};
  if (r->exit_code != 0) return Failure(target, "service ls", bundle, *r);
  return ParseStackServices(bundle.project, SplitStackListing(r->output));
}

absl::StatusOr<std::string> StackLogs(Target* target,
                                      const ComposeBundle& bundle,
                                      const std::string& service, int lines) {
  absl::StatusOr<CommandResult> r =
      Run(target, bundle,
          absl::StrCat("docker service logs --no-task-ids --tail ", lines, " ",
                       ShellQuote(absl::StrCat(bundle.project, "_", service)),
                       " 2>&1\n"));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return Failure(target, "service logs", bundle, *r);
  return r->output;
}

}  // namespace poolops::orchestrator
