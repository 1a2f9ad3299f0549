// PoCo 6.1.0 deployed for real on a fresh Arbitrum-like anvil by poolops'
// own code, from the package's Arbitrum deployment: the Diamond, its facets,
// the orders library and the registries at their Arbitrum addresses, the
// Diamond's loupe as on Arbitrum, the deployer in charge, RLC funding.
#include "devnet/poco6_deployer.h"

#include <map>
#include <set>

#include "devnet/devnet_test_support.h"
#include "gtest/gtest.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;
using testing::ScopedAnvil;

// The Arbitrum deployment (arbiscan; the package's deployments/arbitrum).
constexpr char kHub[] = "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";
constexpr char kAppRegistry[] = "0x9950D94fb074182ee93ff79A50Cd698C4983281F";
constexpr char kDatasetRegistry[] =
    "0x07Cc4E1EA30dD02796795876509A3BfC5053128D";
constexpr char kWorkerpoolRegistry[] =
    "0xe3c13bb4A5068601c6A08041Cb50887B07B5F398";
constexpr char kOrdersLibrary[] = "0x1Ecf986A719271846a04F095c426D90d564e4842";
// Facet -> selector count, as the deployment's .diamond.log lists them.
const std::map<std::string, size_t>& ArbitrumFacets() {
  static const auto* facets = new std::map<std::string, size_t>{
      {"0x6A4ccf4414c438424d3FB5183f9048EDfbB47847", 1},   // DiamondCut
      {"0xf509a2221FCB63645d5b24c3740E35f219f30db9", 5},   // DiamondLoupe
      {"0x606CfE8BabBd286329281f14895634F913BfdB76", 2},   // Ownership
      {"0x56CDC32332648b1220a89172191798852706EB35", 7},   // AccessorsABILegacy
      {"0x5f0483b9D7f959816A5CDD4C49E5C91C24561B43", 1},   // CategoryManager
      {"0x7Ff117E7385Ac3E207AF1791fE7e66C7802aeCCd", 1},   // ConfigurationExtra
      {"0x88eb05e62434057d3AA9e41FdaF7300A586b314D", 6},   // Configuration
      {"0xB0152eC6f48E64a92B66D4736aFA1b02d8D45169", 6},   // ERC20
      {"0xd9EB17A161581FBBAD2Ae998c0C19746EaAD0D6E", 9},   // EscrowToken
      {"0x541d532E6C195Ba044a75325F367342f523627fB", 4},   // OrderManagement
      {"0x5331c0FC7DD0Cc08047B546675cd1d6d47152AEb", 6},   // Poco1
      {"0x5c7B589E6807B554ed278f335215B93bCB692162", 10},  // Poco2
      {"0x9BCaCA06d5173f4bA02F8ECcb28E227333F1606F", 36},  // PocoAccessors
      {"0x8cBf58265F74b77f0D9cCA9f7e14685205496d8f", 4},   // Relay
  };
  return *facets;
}

class Poco6DeployerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    POOLOPS_REQUIRE_NPM_ASSETS();
    ASSERT_TRUE(
        anvil_.Start(65535, {}, chain::AnvilLaunch::Kind::kArbitrum).ok());
  }

  absl::StatusOr<PocoDeployment> Deploy(const DeployOptions& options) {
    absl::StatusOr<Poco6Artifacts> poco6 =
        Poco6Artifacts::Open(Poco6Artifacts::DefaultDir());
    if (!poco6.ok()) return poco6.status();
    absl::StatusOr<PocoArtifacts> poco5 =
        PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
    if (!poco5.ok()) return poco5.status();
    return DeployPoco6(anvil_.client(), *poco6, *poco5, testing::DeployerKey(),
                       options);
  }

  ScopedAnvil anvil_;
};

