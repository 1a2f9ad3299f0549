// PoCo 5.5.0 deployed for real on a fresh anvil by poolops' own code: the
// same deployer and nonce order as the PoCo reference deployment on chain
// 65535 give the same 50 transactions, addresses and gas.
#include "devnet/poco_deployer.h"

#include "devnet/devnet_test_support.h"
#include "gtest/gtest.h"
#include "libs/eth/abi.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;
using testing::ScopedAnvil;

// The reference deployment (anvil account #0 from nonce 0, chain 65535):
// the created contract's address ("" for a call) and the receipt's gasUsed,
// in nonce order.
struct Expected {
  const char* created;
  uint64_t gas_used;
};
constexpr Expected kReference[] = {
    {"0x5FbDB2315678afecb367f032d93F642f64180aa3", 666097},
    {"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", 678611},
    {"0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", 1030282},
    {"0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", 792967},
    {"", 924278},
    {"0x5FC8d32690cc91D4c39d9d3abcBD16989F875707", 1289681},
    {"", 2593500},
    {"0xa513E6E4b8f2a923D98304ec87F64353C4D5C853", 1177291},
    {"", 695437},
    {"0x8A791620dd6260079BF849Dc5567aDC3F2FdC318", 397926},
    {"", 222063},
    {"0xB7f8BC63BbcaD18155201308C8f3540b07f84F5e", 631203},
    {"", 751937},
    {"0x0DCd1Bf9A1b36cE34237eEaFef220932846BCD82", 625809},
    {"", 761832},
    {"0x0B306BF915C4d645ff596e518fAf3F9669b97016", 691902},
    {"", 621688},
    {"0x9A9f2CCfdE556A7E9Ff0848998Aa4a0CFD8863AE", 1610523},
    {"", 841815},
    {"0x3Aa5ebB10DC797CAC828524e59A333d0A371443c", 2770860},
    {"", 1248412},
    {"0x59b670e9fA9D0A427751Af201D676719a970857b", 3324604},
    {"", 1081613},
    {"0x322813Fd9A801c5507c9de605d63CEA4f2CE6c44", 536015},
    {"", 772110},
    {"0x4A679253410272dd5232B3Ff7cF5dbB88f295319", 371789},
    {"", 178364},
    {"0x09635F643e140090A9A8Dcd712eD6285858ceBef", 266865},
    {"", 242433},
    {"0x67d269191c92Caf3cD7723F116c85e6E9bf55933", 1455270},
    {"", 522383},
    {"0xc3e53F4d16Ae77Db1c982e75a937B9f60FE63690", 3691762},
    {"", 1062853},
    {"0x9E545E3C0baAB3E08CdfD552C960A1050f373042", 484340},
    {"", 181573},
    {"0x1613beB3B2C4f22Ee086B2b38C1476A3cE7f78E8", 4127925},
    {"0x851356ae760d987E095750cCeb3bC6014560891C", 3838726},
    {"0xf5059a5D33d5853360D16C683c16e67980206f36", 3737420},
    {"", 45987},
    {"", 91661},
    {"", 45987},
    {"", 91709},
    {"", 45987},
    {"", 91745},
    {"", 221446},
    {"", 123245},
    {"", 106133},
    {"", 106133},
    {"", 106133},
    {"", 106145},
};
constexpr uint64_t kReferenceGas = 48'082'470;

class PocoDeployerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    POOLOPS_REQUIRE_NPM_ASSETS();
    ASSERT_TRUE(anvil_.Start().ok());
    absl::StatusOr<PocoArtifacts> artifacts =
        PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
    ASSERT_TRUE(artifacts.ok()) << artifacts.status();
    eth::Bytes key = testing::DeployerKey();
    absl::StatusOr<PocoDeployment> deployment =
        DeployPoco(anvil_.api(), *artifacts, key, DeployOptions{});
    ASSERT_TRUE(deployment.ok()) << deployment.status();
    deployment_ = *deployment;
  }

  ScopedAnvil anvil_;  // stopped by pid when the fixture goes
  PocoDeployment deployment_;
};

