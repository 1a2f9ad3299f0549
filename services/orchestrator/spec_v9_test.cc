// The v9.3 stack's rules: what `pool validate` says of a spec whose values
// 9.x would ignore or refuse (names and lines), Spring durations, and the
// variables each 9.x service reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/spec_validator.h"
#include "services/orchestrator/spring_duration.h"
#include "services/orchestrator/stack_variables.h"

namespace poolops::orchestrator {
namespace {

using test::Dump;
using test::Find;
using ::testing::HasSubstr;

constexpr char kV9Head[] =
    "name: p\n"                          // 1
    "chain: arbitrum-sepolia-testnet\n"  // 2
    "stack_version: v9.3\n"              // 3
    "workerpool:\n"                      // 4
    "  owner_wallet: o\n"                // 5
    "  description: d\n"                 // 6
    "core:\n"                            // 7
    "  target: local:/x\n"               // 8
    "  host: core.example.org\n"         // 9
    "workers:\n"                         // 10
    "  - name: w\n"                      // 11
    "    target: local:/x\n"             // 12
    "    wallet: w1\n";                  // 13

std::vector<v1::Violation> Validate(const std::string& extra) {
  absl::StatusOr<ParsedSpec> p =
      ParseSpec(std::string(kV9Head) + extra, "pool.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return {};
  EXPECT_TRUE(p->violations.empty()) << Dump(p->violations);
  return ValidateSpec(p->spec, p->locations, "/tmp");
}

TEST(SpecV9Test, ExamplesAreValid) {
  for (const char* name : {"devnet-pool-v9.yaml", "arbitrum-sepolia-v9.yaml"}) {
    ParsedSpec p = test::LoadExample(name);
    EXPECT_TRUE(p.violations.empty()) << name << "\n" << Dump(p.violations);
    auto vs = ValidateSpec(p.spec, p.locations, test::ExamplesDir());
    EXPECT_TRUE(vs.empty()) << name << "\n" << Dump(vs);
  }
  EXPECT_TRUE(Validate("").empty()) << Dump(Validate(""));
}

TEST(SpecV9Test, OverrideEnvNamesTheLineAndTheFix) {
  auto vs = Validate(
      "override_env:\n"                                            // 14
      "  core:\n"                                                  // 15
      "    IEXEC_PRIVATE_CHAIN_ADDRESS: http://node:8545\n"        // 16
      "    IEXEC_GAS_PRICE_MULTIPLIER: \"0\"\n"                    // 17
      "    IEXEC_CORE_REQUIRED_WORKER_VERSION: 9.2.0\n"            // 18
      "    LOGGING_LEVEL_COM_IEXEC: DEBUG\n"                       // 19
      "    IEXEC_CORE_TYPO: x\n"                                   // 20
      "  blockchain_adapter:\n"                                    // 21
      "    IEXEC_BLOCK_TIME: \"5\"\n"                              // 22
      "    IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME: \"5\"\n"       // 23
      "  worker:\n"                                                // 24
      "    IEXEC_CORE_HOST: core\n"                                // 25
      "    IEXEC_WORKER_DOCKER_IMAGE_MAX_PULL_TIMEOUT: PT45M\n");  // 26
  std::string dump = Dump(vs);
  const v1::Violation* v =
      Find(vs, "override_env.core.IEXEC_PRIVATE_CHAIN_ADDRESS");
  ASSERT_NE(v, nullptr) << dump;
  EXPECT_EQ(v->location(), "pool.yaml:16");
  EXPECT_THAT(v->message(), HasSubstr("IEXEC_BLOCKCHAIN_NODE_ADDRESS"));
  EXPECT_THAT(v->message(), HasSubstr("ignores silently"));
  v = Find(vs, "override_env.core.IEXEC_GAS_PRICE_MULTIPLIER");
  ASSERT_NE(v, nullptr) << dump;
  EXPECT_EQ(v->location(), "pool.yaml:17");
  EXPECT_THAT(v->message(), HasSubstr("> 0"));
  EXPECT_EQ(Find(vs, "override_env.core.IEXEC_CORE_REQUIRED_WORKER_VERSION"),
            nullptr)
      << dump;
  EXPECT_EQ(Find(vs, "override_env.core.LOGGING_LEVEL_COM_IEXEC"), nullptr)
      << dump;
  ASSERT_NE(Find(vs, "override_env.core.IEXEC_CORE_TYPO"), nullptr) << dump;
  v = Find(vs, "override_env.blockchain_adapter.IEXEC_BLOCK_TIME");
  ASSERT_NE(v, nullptr) << dump;
  EXPECT_EQ(v->location(), "pool.yaml:22");
  EXPECT_THAT(v->message(), HasSubstr("PT5S"));
  v = Find(vs,
           "override_env.blockchain_adapter."
           "IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME");
  ASSERT_NE(v, nullptr) << dump;
  EXPECT_THAT(v->message(), HasSubstr("IEXEC_BLOCK_TIME"));
  v = Find(vs, "override_env.worker.IEXEC_CORE_HOST");
  ASSERT_NE(v, nullptr) << dump;
  EXPECT_EQ(v->location(), "pool.yaml:25");
  EXPECT_THAT(v->message(), HasSubstr("IEXEC_CORE_URL"));
  EXPECT_EQ(
      Find(vs,
           "override_env.worker.IEXEC_WORKER_DOCKER_IMAGE_MAX_PULL_TIMEOUT"),
      nullptr)
      << dump;
  EXPECT_EQ(vs.size(), 6u) << dump;
}

TEST(SpecV9Test, BlockTimeIsAnIsoDurationInCoresRange) {
  std::string dump;
  auto vs = Validate("chain_params:\n  block_time: \"5\"\n");
  ASSERT_NE(Find(vs, "chain_params.block_time"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "chain_params.block_time")->message(),
              HasSubstr("milliseconds"));
  vs = Validate("chain_params:\n  block_time: 50ms\n");
  ASSERT_NE(Find(vs, "chain_params.block_time"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "chain_params.block_time")->message(),
              HasSubstr("100 ms to 20 s"));
  vs = Validate("chain_params:\n  block_time: PT30S\n");
  ASSERT_NE(Find(vs, "chain_params.block_time"), nullptr) << Dump(vs);
  EXPECT_TRUE(Validate("chain_params:\n  block_time: PT0.25S\n").empty());
  vs = Validate("chain_params:\n  block_time_seconds: 5\n");
  ASSERT_NE(Find(vs, "chain_params.block_time_seconds"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "chain_params.block_time_seconds")->message(),
              HasSubstr("PT5S"));
}

TEST(SpecV9Test, SgxIsRefusedAndTdxHasItsRules) {
  auto vs = Validate("orders:\n  tag: tee,scone\n");
  ASSERT_NE(Find(vs, "orders.tag"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "orders.tag")->message(), HasSubstr("SGX"));
  vs = Validate("orders:\n  tag: tee,tdx\n");
  ASSERT_NE(Find(vs, "orders.tag"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "orders.tag")->message(), HasSubstr("tdx feature"));
  vs = Validate(
      "orders:\n  tag: tee,tdx\n  trust: \"0\"\n"
      "images:\n  worker_tag: tdx-build\n");
  ASSERT_NE(Find(vs, "orders.trust"), nullptr) << Dump(vs);
  // The feature list is part of core: rewrite the head's core.
  absl::StatusOr<ParsedSpec> p = ParseSpec(
      "name: p\nchain: arbitrum-mainnet\nstack_version: v9.3\n"
      "workerpool: {owner_wallet: o, description: d}\n"
      "core: {target: 'local:/x', host: h, features: [tee]}\n"
      "orders: {publisher: iexec}\n"
      "workers: [{name: w, target: 'local:/x', wallet: w1, tee: true}]\n",
      "p.yaml");
  ASSERT_TRUE(p.ok());
  vs = ValidateSpec(p->spec, p->locations, "/tmp");
  ASSERT_NE(Find(vs, "core.features[0]"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "core.features[0]")->message(), HasSubstr("tdx"));
  ASSERT_NE(Find(vs, "orders.publisher"), nullptr) << Dump(vs);
  ASSERT_NE(Find(vs, "workers[0].tee"), nullptr) << Dump(vs);
  // No scontain account is asked of a v9 pool.
  EXPECT_EQ(Find(vs, "core.tee.scontain_username"), nullptr) << Dump(vs);
  p = ParseSpec(
      "name: p\nchain: arbitrum-mainnet\nstack_version: v9.3\n"
      "workerpool: {owner_wallet: o, description: d}\n"
      "core: {target: 'local:/x', host: h, features: [tdx]}\n"
      "orders: {tag: 'tee,tdx'}\n"
      "workers: [{name: w, target: 'local:/x', wallet: w1, tee: true}]\n",
      "p.yaml");
  ASSERT_TRUE(p.ok());
  vs = ValidateSpec(p->spec, p->locations, "/tmp");
  ASSERT_NE(Find(vs, "images.worker_tag"), nullptr) << Dump(vs);
  EXPECT_EQ(vs.size(), 1u) << Dump(vs);
}

TEST(SpecV9Test, OlderStacksRefuse9xNamesAndTdx) {
  absl::StatusOr<ParsedSpec> p = ParseSpec(
      "name: p\nchain: bellecour\nstack_version: v8.3\n"
      "workerpool: {owner_wallet: o, description: d}\n"
      "core: {target: 'local:/x', host: h, letsencrypt_email: a@b.org,"
      " features: [tdx]}\n"
      "override_env: {worker: {IEXEC_CORE_URL: 'http://c:7001'},"
      " core: {IEXEC_PRIVATE_CHAIN_ADDRESS: 'http://n:8545'}}\n"
      "workers: [{name: w, target: 'local:/x', wallet: w1}]\n",
      "p.yaml");
  ASSERT_TRUE(p.ok());
  auto vs = ValidateSpec(p->spec, p->locations, "/tmp");
  ASSERT_NE(Find(vs, "core.features[0]"), nullptr) << Dump(vs);
  ASSERT_NE(Find(vs, "override_env.worker.IEXEC_CORE_URL"), nullptr)
      << Dump(vs);
  EXPECT_THAT(Find(vs, "override_env.worker.IEXEC_CORE_URL")->message(),
              HasSubstr("IEXEC_CORE_PROTOCOL"));
  EXPECT_EQ(Find(vs, "override_env.core.IEXEC_PRIVATE_CHAIN_ADDRESS"), nullptr);
}

TEST(SpecV9Test, OverrideEnvShapeErrors) {
  absl::StatusOr<ParsedSpec> p = ParseSpec(
      std::string(kV9Head) +
          "override_env:\n  core: [a, b]\n  worker:\n    \"BAD NAME\": x\n",
      "pool.yaml");
  ASSERT_TRUE(p.ok());
  ASSERT_NE(Find(p->violations, "override_env.core"), nullptr)
      << Dump(p->violations);
  auto vs = ValidateSpec(p->spec, p->locations, "/tmp");
  ASSERT_NE(Find(vs, "override_env.worker.BAD NAME"), nullptr) << Dump(vs);
}

TEST(SpringDurationTest, ReadsIsoAndSimpleFormsAndRefusesBareNumbers) {
  EXPECT_EQ(*ParseSpringDuration("PT5S", "t"), absl::Seconds(5));
  EXPECT_EQ(*ParseSpringDuration("PT0.25S", "t"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseSpringDuration("pt1m30s", "t"), absl::Seconds(90));
  EXPECT_EQ(*ParseSpringDuration("P1DT1H", "t"), absl::Hours(25));
  EXPECT_EQ(*ParseSpringDuration("250ms", "t"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseSpringDuration("5s", "t"), absl::Seconds(5));
  for (const char* bad : {"5", "P", "PT", "PTS", "-5s", "5 s", "five", ""}) {
    EXPECT_FALSE(ParseSpringDuration(bad, "t").ok()) << bad;
  }
  EXPECT_THAT(ParseSpringDuration("5", "IEXEC_BLOCK_TIME").status().message(),
              HasSubstr("5 ms"));
  EXPECT_EQ(IsoSeconds(absl::Seconds(1)), "PT1S");
  EXPECT_EQ(IsoSeconds(absl::Milliseconds(250)), "PT0.25S");
  EXPECT_EQ(IsoSeconds(absl::Milliseconds(100)), "PT0.1S");
  EXPECT_EQ(IsoSeconds(absl::Seconds(20)), "PT20S");
  EXPECT_TRUE(CheckV9BlockTime(absl::Milliseconds(100), "b").ok());
  EXPECT_TRUE(CheckV9BlockTime(absl::Seconds(20), "b").ok());
  EXPECT_FALSE(CheckV9BlockTime(absl::Milliseconds(99), "b").ok());
  EXPECT_FALSE(CheckV9BlockTime(absl::Milliseconds(20001), "b").ok());
}

TEST(StackVariablesTest, EveryV8RenameIsCaughtOnV9) {
  using R = StackRole;
  for (const auto& [role, name] : std::vector<std::pair<R, std::string>>{
           {R::kCore, "IEXEC_PRIVATE_CHAIN_ADDRESS"},
           {R::kCore, "IEXEC_CORE_CHAIN_ADAPTER_HOST"},
           {R::kCore, "IEXEC_RESULT_REPOSITORY_PROTOCOL"},
           {R::kCore, "IEXEC_CHAIN_HEALTH_POLLING_INTERVAL_IN_BLOCKS"},
           {R::kCore, "IEXEC_CHAIN_HEALTH_OUT_OF_SERVICE_THRESHOLD"},
           {R::kBlockchainAdapter, "IEXEC_BLOCKCHAIN_ADAPTER_API_NODE_ADDRESS"},
           {R::kBlockchainAdapter, "IEXEC_BLOCKCHAIN_ADAPTER_API_HUB_ADDRESS"},
           {R::kBlockchainAdapter,
            "IEXEC_BLOCKCHAIN_ADAPTER_API_GAS_PRICE_CAP"},
           {R::kWorker, "IEXEC_CORE_PROTOCOL"},
           {R::kWorker, "IEXEC_CORE_PORT"},
           {R::kWorker, "IEXEC_CORE_GRAYLOG_HOST"}}) {
    std::optional<std::string> why =
        UnreadVariable(v1::STACK_VERSION_V9_3, role, name);
    ASSERT_TRUE(why.has_value()) << name;
    EXPECT_THAT(*why, HasSubstr("v8 name")) << name;
    // The same names are what 7.x/8.x read.
    EXPECT_FALSE(UnreadVariable(v1::STACK_VERSION_V8_3, role, name)) << name;
  }
  EXPECT_FALSE(UnreadVariable(v1::STACK_VERSION_V9_3, R::kBlockchainAdapter,
                              "IEXEC_BLOCK_TIME"));
  EXPECT_FALSE(BadV9Value("IEXEC_GAS_PRICE_MULTIPLIER", "1.3"));
  EXPECT_TRUE(BadV9Value("IEXEC_GAS_PRICE_MULTIPLIER", "-1"));
  EXPECT_TRUE(BadV9Value("IEXEC_GAS_PRICE_MULTIPLIER", "abc"));
  EXPECT_FALSE(BadV9Value("IEXEC_BLOCK_TIME", "PT0.25S"));
  EXPECT_TRUE(BadV9Value("IEXEC_BLOCK_TIME", "PT0.05S"));
}

}  // namespace
}  // namespace poolops::orchestrator