TEST_F(Poco6DeployerTest, TheArbitrumDeploymentReplayedAtItsAddresses) {
  const eth::Address funded =
      *eth::Address::Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  DeployOptions options;
  options.flavour = Flavour::kArbitrum;
  options.fund_accounts = {funded};
  absl::StatusOr<PocoDeployment> d = Deploy(options);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->hub.ToChecksum(), kHub);
  EXPECT_EQ(d->app_registry.ToChecksum(), kAppRegistry);
  EXPECT_EQ(d->dataset_registry.ToChecksum(), kDatasetRegistry);
  EXPECT_EQ(d->workerpool_registry.ToChecksum(), kWorkerpoolRegistry);
  EXPECT_EQ(d->orders_library.ToChecksum(), kOrdersLibrary);
  EXPECT_FALSE(d->token.IsZero());
  absl::Status check =
      CheckPocoDeployment(anvil_.api(), *d, 65535, Flavour::kArbitrum);
  ASSERT_TRUE(check.ok()) << check;

  // The loupe: every facet at its Arbitrum address with its selectors.
  absl::StatusOr<Value> facets =
      anvil_.api().CallFunction(d->hub, "facets()", {}, "(address,bytes4[])[]");
  ASSERT_TRUE(facets.ok()) << facets.status();
  std::map<std::string, size_t> seen;
  for (const Value& f : std::get<std::vector<Value>>(facets->v)) {
    const auto& t = std::get<std::vector<Value>>(f.v);
    seen[std::get<eth::Address>(t[0].v).ToChecksum()] =
        std::get<std::vector<Value>>(t[1].v).size();
  }
  EXPECT_EQ(seen, ArbitrumFacets());

  // The devnet's deployer owns the Diamond and the registries.
  for (const eth::Address& owned :
       {d->hub, d->app_registry, d->dataset_registry, d->workerpool_registry}) {
    absl::StatusOr<Value> owner =
        anvil_.api().CallFunction(owned, "owner()", {}, "address");
    ASSERT_TRUE(owner.ok()) << owner.status();
    EXPECT_EQ(std::get<eth::Address>(owner->v).ToChecksum(), testing::kDeployer)
        << owned.ToChecksum();
  }
  // Token escrow: native deposits are refused, RLC funds the accounts.
  absl::StatusOr<Value> rlc = anvil_.api().CallFunction(
      d->token, "balanceOf(address)", {Value::Addr(funded)}, "uint256");
  ASSERT_TRUE(rlc.ok()) << rlc.status();
  EXPECT_EQ(std::get<eth::U256>(rlc->v), eth::U256(options.rlc_per_account));
  chain::CallRequest pay;
  pay.from = funded;
  pay.to = d->hub;
  pay.value = eth::U256(1);
  EXPECT_FALSE(anvil_.api().CallRaw(pay).ok()) << "the hub took ETH";
  // Every transaction mined and paid for with EIP-1559 fees.
  EXPECT_GT(d->gas_used, 0u);
  EXPECT_EQ(d->transactions, static_cast<int>(d->steps.size()));
  std::printf("PoCo 6.1.0 devnet deployment: %d transactions, %llu gas\n",
              d->transactions, static_cast<unsigned long long>(d->gas_used));
}

TEST_F(Poco6DeployerTest, OnlyTheArbitrumFlavourAndTheRightPackage) {
  DeployOptions options;  // native
  EXPECT_EQ(Deploy(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.flavour = Flavour::kArbitrum;
  absl::StatusOr<PocoArtifacts> poco5 =
      PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
  ASSERT_TRUE(poco5.ok());
  EXPECT_EQ(DeployPoco(anvil_.api(), *poco5, testing::DeployerKey(), options)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  poolops::test::TempDir dir;
  absl::Status missing = Poco6Artifacts::Open(dir.path()).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("scripts/test"), std::string::npos);
  // PoCo 5.5.0 where 6.1.0 is expected: named, not deployed.
  absl::Status wrong =
      Poco6Artifacts::Open(NpmDir() / "@iexec" / "poco").status();
  EXPECT_FALSE(wrong.ok());
}

TEST(Poco6ArtifactsTest, SelectorsAsPocoDeployScriptsTakeThem) {
  nlohmann::json abi = nlohmann::json::parse(R"([
    {"type":"receive","stateMutability":"payable"},
    {"type":"fallback","stateMutability":"payable"},
    {"type":"function","name":"deposit","inputs":[{"type":"uint256"}]},
    {"type":"event","name":"Deposit","inputs":[]}
  ])");
  absl::StatusOr<std::vector<Selector>> s = FacetSelectors(abi);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0], (Selector{0, 0, 0, 0}));
  EXPECT_EQ((*s)[1], (Selector{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ((*s)[2], (Selector{0xb6, 0xb5, 0x5f, 0x25}));  // deposit(uint256)
}

TEST(FlavourTest, ArbitrumIsPoco6) {
  EXPECT_EQ(*ParseFlavour("arbitrum"), Flavour::kArbitrum);
  EXPECT_EQ(FlavourName(Flavour::kArbitrum), "arbitrum");
  EXPECT_EQ(PocoVersion(Flavour::kArbitrum), "6.1.0");
  EXPECT_EQ(PocoVersion(Flavour::kToken), "5.5.0");
  EXPECT_NE(ParseFlavour("bellecour").status().message().find("arbitrum"),
            std::string::npos);
}

}  // namespace
}  // namespace poolops::devnet
