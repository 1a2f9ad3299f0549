// Chains as the stacks see them: presets resolved here, every other chain
// asked of chain-gateway (the fake here; the real one in pool_cli_test), and
// what validation and render say when the gateway knows nothing or cannot
// be asked.
#include "services/orchestrator/stack_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/fake_chain_client.h"
#include "services/orchestrator/orchestrator_test_support.h"

namespace poolops::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::PoolSpec SpecOn(const std::string& chain) {
  v1::PoolSpec spec;
  spec.set_name("p");
  spec.set_chain(chain);
  spec.set_stack_version(v1::STACK_VERSION_V7_1);
  return spec;
}

TEST(StackCatalogTest, AChainOfTheGatewayResolvesFromWhatItSays) {
  FakeChainClient gateway;
  ChainFacts mine{.name = "mine",
                  .chain_id = "4242",
                  .rpc = "http://127.0.0.1:8545",
                  .hub = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                  .native = false,
                  .market = "https://market.example:3000/",
                  .origin = "custom"};
  gateway.AddChain(mine);
  absl::StatusOr<ChainInfo> c = LookUpChain(SpecOn("mine"), &gateway);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, "mine");
  EXPECT_EQ(c->chain_id, "4242");
  EXPECT_EQ(c->rpc, "http://127.0.0.1:8545");
  EXPECT_EQ(c->public_rpc, "http://127.0.0.1:8545");
  EXPECT_EQ(c->hub, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_FALSE(c->sidechain);
  EXPECT_EQ(c->block_time, absl::Seconds(1));
  EXPECT_EQ(c->market_api_host, "market.example:3000");
  EXPECT_THAT(gateway.chains_asked(), ElementsAre("mine"));

  // The devnet (native RLC) is a sidechain for the stacks; the spec's
  // chain_params still win over what the gateway says.
  gateway.AddChain(test::DevnetChainFacts());
  v1::PoolSpec spec = SpecOn("devnet");
  spec.mutable_chain_params()->set_rpc("http://10.0.0.1:8545");
  c = LookUpChain(spec, &gateway);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->sidechain);
  EXPECT_EQ(c->chain_id, "65535");
  EXPECT_EQ(c->rpc, "http://10.0.0.1:8545");
  EXPECT_EQ(c->public_rpc, "http://10.0.0.1:8545");
  EXPECT_EQ(c->market_api_host, "127.0.0.1:3000");
}

TEST(StackCatalogTest, APresetIsNeverAskedOfTheGateway) {
  FakeChainClient gateway;
  gateway.SetGetChainError(absl::UnavailableError("down"));
  for (auto version : {v1::STACK_VERSION_V7_1, v1::STACK_VERSION_V8_3}) {
    v1::PoolSpec spec = SpecOn("bellecour");
    spec.set_stack_version(version);
    absl::StatusOr<ChainInfo> c = LookUpChain(spec, &gateway);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->chain_id, "134");
    EXPECT_FALSE(c->market_api_host.empty());
  }
  EXPECT_THAT(gateway.chains_asked(), IsEmpty());
}

TEST(StackCatalogTest, AChainNobodyKnowsAsksForChainParams) {
  FakeChainClient gateway;
  absl::StatusOr<ChainInfo> c = LookUpChain(SpecOn("nowhere"), &gateway);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(c.status().message()),
              HasSubstr("give chain_params.rpc, hub and chain_id"));
  EXPECT_THAT(gateway.chains_asked(), ElementsAre("nowhere"));

  // With them, the gateway's NotFound is no problem.
  v1::PoolSpec spec = SpecOn("nowhere");
  spec.mutable_chain_params()->set_rpc("http://127.0.0.1:8545");
  spec.mutable_chain_params()->set_hub(
      "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  spec.mutable_chain_params()->set_chain_id("77");
  c = LookUpChain(spec, &gateway);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->chain_id, "77");
}

TEST(StackCatalogTest, AGatewayThatCannotAnswerIsNamedWithItsReason) {
  FakeChainClient gateway;
  gateway.AddChain(test::DevnetChainFacts());
  // Even complete chain_params do not hide it: the gateway's chain may
  // carry more (the market) than the spec, and a render must not depend on
  // whether the gateway happened to be up.
  v1::PoolSpec spec = SpecOn("devnet");
  spec.mutable_chain_params()->set_rpc("http://127.0.0.1:8545");
  spec.mutable_chain_params()->set_hub(
      "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  spec.mutable_chain_params()->set_chain_id("65535");
  struct Case {
    absl::Status error;
    std::string want;
  };
  for (const Case& k : std::vector<Case>{
           {absl::UnavailableError("connection refused"),
            "chain-gateway, which holds the other chains, cannot be reached: "
            "connection refused"},
           {absl::DeadlineExceededError("Deadline Exceeded"),
            "cannot be reached: Deadline Exceeded"},
           {absl::FailedPreconditionError("chains/devnet.json: bad hub"),
            "chain 'devnet': chain-gateway cannot give it: "
            "chains/devnet.json: bad hub"}}) {
    gateway.SetGetChainError(k.error);
    absl::StatusOr<ChainInfo> c = LookUpChain(spec, &gateway);
    ASSERT_FALSE(c.ok()) << k.error;
    EXPECT_EQ(c.status().code(), k.error.code());
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(k.want));
  }
}

