// The scheduled side of image_prune.h: each pass looks at the pools that
// are up, and for each one whose `maintenance.prune_images` period has
// passed since its last prune (the state's "prune-images" events, so an
// orchestrator restart does not prune again early), prunes each of its
// worker hosts once and records what it did.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/periodic_pass.h"
#include "services/orchestrator/state_store.h"
#include "services/orchestrator/target.h"

namespace poolops::orchestrator {

class ImagePruner {
 public:
  ImagePruner(Applier* applier, TargetFactory* targets, StateStore* state,
              Clock* clock = Clock::Real());
  ~ImagePruner();

  // One pass: a line per host pruned or pool skipped.
  std::vector<std::string> RunOnce();
  // Passes every `period` on a thread of its own, the first one now.
  void Start(absl::Duration period);
  void Stop();

 private:
  // When the pool's worker hosts were last pruned (InfinitePast: never).
  absl::Time LastPrune(const std::string& pool, uint32_t revision);

  Applier* applier_;
  TargetFactory* targets_;
  StateStore* state_;
  Clock* clock_;
  absl::Mutex mu_;
  std::map<std::string, absl::Time> last_ ABSL_GUARDED_BY(mu_);
  PeriodicPass passes_;
};

}  // namespace poolops::orchestrator
