#include "libs/common/swarm_listing.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace poolops {

absl::StatusOr<std::string> SwarmListingScript(
    const std::string& project, const std::string& deployed_file) {
  for (const std::string* word : {&project, &deployed_file}) {
    for (char c : *word) {
      if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", *word,
            "' is not a stack or file name (letters, digits, _ . -)"));
      }
    }
  }
  if (project.empty() || project[0] == '-' || deployed_file[0] == '-') {
    return absl::InvalidArgumentError("no stack name");
  }
  const std::string ns =
      absl::StrCat("label=com.docker.stack.namespace=", project);
  return absl::StrCat(
      "docker service ls --filter ", ns,
      " --format '{{.Name}}|{{.Replicas}}' || exit 1\n"
      "echo '---'\n"
      "docker stack ps --no-trunc --format "
      "'{{.Name}}|{{.Node}}|{{.CurrentState}}|{{.Error}}|{{.DesiredState}}' ",
      project,
      " 2>/dev/null\n"
      "echo '---'\n"
      "ids=$(docker service ls -q --filter ",
      ns,
      ")\n"
      "[ -z \"$ids\" ] || docker service inspect --format "
      "'{{.Spec.Name}}|{{index .Spec.Labels \"poolops.spec\"}}|"
      "{{if .UpdateStatus}}{{.UpdateStatus.State}}|"
      "{{.UpdateStatus.Message}}{{end}}' $ids 2>/dev/null\n"
      "echo '---'\n",
      deployed_file.empty()
          ? ""
          : absl::StrCat("cat ", deployed_file, " 2>/dev/null\n"),
      "exit 0\n");
}

std::string SwarmServiceState::Describe() const {
  std::string out = state.empty() ? "no task" : state;
  if (!node.empty()) absl::StrAppend(&out, " on ", node);
  if (!update_state.empty() && update_state != "completed") {
    absl::StrAppend(&out, " (update ", update_state,
                    update_message.empty() ? "" : ": " + update_message, ")");
  }
  if (!error.empty()) absl::StrAppend(&out, ": ", error);
  return out;
}

StackListing SplitStackListing(const std::string& output) {
  std::vector<std::string> parts =
      absl::StrSplit(output, absl::ByString("---\n"));
  parts.resize(4);
  return {parts[0], parts[1], parts[2], parts[3]};
}

std::vector<SwarmServiceState> ParseStackServices(const std::string& project,
                                                  const StackListing& out) {
  const std::string& services_out = out.services;
  const std::string& tasks_out = out.tasks;
  const std::string prefix = project + "_";
  std::map<std::string, SwarmServiceState> by_name;
  std::vector<std::string> order;
  for (absl::string_view line :
       absl::StrSplit(services_out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '|');
    if (f.size() < 2 || !absl::StartsWith(f[0], prefix)) continue;
    SwarmServiceState s;
    s.service = f[0].substr(prefix.size());
    // "1/1", or "0/1 (max 1 per node)".
    std::vector<std::string> rd = absl::StrSplit(
        absl::StripAsciiWhitespace(f[1]).substr(0, f[1].find(' ')), '/');
    if (rd.size() == 2) {
      (void)absl::SimpleAtoi(rd[0], &s.running);
      (void)absl::SimpleAtoi(rd[1], &s.desired);
    }
    order.push_back(s.service);
    by_name[s.service] = s;
  }
  // Newest task of each slot first: the first line of a service is its
  // current task.
  std::map<std::string, bool> seen;
  for (absl::string_view line :
       absl::StrSplit(tasks_out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '|');
    if (f.size() < 5 || !absl::StartsWith(f[0], prefix)) continue;
    std::string task = f[0].substr(prefix.size());
    std::string service = task.substr(0, task.rfind('.'));
    auto it = by_name.find(service);
    if (it == by_name.end() || seen[service]) continue;
    seen[service] = true;
    it->second.node = f[1];
    std::string current(absl::StripAsciiWhitespace(f[2]));
    it->second.state =
        absl::AsciiStrToLower(current.substr(0, current.find(' ')));
    std::string error(absl::StripAsciiWhitespace(f[3]));
    if (error.size() >= 2 && error.front() == '"' && error.back() == '"') {
      error = error.substr(1, error.size() - 2);
    }
    it->second.error = error;
  }
  for (absl::string_view line :
       absl::StrSplit(out.updates, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits('|', 3));
    if (f.size() < 2 || !absl::StartsWith(f[0], prefix)) continue;
    auto it = by_name.find(f[0].substr(prefix.size()));
    if (it == by_name.end()) continue;
    it->second.spec = f[1];
    if (f.size() > 2) it->second.update_state = f[2];
    if (f.size() > 3) it->second.update_message = f[3];
  }
  for (absl::string_view line :
       absl::StrSplit(out.deployed, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() != 2) continue;
    auto it = by_name.find(f[0]);
    if (it != by_name.end()) it->second.deployed_spec = f[1];
  }
  std::vector<SwarmServiceState> result;
  for (const std::string& name : order) result.push_back(by_name[name]);
  return result;
}

}  // namespace poolops
