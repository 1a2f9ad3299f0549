// The monitored pools' targets: validation, and persistence in
// <home>/monitor/targets.json (0600, written atomically) so they survive a
// restart. The file holds a ListPoolsResponse in protobuf's JSON mapping
// ({"pools":[{"pool":"p","core":"http://...",...}]}), the same form
// `poolctl monitor add-pool --from-file` reads. Not thread-safe: the
// Monitor serialises calls.
#pragma once

#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "poolops/monitor/v1/monitor.pb.h"

namespace poolops::monitor {

using v1::PoolTargets;

// Checks and normalises one pool's targets (URLs without trailing '/',
// default paths, wallet roles). InvalidArgumentError naming the field.
absl::Status ValidateTargets(PoolTargets* targets);

// Parses a PoolTargets in protobuf JSON; InvalidArgumentError naming `what`.
absl::StatusOr<PoolTargets> PoolTargetsFromJson(const std::string& text,
                                                const std::string& what);

class TargetStore {
 public:
  explicit TargetStore(std::filesystem::path file) : file_(std::move(file)) {}

  // Every pool in the file (none when it does not exist yet).
  absl::StatusOr<std::vector<PoolTargets>> Load() const;
  absl::Status Save(const std::vector<PoolTargets>& pools) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace poolops::monitor
