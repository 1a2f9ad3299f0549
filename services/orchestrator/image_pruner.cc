#include "services/orchestrator/image_pruner.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/orchestrator/image_prune.h"

namespace poolops::orchestrator {

namespace {
constexpr char kStep[] = "prune-images";
}  // namespace

ImagePruner::ImagePruner(Applier* applier, TargetFactory* targets,
                         StateStore* state, Clock* clock)
    : applier_(applier), targets_(targets), state_(state), clock_(clock) {}

ImagePruner::~ImagePruner() { Stop(); }

absl::Time ImagePruner::LastPrune(const std::string& pool, uint32_t revision) {
  {
    absl::MutexLock lock(&mu_);
    auto it = last_.find(pool);
    if (it != last_.end()) return it->second;
  }
  absl::Time last = absl::InfinitePast();
  absl::StatusOr<std::vector<EventRecord>> events =
      state_->Events(pool, revision);
  if (events.ok()) {
    for (const EventRecord& e : *events) {
      absl::Time t;
      std::string err;
      if (e.step == kStep &&
          absl::ParseTime(absl::RFC3339_full, e.time, &t, &err)) {
        last = std::max(last, t);
      }
    }
  }
  return last;
}

std::vector<std::string> ImagePruner::RunOnce() {
  std::vector<std::string> lines;
  absl::StatusOr<std::vector<LoadedSpec>> running = applier_->RunningSpecs();
  if (!running.ok()) {
    lines.push_back(absl::StrCat("prune: ", running.status().message()));
    return lines;
  }
  for (const LoadedSpec& spec : *running) {
    const std::string& pool = spec.spec.name();
    absl::StatusOr<absl::Duration> period =
        PrunePeriod(spec.spec.maintenance().prune_images());
    if (!period.ok() || *period == absl::InfiniteDuration()) continue;
    absl::StatusOr<std::optional<RevisionRecord>> revision =
        state_->LastApplied(pool);
    if (!revision.ok() || !revision->has_value()) continue;
    const absl::Time now = clock_->Now();
    const absl::Time last = LastPrune(pool, (*revision)->revision);
    if (now - last < *period) {
      lines.push_back(absl::StrCat(pool, ": next prune after ",
                                   absl::FormatTime(last + *period)));
      continue;
    }
    {
      absl::MutexLock lock(&mu_);
      last_[pool] = now;
    }
    const std::vector<std::string> keep(spec.spec.maintenance().keep().begin(),
                                        spec.spec.maintenance().keep().end());
    std::set<std::string> hosts;
    for (const auto& w : spec.spec.workers()) hosts.insert(w.target());
    for (const std::string& host : hosts) {
      // A swarm's nodes are not reached one by one (yet): the CLI here
      // talks to the manager only.
      if (absl::StartsWith(host, "swarm")) continue;
      absl::StatusOr<std::unique_ptr<Target>> target =
          targets_->Open(host, spec.dir.string(), spec.spec.name());
      absl::StatusOr<PruneResult> r =
          target.ok() ? PruneHostImages(target->get(), keep) : target.status();
      std::string message =
          r.ok() ? absl::StrCat(
                       r->removed.size(), " image name(s) removed, ", r->kept,
                       " image(s) kept (in use, TEE/TDX, "
                       "keep)",
                       r->errors.empty() ? "" : "; refused: ", r->errors)
                 : std::string(r.status().message());
      state_
          ->RecordEvent(pool, (*revision)->revision, kStep, host,
                        r.ok() ? "STATE_DONE" : "STATE_FAILED", message)
          .IgnoreError();
      lines.push_back(absl::StrCat(pool, " ", host, ": ", message));
    }
  }
  return lines;
}

void ImagePruner::Start(absl::Duration period) {
  passes_.Start(period, [this] { RunOnce(); });
}

void ImagePruner::Stop() { passes_.Stop(); }

}  // namespace poolops::orchestrator
