// Clients of the other services of the local suite, connected on each use
// through run/<service>.json (the services may start in any order and
// restart): wallet-vault, chain-gateway, monitor.
#pragma once

#include <filesystem>
#include <memory>

#include "services/orchestrator/chain_client.h"
#include "services/orchestrator/health_probe.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {

std::unique_ptr<WalletSource> NewSuiteWalletSource(
    std::filesystem::path run_dir);
std::unique_ptr<ChainClient> NewSuiteChainClient(std::filesystem::path run_dir);
// The monitor's Probe, else a direct HTTP probe.
std::unique_ptr<HealthProbe> NewSuiteHealthProbe(std::filesystem::path run_dir);

}  // namespace poolops::orchestrator
