#include "devnet/poco_artifacts.h"

#include "absl/strings/str_cat.h"
#include "devnet/devnet_test_support.h"
#include "devnet/poco_deployer.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"

namespace poolops::devnet {
namespace {

const eth::Address kDeployer =
    *eth::Address::Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

TEST(CreateAddressTest, FollowsTheDeployerNonce) {
  EXPECT_EQ(CreateAddress(kDeployer, 0).ToChecksum(),
            "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  EXPECT_EQ(CreateAddress(kDeployer, 1).ToChecksum(),
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(CreateAddress(kDeployer, 2).ToChecksum(),
            "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
}

TEST(PocoArtifactsTest, SignaturesAsThePocoMigrationsBuildThem) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  absl::StatusOr<PocoArtifacts> artifacts =
      PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
  ASSERT_TRUE(artifacts.ok()) << artifacts.status();
  absl::StatusOr<Contract> escrow =
      artifacts->Load("IexecEscrowNativeDelegate");
  ASSERT_TRUE(escrow.ok()) << escrow.status();
  EXPECT_EQ(*FunctionSignatures(escrow->abi),
            "receive;fallback;deposit();depositFor(address);depositForArray("
            "uint256[],address[]);owner();recover();renounceOwnership();"
            "transferOwnership(address);withdraw(uint256);withdrawTo(uint256,"
            "address);");
  eth::Address library = CreateAddress(kDeployer, 2);
  absl::StatusOr<Contract> orders =
      artifacts->Load("IexecOrderManagementDelegate", &library);
  ASSERT_TRUE(orders.ok()) << orders.status();
  EXPECT_NE(
      FunctionSignatures(orders->abi)
          ->find(
              "manageWorkerpoolOrder(((address,uint256,uint256,bytes32,uint256,"
              "uint256,address,address,address,bytes32,bytes),uint8,bytes));"),
      std::string::npos);
}

TEST(PocoArtifactsTest, AllSixteenModulesSignatureStrings) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  absl::StatusOr<PocoArtifacts> artifacts =
      PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
  ASSERT_TRUE(artifacts.ok()) << artifacts.status();
  const char* modules[] = {"ERC1538QueryDelegate",
                           "IexecAccessorsDelegate",
                           "IexecAccessorsABILegacyDelegate",
                           "IexecCategoryManagerDelegate",
                           "IexecERC20Delegate",
                           "IexecEscrowNativeDelegate",
                           "IexecMaintenanceDelegate",
                           "IexecOrderManagementDelegate",
                           "IexecPoco1Delegate",
                           "IexecPoco2Delegate",
                           "IexecRelayDelegate",
                           "ENSIntegrationDelegate",
                           "IexecMaintenanceExtraDelegate",
                           "IexecPocoAccessorsDelegate",
                           "IexecPocoBoostDelegate",
                           "IexecPocoBoostAccessorsDelegate"};
  eth::Address library = CreateAddress(kDeployer, 2);
  std::string all;
  for (const char* name : modules) {
    absl::StatusOr<Contract> module = artifacts->Load(name, &library);
    ASSERT_TRUE(module.ok()) << module.status();
    absl::StatusOr<std::string> signatures = FunctionSignatures(module->abi);
    ASSERT_TRUE(signatures.ok()) << signatures.status();
    absl::StrAppend(&all, name, "=", *signatures, "\n");
  }
  // keccak256 of "<module>=<signatures>\n" for the 16 modules in migration
  // order, as PoCo's getFunctionSignatures.js builds them from the 5.5.0 ABIs.
  EXPECT_EQ(
      eth::ToHex(eth::Keccak(all)),
      "0xe28f8211fa18b6419fe497bab6a6a4e45e6f2f9423d8f8036f518b466dc57ad4");
}

TEST(PocoArtifactsTest, LinkedModulesNeedTheOrdersLibrary) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  absl::StatusOr<PocoArtifacts> artifacts =
      PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
  ASSERT_TRUE(artifacts.ok()) << artifacts.status();
  absl::StatusOr<Contract> unlinked = artifacts->Load("IexecPoco1Delegate");
  EXPECT_EQ(unlinked.status().code(), absl::StatusCode::kFailedPrecondition);
  eth::Address library = CreateAddress(kDeployer, 2);
  EXPECT_TRUE(artifacts->Load("IexecPoco1Delegate", &library).ok());
  EXPECT_EQ(artifacts->Load("NoSuchContract").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PocoArtifactsTest, MissingPackageSaysHowToInstallIt) {
  absl::StatusOr<PocoArtifacts> artifacts =
      PocoArtifacts::Open("/nonexistent/poco");
  EXPECT_EQ(artifacts.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(artifacts.status().message().find("npm install"),
            std::string::npos);
}

}  // namespace
}  // namespace poolops::devnet
