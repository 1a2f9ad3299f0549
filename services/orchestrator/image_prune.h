// Pruning the task images that fill worker hosts (`maintenance:
// {prune_images: daily, keep: [...]}` in the spec): every image no
// container uses (running or stopped) goes, except the stack's TEE/TDX
// images (the worker pulls them per task: iexec-las, *pre-compute,
// *post-compute) and the spec's `keep` patterns. `docker rmi` without -f:
// an image a container starts using meanwhile stays.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/orchestrator/target.h"

namespace poolops::orchestrator {

// "hourly", "daily", "weekly"; "" and "off" are InfiniteDuration (never);
// anything else InvalidArgument.
absl::StatusOr<absl::Duration> PrunePeriod(const std::string& name);

// Never pruned: the images a TEE/TDX task needs.
inline constexpr const char* kStackTeeImages[] = {
    "*iexec-las*", "*pre-compute*", "*post-compute*"};

struct HostImage {
  std::string id;                  // sha256:<64 hex>
  std::vector<std::string> names;  // "repo:tag", "repo@sha256:..."
};

// What `docker rmi` gets: the names (or the id, untagged) of the images not
// in `in_use` (ids) with no name matching kStackTeeImages or `keep` (shell
// patterns; one without a tag matches every tag of that name). `pruned`:
// how many images that is.
std::vector<std::string> ImagesToPrune(const std::vector<HostImage>& images,
                                       const std::set<std::string>& in_use,
                                       const std::vector<std::string>& keep,
                                       size_t* pruned = nullptr);

struct PruneResult {
  std::vector<std::string> removed;  // names untagged (and so removed)
  size_t kept = 0;                   // images left (in use, protected)
  std::string errors;                // what docker rmi refused
};

// Lists the host's images and the images of its containers, then removes
// ImagesToPrune's, through the target's shell.
absl::StatusOr<PruneResult> PruneHostImages(
    Target* target, const std::vector<std::string>& keep);

}  // namespace poolops::orchestrator
