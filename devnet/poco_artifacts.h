// The compiled PoCo 5.5.0 contracts from the @iexec/poco npm package: the
// hardhat artifacts (modules, library, registries) and the three ERC1538
// contracts that only the truffle build carries (PROTOCOL facts, §E.2).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "nlohmann/json.hpp"

namespace poolops::devnet {

struct Contract {
  std::string name;
  eth::Bytes bytecode;  // creation code, libraries linked
  nlohmann::json abi;
};

// The npm packages folder: $POOLOPS_NPM_DIR, else the one scripts/ install
// (tests/interop/node_modules of the source tree).
std::filesystem::path NpmDir();

class PocoArtifacts {
 public:
  // `package_dir` is node_modules/@iexec/poco. NotFound names the missing
  // file and says how to install the package.
  static absl::StatusOr<PocoArtifacts> Open(std::filesystem::path package_dir);

  // "ERC1538Proxy" etc. from build/contracts; everything else from the
  // hardhat artifacts, found by contract name. `orders_library` replaces the
  // IexecLibOrders_v5 link placeholders; unlinked placeholders are an error.
  absl::StatusOr<Contract> Load(
      std::string_view name,
      const eth::Address* orders_library = nullptr) const;

 private:
  explicit PocoArtifacts(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

// "receive;fallback;f(uint256,(address,bytes)[]);..." as PoCo's migrations
// build the updateContract argument from an ABI.
absl::StatusOr<std::string> FunctionSignatures(const nlohmann::json& abi);

}  // namespace poolops::devnet
