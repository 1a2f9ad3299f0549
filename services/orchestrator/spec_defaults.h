// The defaults of a pool spec (what an unset field means), applied once so
// that the renderer and the planner read explicit values.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

inline constexpr char kZeroAddress[] =
    "0x0000000000000000000000000000000000000000";

// Fills every unset field with its default: stack v7.1, bridge network,
// iExec's publisher, the stack's image tags, public names from core.host,
// order terms (price 0, volume 1, category 0, trust 1, tag 0x0..0, anyone,
// 3 open orders, 30 s), results dir /tmp/results, ports 7001/13010/7000.
v1::PoolSpec WithDefaults(v1::PoolSpec spec);

// An order tag as bytes32 hex: "0x..." (64 hex digits, or fewer: padded on
// the left) or comma-separated names: tee (bit 0), scone (1), gramine (2),
// gpu (8). InvalidArgument names what is wrong.
absl::StatusOr<std::string> TagToBytes32(const std::string& tag);

bool HasFeature(const v1::PoolSpec& spec, v1::Feature feature);

}  // namespace poolops::orchestrator
