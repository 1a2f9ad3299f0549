// What changed between a rendered bundle and what was deployed: file hashes
// and per-service hashes (a service's definition in every compose file plus
// the .env values it reads: what docker compose looks at to recreate).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/orchestrator/compose_file.h"
#include "services/orchestrator/renderer.h"
#include "services/orchestrator/state_store.h"

namespace poolops::orchestrator {

std::string Sha256Hex(std::string_view data);

// The bundle's compose files parsed, in `-f` order, by name (a file that
// does not parse is left out).
std::vector<std::pair<std::string, ComposeFile>> ComposeFilesOf(
    const Bundle& bundle);

// Hashes of a rendered bundle, for the state and for diffs.
BundleRecord RecordOf(const Bundle& bundle);

// .env text -> name -> value (the renderer's own format).
std::map<std::string, std::string> ParseEnvFile(const std::string& text);

struct BundleChanges {
  std::vector<std::string> created_files, changed_files, removed_files;
  std::vector<std::string> create, recreate, remove;  // services
  bool empty() const {
    return created_files.empty() && changed_files.empty() &&
           removed_files.empty() && create.empty() && recreate.empty() &&
           remove.empty();
  }
};
// `before` may be null (never deployed).
BundleChanges Diff(const BundleRecord* before, const BundleRecord& after);

}  // namespace poolops::orchestrator
