// The limits of spec_text.h on a parsed spec: the spec a file gave, or one
// a client sent as a message (SpecSource.spec), which no parser bounded.
#pragma once

#include <vector>

#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/spec_parser.h"

namespace poolops::orchestrator {

// Violations of: at most kMaxSpecWorkers workers, kMaxSpecListItems items
// in any other list, kMaxSpecValueBytes per value, values UTF-8 without
// NUL. ValidateSpec runs it first and stops on any: its other checks (and
// the renderer) may then take every value as bounded.
std::vector<v1::Violation> CheckSpecLimits(const v1::PoolSpec& spec,
                                           const SpecLocations& locations);

}  // namespace poolops::orchestrator
