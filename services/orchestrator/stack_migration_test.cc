// An operator's override.env carried across stack versions: renames,
// URLs, value formats, removed names commented out, and what only the
// operator can decide left in place with the reason.
#include "services/orchestrator/stack_migration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace poolops::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr auto k7 = v1::STACK_VERSION_V7_1;
constexpr auto k8 = v1::STACK_VERSION_V8_3;
constexpr auto k9 = v1::STACK_VERSION_V9_3;

TEST(MigrateOverrideEnvTest, CoreFileFromV83ToV93) {
  OverrideMigration m = MigrateOverrideEnv(k8, k9, /*core=*/true,
                                           "# mine\n"
                                           "CHAIN_BLOCK_TIME=5\n"
                                           "RESULT_HOST=results.example\n"
                                           "GAS_PRICE_MULTIPLIER=0\n"
                                           "PROD_CHAIN_ADAPTER_HOST=a.example\n"
                                           "CORE_TAG=9.3.0\n");
  EXPECT_EQ(m.text,
            "# mine\n"
            "CHAIN_BLOCK_TIME=PT5S\n"
            "RESULT_URL=https://results.example\n"
            "GAS_PRICE_MULTIPLIER=1.0\n"
            "# v9.3 no longer reads PROD_CHAIN_ADAPTER_HOST (poolops "
            "--migrate-overrides): PROD_CHAIN_ADAPTER_HOST=a.example\n"
            "CORE_TAG=9.3.0\n");
  EXPECT_THAT(m.changes,
              ElementsAre("line 2: CHAIN_BLOCK_TIME 5 -> PT5S",
                          "line 3: RESULT_HOST -> RESULT_URL "
                          "(https://results.example)",
                          HasSubstr("line 4: GAS_PRICE_MULTIPLIER 0 -> 1.0"),
                          HasSubstr("line 5: PROD_CHAIN_ADAPTER_HOST removed: "
                                    "the 9.x adapter is internal")));
  EXPECT_THAT(m.unsolved, IsEmpty());
}

// v7.1 -> v9.3 goes through v8.3: GRAFANA_HOME_NAME became
// WORKERPOOL_DESCRIPTION there and GRAFANA_HOME_NAME again in v9.3.
TEST(MigrateOverrideEnvTest, EveryVersionBetweenIsApplied) {
  OverrideMigration m = MigrateOverrideEnv(
      k7, k9, true, "GRAFANA_HOME_NAME=Mine\nGRAFANA_TAG=4.0.0\n");
  EXPECT_EQ(m.text, "GRAFANA_HOME_NAME=Mine\nCORE_GRAFANA_TAG=4.0.0\n");
  EXPECT_THAT(m.changes,
              ElementsAre("line 1: GRAFANA_HOME_NAME -> "
                          "WORKERPOOL_DESCRIPTION, then WORKERPOOL_DESCRIPTION "
                          "-> GRAFANA_HOME_NAME",
                          "line 2: GRAFANA_TAG -> CORE_GRAFANA_TAG"));
  // One hop only: v8.3's name.
  EXPECT_EQ(MigrateOverrideEnv(k7, k8, true, "GRAFANA_HOME_NAME=Mine").text,
            "WORKERPOOL_DESCRIPTION=Mine");
}

TEST(MigrateOverrideEnvTest, WorkerFileFromV83) {
  OverrideMigration m = MigrateOverrideEnv(
      k8, k9, /*core=*/false,
      "export PROD_CORE_HOST=core.example\nWORKER_ID=3\nRESULTS_DIR=/r\n");
  EXPECT_EQ(m.text,
            "export CORE_URL=https://core.example\nWORKER_ID=3\n"
            "RESULTS_DIR=/r\n");
  ASSERT_EQ(m.unsolved.size(), 1u);
  EXPECT_THAT(m.unsolved[0], HasSubstr("line 2: WORKER_ID: the v9.3 files do "
                                       "not read it: "));
  EXPECT_THAT(m.unsolved[0], HasSubstr("workers[].name in the spec"));
  // A core-only name means nothing to a worker bundle.
  EXPECT_FALSE(MigrateOverrideEnv(k8, k9, false, "RESULT_HOST=x").changed());
}

TEST(MigrateOverrideEnvTest, WhatFitsAlreadyIsLeftAlone) {
  for (const char* text :
       {"CHAIN_BLOCK_TIME=PT2S\n", "GAS_PRICE_MULTIPLIER=1.3\n", "",
        "# CHAIN_BLOCK_TIME=5\n", "not a line\n", "CORE_TAG=9.3.0"}) {
    OverrideMigration m = MigrateOverrideEnv(k8, k9, true, text);
    EXPECT_EQ(m.text, text);
    EXPECT_FALSE(m.changed()) << text;
    EXPECT_THAT(m.unsolved, IsEmpty()) << text;
  }
  // Same version, or a downgrade: nothing to migrate.
  EXPECT_FALSE(MigrateOverrideEnv(k9, k9, true, "RESULT_HOST=x").changed());
  EXPECT_FALSE(MigrateOverrideEnv(k9, k8, true, "RESULT_HOST=x").changed());
}

TEST(MigrateOverrideEnvTest, ValuesThatCannotBeCarriedAreLeftWithTheReason) {
  OverrideMigration m = MigrateOverrideEnv(
      k8, k9, true, "CHAIN_BLOCK_TIME=60\nMAX_ORDER_NUMBER=5");
  EXPECT_EQ(m.text, "CHAIN_BLOCK_TIME=60\nMAX_ORDER_NUMBER=5");
  EXPECT_THAT(m.unsolved,
              ElementsAre(HasSubstr("line 1: CHAIN_BLOCK_TIME=60: a block time "
                                    "of 100 ms to 20 s"),
                          HasSubstr("orders.max_open_orders")));
  // A value the renderer would refuse to write (a control character).
  m = MigrateOverrideEnv(k8, k9, true, "RESULT_HOST=a\x01b");
  EXPECT_FALSE(m.changed());
}

}  // namespace
}  // namespace poolops::orchestrator