TEST_F(PocoDeployerTest, SameTransactionsAddressesAndGasAsTheReference) {
  EXPECT_EQ(deployment_.hub.ToChecksum(),
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(deployment_.orders_library.ToChecksum(),
            "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
  EXPECT_EQ(deployment_.app_registry.ToChecksum(),
            "0x1613beB3B2C4f22Ee086B2b38C1476A3cE7f78E8");
  EXPECT_EQ(deployment_.dataset_registry.ToChecksum(),
            "0x851356ae760d987E095750cCeb3bC6014560891C");
  EXPECT_EQ(deployment_.workerpool_registry.ToChecksum(),
            "0xf5059a5D33d5853360D16C683c16e67980206f36");
  ASSERT_EQ(deployment_.steps.size(), std::size(kReference));
  for (size_t i = 0; i < deployment_.steps.size(); ++i) {
    const DeployStep& step = deployment_.steps[i];
    SCOPED_TRACE(step.label);
    EXPECT_EQ(step.created ? step.created->ToChecksum() : "",
              kReference[i].created);
    EXPECT_EQ(step.gas_used, kReference[i].gas_used);
  }
  EXPECT_EQ(deployment_.gas_used, kReferenceGas);
  EXPECT_EQ(deployment_.transactions, 50);
}

TEST_F(PocoDeployerTest, HubAnswersAsPoco) {
  ASSERT_TRUE(CheckPocoDeployment(anvil_.api(), deployment_, 65535).ok());
  eth::Address hub = deployment_.hub;
  auto view = [&](std::string_view signature, std::string_view returns,
                  std::vector<Value> args = {}) {
    absl::StatusOr<Value> out =
        anvil_.api().CallFunction(hub, signature, args, returns);
    EXPECT_TRUE(out.ok()) << signature << ": " << out.status();
    return out.ok() ? *out : Value::Bool(false);
  };
  auto u64 = [](const Value& v) { return std::get<eth::U256>(v.v).low64(); };
  auto str = [](const Value& v) { return std::get<std::string>(v.v); };
  auto addr = [](const Value& v) {
    return std::get<eth::Address>(v.v).ToChecksum();
  };

  EXPECT_EQ(u64(view("totalFunctions()", "uint256")), 103u);
  Value domain = view("domain()", "(string,string,uint256,address)");
  const auto& d = std::get<std::vector<Value>>(domain.v);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(str(d[0]), "iExecODB");
  EXPECT_EQ(str(d[1]), "5.0.0");
  EXPECT_EQ(u64(d[2]), 65535u);
  EXPECT_EQ(addr(d[3]), hub.ToChecksum());
  EXPECT_EQ(addr(view("owner()", "address")), testing::kDeployer);
  EXPECT_EQ(addr(view("token()", "address")),
            "0x0000000000000000000000000000000000000000");
  EXPECT_EQ(str(view("name()", "string")), "Staked RLC");
  EXPECT_EQ(str(view("symbol()", "string")), "SRLC");
  EXPECT_EQ(u64(view("decimals()", "uint8")), 9u);
  EXPECT_EQ(u64(view("callbackgas()", "uint256")), 100000u);
  EXPECT_EQ(addr(view("appregistry()", "address")),
            "0x1613beB3B2C4f22Ee086B2b38C1476A3cE7f78E8");

  EXPECT_EQ(u64(view("countCategory()", "uint256")), 5u);
  const std::pair<const char*, uint64_t> categories[] = {
      {"XS", 300}, {"S", 1200}, {"M", 3600}, {"L", 10800}, {"XL", 36000}};
  for (uint64_t i = 0; i < 5; ++i) {
    Value c = view("viewCategory(uint256)", "(string,string,uint256)",
                   {Value::Uint(i)});
    const auto& fields = std::get<std::vector<Value>>(c.v);
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(str(fields[0]), categories[i].first);
    EXPECT_EQ(str(fields[1]), "{}");
    EXPECT_EQ(u64(fields[2]), categories[i].second);
  }
  // Registries: owned by the deployer, their NFT base URI per chain.
  absl::StatusOr<Value> owner = anvil_.api().CallFunction(
      deployment_.workerpool_registry, "owner()", {}, "address");
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ(addr(*owner), testing::kDeployer);
}

TEST_F(PocoDeployerTest, AWrongDeploymentIsAnError) {
  // A sixth category: countCategory() no longer 5.
  absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(
      "createCategory(string,string,uint256)",
      {Value::Str("XXL"), Value::Str("{}"), Value::Uint(72000)});
  ASSERT_TRUE(data.ok());
  absl::StatusOr<chain::Receipt> receipt =
      testing::SendFromDeployer(anvil_.api(), 65535, deployment_.hub, *data);
  ASSERT_TRUE(receipt.ok() && receipt->success);
  absl::Status s = CheckPocoDeployment(anvil_.api(), deployment_, 65535);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("countCategory() is 6"), std::string::npos) << s;

  // Another chain id: the domain no longer matches.
  s = CheckPocoDeployment(anvil_.api(), deployment_, 134);
  EXPECT_FALSE(s.ok());

  // No contract at the hub address.
  PocoDeployment nothing = deployment_;
  nothing.hub = CreateAddress(nothing.hub, 7);
  s = CheckPocoDeployment(anvil_.api(), nothing, 65535);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("no code"), std::string::npos) << s;

  // A contract that is not the hub (a registry): its calls fail.
  PocoDeployment registry = deployment_;
  registry.hub = deployment_.app_registry;
  EXPECT_FALSE(CheckPocoDeployment(anvil_.api(), registry, 65535).ok());
}

