// Semantic checks of a pool spec: everything the README leaves to the
// operator, checked before any host or chain is touched. Every violation
// names the field and, when the spec came from a file, file:line.
#pragma once

#include <filesystem>
#include <vector>

#include "poolops/orchestrator/v1/orchestrator.pb.h"
#include "services/orchestrator/spec_parser.h"

namespace poolops::orchestrator {

// `spec` as written (before WithDefaults). Reads no file: secret files are
// the client's to read (secret_files.h).
std::vector<v1::Violation> ValidateSpec(const v1::PoolSpec& spec,
                                        const SpecLocations& locations,
                                        const std::filesystem::path& spec_dir);

// A parsed target: "local:<path>" or "ssh://user@host[:port]/path".
struct TargetAddress {
  enum class Kind { kLocal, kSsh };
  Kind kind = Kind::kLocal;
  std::string user;
  std::string host;
  int port = 22;
  std::string path;  // absolute for ssh; as written for local
  std::string ToString() const;
};
absl::StatusOr<TargetAddress> ParseTarget(const std::string& text);

}  // namespace poolops::orchestrator
