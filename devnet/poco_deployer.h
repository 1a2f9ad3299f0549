// Deploys PoCo 5.5.0 (native flavour like Bellecour, or token flavour like
// Arbitrum: RLC token + token escrow) on a fresh chain with
// plain signed transactions from one deployer account, in the order of the
// PoCo migrations: ERC1538 update delegate, proxy (the hub), the orders
// library, each module + updateContract, the three registries, configure,
// the five categories; the token flavour then creates the RLC token (its
// address known in advance for configure, so the hub and registries keep
// the native addresses) and funds the dev accounts with it. Addresses follow
// from the deployer's nonces, so all transactions are built and sent at
// once, then their receipts checked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "devnet/poco_artifacts.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/ethrpc/eth_api.h"

namespace poolops::devnet {

// One deployment transaction and what it cost (the receipt's gasUsed).
struct DeployStep {
  std::string label;
  std::optional<eth::Address> created;  // set for a CREATE
  uint64_t gas_used = 0;
};

struct PocoDeployment {
  eth::Address hub;
  eth::Address orders_library;
  eth::Address app_registry;
  eth::Address dataset_registry;
  eth::Address workerpool_registry;
  eth::Address token;  // the RLC token; zero for the native flavour
  uint64_t gas_used = 0;
  int transactions = 0;
  std::vector<DeployStep> steps;  // in nonce order; empty for a restore
};

// native and token: PoCo 5.5.0 (Bellecour-like, gas free); arbitrum: PoCo
// 6.1.0 as on Arbitrum, EIP-1559 fees (poco6_deployer.h).
enum class Flavour { kNative, kToken, kArbitrum };

// "native" / "token" / "arbitrum"; InvalidArgument otherwise.
absl::StatusOr<Flavour> ParseFlavour(std::string_view name);
std::string_view FlavourName(Flavour flavour);
// The PoCo release the flavour deploys: "5.5.0" or "6.1.0".
std::string_view PocoVersion(Flavour flavour);

struct DeployOptions {
  uint64_t chain_id = 65535;
  Flavour flavour = Flavour::kNative;
  // Token flavour: each gets `rlc_per_account` nRLC from the deployer.
  std::vector<eth::Address> fund_accounts;
  uint64_t rlc_per_account = 10'000'000'000'000;   // 10,000 RLC
  uint64_t gas_limit_per_tx = 6'500'000;           // under the 6.7M block limit
  std::function<void(std::string_view)> progress;  // may be empty
};

// The five categories every PoCo deployment creates: name and work clock
// time reference in seconds.
struct PocoCategory {
  const char* name;
  uint64_t work_clock_time_ref;
};
inline constexpr PocoCategory kPocoCategories[] = {
    {"XS", 300}, {"S", 1200}, {"M", 3600}, {"L", 10800}, {"XL", 36000}};

// CREATE address of `sender` at `nonce`: keccak(rlp([sender, nonce]))[12:].
eth::Address CreateAddress(const eth::Address& sender, uint64_t nonce);

absl::StatusOr<PocoDeployment> DeployPoco(chain::EthApi& api,
                                          const PocoArtifacts& artifacts,
                                          eth::ByteView deployer_key,
                                          const DeployOptions& options);

// The checks run after every deployment and every restore: hub code present,
// totalFunctions() == 103 (native; 104 token), or on PoCo 6 the Diamond's
// loupe: 14 facets with code, 98 selectors; token() as deployed, domain() ==
// ("iExecODB","5.0.0",chainId,hub) and eip712domain_separator() its EIP-712
// hash, countCategory() == 5, the registries known to the hub. A failure is an
// error naming the check, never a warning.
absl::Status CheckPocoDeployment(chain::EthApi& api,
                                 const PocoDeployment& deployment,
                                 uint64_t chain_id,
                                 Flavour flavour = Flavour::kNative);

}  // namespace poolops::devnet
