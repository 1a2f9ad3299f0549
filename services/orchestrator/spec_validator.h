// Semantic checks of a pool spec: everything the README leaves to the
// operator, checked before any host or chain is touched. Every violation
// names the field and, when the spec came from a file, file:line.
#pragma once

#include <filesystem>
#include <vector>

#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/target_address.h"

namespace poolops::orchestrator {

// `spec` as written (before WithDefaults). Reads no file: secret files are
// the client's to read (secret_files.h).
std::vector<v1::Violation> ValidateSpec(const v1::PoolSpec& spec,
                                        const SpecLocations& locations,
                                        const std::filesystem::path& spec_dir);

}  // namespace poolops::orchestrator
