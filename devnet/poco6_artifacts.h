// The PoCo 6.1.0 deployment on Arbitrum as the @iexec/poco 6.1.0 npm
// package publishes it (deployments/arbitrum/<Contract>.json): each
// contract's address there, its init code as it was sent (libraries linked,
// constructor arguments appended) and its ABI. scripts/ unpack the package
// into node_modules/iexec-poco6 (its GitHub dependencies cannot be
// installed from npm, and nothing here needs them).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "nlohmann/json.hpp"

namespace poolops::devnet {

inline constexpr char kPoco6Version[] = "6.1.0";

struct DeployedContract {
  std::string name;
  eth::Address address;  // on Arbitrum
  eth::Bytes init_code;
  // The interface the deployment cut into the Diamond: the 6.1.0 compiled
  // artifact's (artifacts/contracts/facets/) where there is one. The
  // deployment files' own ABIs also list FacetBase's constants, public when
  // those facets were compiled; Arbitrum's Diamond has none of them (98
  // selectors, .diamond.log). The diamond-1 facets have only theirs.
  nlohmann::json abi;
};

class Poco6Artifacts {
 public:
  // `package_dir` holds the unpacked package. NotFound (or a version other
  // than kPoco6Version: FailedPrecondition) says how to install it.
  static absl::StatusOr<Poco6Artifacts> Open(std::filesystem::path package_dir);
  // The default place: <npm dir>/iexec-poco6.
  static std::filesystem::path DefaultDir();

  absl::StatusOr<DeployedContract> Load(std::string_view name) const;

 private:
  explicit Poco6Artifacts(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

using Selector = std::array<uint8_t, 4>;

// A facet's selectors as PoCo's deploy scripts take them from its ABI: every
// function's, receive as 0x00000000 and fallback as 0xffffffff.
absl::StatusOr<std::vector<Selector>> FacetSelectors(const nlohmann::json& abi);

}  // namespace poolops::devnet
