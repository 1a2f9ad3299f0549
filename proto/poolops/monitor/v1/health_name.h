// The words for a Health that poolctl prints and the monitor writes
// (CLI.md): part of the API, so that both say the same.
#pragma once

#include <string>

#include "poolops/monitor/v1/monitor.pb.h"

namespace poolops::monitor::v1 {

// "ok", "degraded", "down"; "unknown" for HEALTH_UNSPECIFIED (not probed).
inline std::string HealthName(Health health) {
  switch (health) {
    case HEALTH_OK:
      return "ok";
    case HEALTH_DEGRADED:
      return "degraded";
    case HEALTH_DOWN:
      return "down";
    default:
      return "unknown";
  }
}

}  // namespace poolops::monitor::v1