// Token flavour (as Arbitrum): the RLC token and the token escrow; the hub
// and registries keep their addresses, RLC comes after the categories.
TEST(PocoDeployerTokenTest, DeploysRlcAndTheTokenEscrow) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  ScopedAnvil anvil;
  ASSERT_TRUE(anvil.Start().ok());
  absl::StatusOr<PocoArtifacts> artifacts =
      PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
  ASSERT_TRUE(artifacts.ok()) << artifacts.status();
  // anvil's account #1, funded with RLC by the deployment.
  eth::Bytes user_key = *eth::FromHexFixed(
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", 32,
      "key");
  eth::Address user = *eth::AddressOf(user_key);
  DeployOptions options;
  options.flavour = Flavour::kToken;
  options.fund_accounts = {*eth::Address::Parse(testing::kDeployer), user};
  absl::StatusOr<PocoDeployment> deployment =
      DeployPoco(anvil.api(), *artifacts, testing::DeployerKey(), options);
  ASSERT_TRUE(deployment.ok()) << deployment.status();
  absl::Status check =
      CheckPocoDeployment(anvil.api(), *deployment, 65535, Flavour::kToken);
  EXPECT_TRUE(check.ok()) << check;
  EXPECT_FALSE(
      CheckPocoDeployment(anvil.api(), *deployment, 65535, Flavour::kNative)
          .ok());
  EXPECT_EQ(deployment->hub.ToChecksum(),
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(deployment->workerpool_registry.ToChecksum(),
            "0xf5059a5D33d5853360D16C683c16e67980206f36");
  EXPECT_EQ(deployment->token,
            CreateAddress(*eth::Address::Parse(testing::kDeployer), 50));
  EXPECT_EQ(deployment->transactions, 52);  // + RLC + one transfer

  auto balance = [&](const eth::Address& contract, const eth::Address& who) {
    absl::StatusOr<Value> out = anvil.api().CallFunction(
        contract, "balanceOf(address)", {Value::Addr(who)}, "uint256");
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? std::get<eth::U256>(out->v).low64() : 0;
  };
  EXPECT_EQ(balance(deployment->token, user), 10'000'000'000'000u);
  // Deposit the token way: approveAndCall on RLC, the hub pulls the RLC.
  absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(
      "approveAndCall(address,uint256,bytes)",
      {Value::Addr(deployment->hub), Value::Uint(1000), Value::Blob({})});
  ASSERT_TRUE(data.ok());
  absl::StatusOr<chain::Receipt> receipt =
      testing::SendFrom(anvil.api(), 65535, user_key, deployment->token, *data);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_TRUE(receipt->success);
  EXPECT_EQ(balance(deployment->hub, user), 1000u);  // staked RLC
  EXPECT_EQ(balance(deployment->token, user), 10'000'000'000'000u - 1000);
}

}  // namespace
}  // namespace poolops::devnet
