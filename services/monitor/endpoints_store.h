// The monitored pools' endpoints: validation, and persistence in
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
#include "services/monitor/pool_endpoints.h"

namespace poolops::monitor {

// Checks and normalises one pool's endpoints (URLs without trailing '/',
// default paths, wallet roles). InvalidArgumentError naming the field.
absl::Status ValidateEndpoints(PoolEndpoints* endpoints);

// Parses a PoolEndpoints in protobuf JSON; InvalidArgumentError naming `what`.
absl::StatusOr<PoolEndpoints> PoolEndpointsFromJson(const std::string& text,
                                                    const std::string& what);

class EndpointsStore {
 public:
  explicit EndpointsStore(std::filesystem::path file)
      : file_(std::move(file)) {}

  // Every pool in the file (none when it does not exist yet).
  absl::StatusOr<std::vector<PoolEndpoints>> Load() const;
  absl::Status Save(const std::vector<PoolEndpoints>& pools) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace poolops::monitor
