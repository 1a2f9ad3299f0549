#include "services/orchestrator/image_prune.h"

#include <fnmatch.h>

#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace poolops::orchestrator {
namespace {

constexpr char kImagesMark[] = "POOLOPS-IMAGES";
constexpr char kInUseMark[] = "POOLOPS-IN-USE";
constexpr size_t kMaxHostImages = 100000;

bool Glob(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

// `pattern` names the image: as written, or any tag of a tagless pattern.
bool Names(const std::string& pattern, const std::string& name) {
  if (Glob(pattern, name)) return true;
  const bool tagless = pattern.find(':') == std::string::npos ||
                       pattern.rfind(':') < pattern.rfind('/');
  return tagless && Glob(absl::StrCat(pattern, ":*"), name);
}

bool SafeImageWord(const std::string& s) {
  static const std::regex* re =
      new std::regex("[A-Za-z0-9][A-Za-z0-9._/:@-]{0,510}");
  return std::regex_match(s, *re);
}

}  // namespace

absl::StatusOr<absl::Duration> PrunePeriod(const std::string& name) {
  if (name.empty() || name == "off") return absl::InfiniteDuration();
  if (name == "hourly") return absl::Hours(1);
  if (name == "daily") return absl::Hours(24);
  if (name == "weekly") return absl::Hours(24 * 7);
  return absl::InvalidArgumentError(
      absl::StrCat("prune_images '", name, "': hourly, daily, weekly or off"));
}

std::vector<std::string> ImagesToPrune(const std::vector<HostImage>& images,
                                       const std::set<std::string>& in_use,
                                       const std::vector<std::string>& keep,
                                       size_t* pruned) {
  std::vector<std::string> out;
  size_t count = 0;
  for (const HostImage& image : images) {
    if (in_use.count(image.id)) continue;
    bool kept = false;
    for (const std::string& name : image.names) {
      for (const char* tee : kStackTeeImages) kept |= Names(tee, name);
      for (const std::string& k : keep) kept |= Names(k, name);
    }
    if (kept) continue;
    ++count;
    // By name: an id with several tags is refused without -f. Untagged
    // images go by id.
    bool named = false;
    for (const std::string& name : image.names) {
      if (SafeImageWord(name) && !absl::StrContains(name, "<none>")) {
        out.push_back(name);
        named = true;
      }
    }
    if (!named && SafeImageWord(image.id)) out.push_back(image.id);
  }
  if (pruned != nullptr) *pruned = count;
  return out;
}

absl::StatusOr<PruneResult> PruneHostImages(
    Target* target, const std::vector<std::string>& keep) {
  absl::StatusOr<CommandResult> listed = target->Shell(
      "", absl::StrCat("set -e\necho ", kImagesMark,
                       "\ndocker image ls --no-trunc --format "
                       "'{{.ID}} {{.Repository}}:{{.Tag}}'\necho ",
                       kInUseMark,
                       "\ndocker ps -a -q --no-trunc | xargs -r docker "
                       "inspect -f '{{.Image}}'\n"));
  if (!listed.ok()) return listed.status();
  if (listed->exit_code != 0) {
    return absl::UnavailableError(absl::StrCat(
        target->Describe(), ": listing images failed: ", listed->output));
  }
  std::map<std::string, HostImage> by_id;
  std::set<std::string> in_use;
  int section = 0;
  for (absl::string_view line : absl::StrSplit(listed->output, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line == kImagesMark) {
      section = 1;
    } else if (line == kInUseMark) {
      section = 2;
    } else if (section == 1 && !line.empty()) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      if (parts.size() != 2 || by_id.size() >= kMaxHostImages) continue;
      HostImage& image = by_id[parts[0]];
      image.id = parts[0];
      image.names.push_back(parts[1]);
    } else if (section == 2 && !line.empty()) {
      in_use.insert(std::string(line));
    }
  }
  if (section != 2) {
    return absl::UnavailableError(absl::StrCat(
        target->Describe(), ": unexpected image listing: ", listed->output));
  }
  std::vector<HostImage> images;
  for (auto& [id, image] : by_id) images.push_back(std::move(image));
  PruneResult result;
  size_t pruned = 0;
  std::vector<std::string> remove =
      ImagesToPrune(images, in_use, keep, &pruned);
  result.kept = images.size() - pruned;
  if (remove.empty()) return result;
  std::string script = "docker rmi";
  for (const std::string& r : remove)
    absl::StrAppend(&script, " ", ShellQuote(r));
  absl::StrAppend(&script, " 2>&1 || true\n");
  absl::StatusOr<CommandResult> rmi = target->Shell("", script);
  if (!rmi.ok()) return rmi.status();
  for (absl::string_view line : absl::StrSplit(rmi->output, '\n')) {
    if (absl::StartsWith(line, "Untagged: ")) {
      result.removed.emplace_back(line.substr(10));
    } else if (absl::StrContains(line, "Error")) {
      absl::StrAppend(&result.errors, result.errors.empty() ? "" : "; ", line);
    }
  }
  return result;
}

}  // namespace poolops::orchestrator