TEST(StackCatalogTest, WithoutAGatewayOnlyPresetsAndChainParamsResolve) {
  absl::StatusOr<ChainInfo> c = LookUpChain(SpecOn("devnet"), nullptr);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(LookUpChain(SpecOn("bellecour"), nullptr).ok());
}

// Validation and render of an orchestrator whose chains come from the fake.
class ChainThroughGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    o_ = test::NewOrchestratorUnderTest(dir_.path(), &vault_, &secrets_,
                                        &gateway_);
    ASSERT_NE(o_.orchestrator, nullptr);
  }

  v1::SpecSource Source(const std::string& chain) {
    v1::SpecSource source;
    source.set_yaml(
        absl::StrCat("name: t\nchain: ", chain,
                     "\nworkerpool: {owner_wallet: owner, description: d}\n"
                     "core: {target: 'local:",
                     (dir_.path() / "b").string(),
                     "', host: h.example}\n"
                     "workers:\n  - {name: w0, target: 'local:",
                     (dir_.path() / "b").string(), "', wallet: w0}\n"));
    source.set_path((dir_.path() / "pool.yaml").string());
    return source;
  }

  // The violations on `chain`, as "file:line message".
  std::vector<std::string> ChainViolations(const std::string& chain) {
    absl::StatusOr<LoadedSpec> loaded = o_.orchestrator->Load(Source(chain));
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    std::vector<std::string> out;
    if (!loaded.ok()) return out;
    for (const v1::Violation& v : loaded->violations) {
      if (v.field() == "chain") out.push_back(v.location() + " " + v.message());
    }
    return out;
  }

  poolops::test::TempDir dir_;
  FakeWalletSource vault_;
  MemorySecretStore secrets_;
  FakeChainClient gateway_;
  test::OrchestratorUnderTest o_;
};

TEST_F(ChainThroughGatewayTest, AChainTheGatewayKnowsIsValidAndRendered) {
  gateway_.AddChain(test::DevnetChainFacts());
  EXPECT_THAT(ChainViolations("devnet"), IsEmpty());
  const size_t asked = gateway_.chains_asked().size();
  absl::StatusOr<LoadedSpec> loaded =
      o_.orchestrator->LoadValid(Source("devnet"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  absl::StatusOr<RenderResult> r = o_.orchestrator->Render(
      *loaded, Orchestrator::MissingWallets::kPlaceholder);
  ASSERT_TRUE(r.ok()) << r.status();
  // Asked once: Render takes the chain Load resolved.
  EXPECT_EQ(gateway_.chains_asked().size(), asked + 1);
  EXPECT_EQ(r->chain.chain_id, "65535");
  EXPECT_EQ(r->chain.market_api_host, "127.0.0.1:3000");
  bool saw = false;
  for (const Bundle& b : r->bundles) {
    for (const auto& f : b.files) {
      if (f.path == ".env" &&
          f.content.find("CHAIN_ID=65535\n") != std::string::npos)
        saw = true;
    }
  }
  EXPECT_TRUE(saw) << "no .env says CHAIN_ID=65535";
}

TEST_F(ChainThroughGatewayTest, AnUnknownChainKeepsItsMessage) {
  std::vector<std::string> vs = ChainViolations("mine");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_THAT(vs[0], HasSubstr("pool.yaml:2 chain 'mine' is not a preset"));
  EXPECT_THAT(vs[0], HasSubstr("give chain_params.rpc, hub and chain_id"));
}

TEST_F(ChainThroughGatewayTest, AnUnreachableGatewayIsSaidByValidateAndRender) {
  gateway_.AddChain(test::DevnetChainFacts());
  // A stored revision carries no resolved chain: Render asks for it.
  absl::StatusOr<LoadedSpec> loaded =
      o_.orchestrator->LoadStored(Source("devnet"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->chain.has_value());

  gateway_.SetGetChainError(absl::UnavailableError(
      "chain-gateway is not running (poolctl services up)"));
  std::vector<std::string> vs = ChainViolations("devnet");
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_THAT(vs[0], HasSubstr("pool.yaml:2 chain 'devnet' is not a preset"));
  EXPECT_THAT(vs[0], HasSubstr("chain-gateway is not running"));
  EXPECT_THAT(vs[0], ::testing::Not(HasSubstr("chain_params")));

  absl::StatusOr<RenderResult> r = o_.orchestrator->Render(
      *loaded, Orchestrator::MissingWallets::kPlaceholder);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("chain-gateway, which holds the other chains, cannot "
                        "be reached"));
  // Bellecour needs no gateway.
  EXPECT_THAT(ChainViolations("bellecour"), IsEmpty());

  // LoadValid keeps the gateway's code: not the spec's fault, retry later.
  absl::StatusOr<LoadedSpec> valid =
      o_.orchestrator->LoadValid(Source("devnet"));
  EXPECT_EQ(valid.status().code(), absl::StatusCode::kUnavailable)
      << valid.status();
  // A stored revision (down, history, rollback, the unlock keeper) loads
  // without asking the gateway at all.
  const size_t asked = gateway_.chains_asked().size();
  absl::StatusOr<LoadedSpec> stored =
      o_.orchestrator->LoadStored(Source("devnet"));
  EXPECT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(gateway_.chains_asked().size(), asked);
}

}  // namespace
}  // namespace poolops::orchestrator
