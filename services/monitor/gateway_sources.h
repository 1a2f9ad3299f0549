// BalanceSource and ChainResolver over chain-gateway's gRPC API
// (proto/poolops/chain/v1/chain.proto), found through run/chain-gateway.json
// in the home on every call, so a gateway that restarts is picked up again.
#pragma once

#include <filesystem>
#include <memory>

#include "services/monitor/chain_sources.h"
#include "services/monitor/dashboard/dashboard_server.h"

namespace poolops::monitor {

std::unique_ptr<BalanceSource> NewGatewayBalanceSource(
    std::filesystem::path run_dir);
std::unique_ptr<ChainResolver> NewGatewayChainResolver(
    std::filesystem::path run_dir);
// The pool's revisions from the orchestrator's History (run/orchestrator.json
// or its explicit address, like chain-gateway's).
std::unique_ptr<RevisionSource> NewOrchestratorRevisionSource(
    std::filesystem::path run_dir);

}  // namespace poolops::monitor
