#include "services/chain/devnet/poco_artifacts.h"

#include "gtest/gtest.h"
#include "services/chain/devnet/poco_deployer.h"

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

TEST(PocoArtifactsTest, LinkedModulesNeedTheOrdersLibrary) {
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
