// An operator's override.env against the v9.3 files: each line 9.x would
// ignore or refuse is named with the fix.
#include "services/orchestrator/override_env_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace poolops::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::set<std::string> kCoreReads = {"CHAIN_URL", "GAS_PRICE_MULTIPLIER",
                                          "CHAIN_BLOCK_TIME", "CORE_TAG",
                                          "CONFIG_SERVER_URL"};

TEST(OverrideEnvCheckTest, V8HabitsOnAV93BundleAreNamedWithTheirLine) {
  std::vector<std::string> problems =
      CheckOverrideEnv(v1::STACK_VERSION_V9_3,
                       "# kept from our v8.3 pool\n"          // 1
                       "CORE_TAG=9.3.1\n"                     // 2
                       "GAS_PRICE_MULTIPLIER=0\n"             // 3
                       "export CHAIN_BLOCK_TIME='5'\n"        // 4
                       "PROD_CHAIN_ADAPTER_HOST=adapter.x\n"  // 5
                       "IEXEC_CORE_HOST=core.x\n"             // 6
                       "\n"                                   // 7
                       "SOMETHING_ELSE=1\n"                   // 8
                       "not a line\n",                        // 9
                       kCoreReads);
  ASSERT_EQ(problems.size(), 6u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], HasSubstr("override.env:3: GAS_PRICE_MULTIPLIER"));
  EXPECT_THAT(problems[0], HasSubstr("> 0"));
  EXPECT_THAT(problems[1], HasSubstr("override.env:4: CHAIN_BLOCK_TIME"));
  EXPECT_THAT(problems[1], HasSubstr("PT5S"));
  EXPECT_THAT(problems[2],
              HasSubstr("override.env:5: PROD_CHAIN_ADAPTER_HOST"));
  EXPECT_THAT(problems[2], HasSubstr("internal"));
  EXPECT_THAT(problems[3], HasSubstr("override.env:6: IEXEC_CORE_HOST"));
  EXPECT_THAT(problems[3], HasSubstr("override_env"));
  EXPECT_THAT(problems[4], HasSubstr("override.env:8: SOMETHING_ELSE"));
  EXPECT_THAT(problems[5], HasSubstr("override.env:9"));
}

TEST(OverrideEnvCheckTest, GoodValuesAndOlderStacksPass) {
  EXPECT_THAT(CheckOverrideEnv(v1::STACK_VERSION_V9_3,
                               "GAS_PRICE_MULTIPLIER=1.3\n"
                               "CHAIN_BLOCK_TIME=PT0.5S\n",
                               kCoreReads),
              IsEmpty());
  EXPECT_THAT(
      CheckOverrideEnv(v1::STACK_VERSION_V8_3,
                       "GAS_PRICE_MULTIPLIER=0\nANYTHING=1\n", kCoreReads),
      IsEmpty());
}

}  // namespace
}  // namespace poolops::orchestrator
