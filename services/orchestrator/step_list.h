// A workflow as a list of steps, each with a way to take it back, so the
// order of rollback follows from the order of the steps instead of being
// repeated at every failure.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace poolops::orchestrator {

struct Step {
  std::string name;  // for people and tests
  std::function<absl::Status()> run;
  // Takes the step back when a later step fails. Empty: nothing to take back
  // (idempotent steps whose result stays, such as a registration).
  std::function<void()> undo;
  // `undo` also runs when this step itself fails: it may have half happened
  // (files written, some containers up).
  bool undo_when_failed = false;
  // A gate that passed: the steps up to here are kept whatever fails later.
  bool commits = false;
};

// Runs `steps` in order until one fails. Then undoes, last first, the failed
// step (when `undo_when_failed`) and the steps done before it back to the
// last commit, and returns the failure.
absl::Status RunSteps(const std::vector<Step>& steps);

}  // namespace poolops::orchestrator
