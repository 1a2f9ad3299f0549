#include "services/orchestrator/step_list.h"

namespace poolops::orchestrator {

absl::Status RunSteps(const std::vector<Step>& steps) {
  size_t kept = 0;  // steps before this index are committed
  for (size_t i = 0; i < steps.size(); ++i) {
    absl::Status s = steps[i].run();
    if (s.ok()) {
      if (steps[i].commits) kept = i + 1;
      continue;
    }
    if (steps[i].undo_when_failed && steps[i].undo) steps[i].undo();
    for (size_t j = i; j-- > kept;) {
      if (steps[j].undo) steps[j].undo();
    }
    return s;
  }
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
