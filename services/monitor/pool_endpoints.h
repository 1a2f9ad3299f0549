// What the monitor watches of one pool: the URLs of its core, workers,
// adapter, grafana, market and chain node, and its wallets. The proto keeps
// its wire name (PoolTargets, SetPoolTargets); in C++ the monitor says
// "endpoints", since a "target" is a host to the orchestrator.
#pragma once

#include "poolops/monitor/v1/monitor.pb.h"

namespace poolops::monitor {

using PoolEndpoints = v1::PoolTargets;

}  // namespace poolops::monitor
