// Deploys PoCo 6.1.0 on an anvil devnet as it is deployed on Arbitrum
// (PoCo's deploy/0_deploy.ts at v6.1.0): the Arbitrum init codes replayed
// through CREATE2 from CreateX's address with the deployment's salt, so the
// Diamond (the hub), its 14 facets, the orders library and the registries
// land at their Arbitrum addresses; the Diamond handed to the devnet's
// deployer; one diamondCut per facet (selectors from its ABI, minus those
// already cut); the registries given to the deployer, initialized and their
// base URIs set; configure; the 5 categories. RLC is a fresh token (the
// 5.5.0 package's RLC, on Arbitrum the bridged one) funding the dev
// accounts. Transactions are EIP-1559, one at a time, each mined first.
//
// Devnet-only means, said plainly: a CREATE2 proxy (anvil's deterministic
// deployer code) is planted at CreateX's address, and the two owners the
// init codes name (the Arbitrum deployer, and the factory for the
// registries) are impersonated once each, to hand ownership over.
#pragma once

#include "absl/status/statusor.h"
#include "devnet/poco6_artifacts.h"
#include "devnet/poco_artifacts.h"
#include "devnet/poco_deployer.h"
#include "libs/eth/bytes.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::devnet {

// Facts of the Arbitrum deployment (.diamond.log of the package).
inline constexpr int kPoco6Facets = 14;
inline constexpr int kPoco6Selectors = 98;

// `options.flavour` must be kArbitrum; `rlc` provides the RLC token.
absl::StatusOr<PocoDeployment> DeployPoco6(chain::JsonRpcClient& rpc,
                                           const Poco6Artifacts& poco6,
                                           const PocoArtifacts& rlc,
                                           eth::ByteView deployer_key,
                                           const DeployOptions& options);

}  // namespace poolops::devnet
