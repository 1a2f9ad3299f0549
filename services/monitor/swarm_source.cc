#include "services/monitor/swarm_source.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace poolops::monitor {

absl::StatusOr<std::vector<SwarmServiceState>> DockerSwarmSource::Stack(
    const v1::SwarmStack& stack, absl::Duration timeout) {
  absl::StatusOr<std::string> script = SwarmListingScript(stack.project(), "");
  if (!script.ok()) return script.status();
  proc::RunOptions options;
  options.input = *script;
  options.timeout = timeout;
  if (!stack.docker_host().empty()) {
    options.env.emplace_back("DOCKER_HOST", stack.docker_host());
  }
  absl::StatusOr<proc::RunResult> r = runner_->Run({"sh", "-s"}, options);
  const std::string where =
      stack.docker_host().empty() ? "the local docker" : stack.docker_host();
  if (!r.ok()) {
    return absl::UnavailableError(
        absl::StrCat("docker on ", where, ": ", r.status().message()));
  }
  if (r->exit_code != 0) {
    std::string why(absl::StripAsciiWhitespace(r->error));
    if (why.size() > 300) why = why.substr(0, 300) + "...";
    return absl::UnavailableError(
        absl::StrCat("docker on ", where, " did not list the stack: ", why));
  }
  return ParseStackServices(stack.project(), SplitStackListing(r->output));
}

}  // namespace poolops::monitor
