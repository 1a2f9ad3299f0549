// Real traffic on each devnet flavour: deals matched on-chain, tasks run
// through initialize / contribute / reveal / finalize by the pool's
// scheduler and workers, failures claimed after the final deadline; the
// hub's escrow accounts must show exactly the money those moves imply.
#include <string>

#include "devnet/devnet_test_support.h"
#include "devnet/traffic/traffic_test_support.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/iexec/deal_orders.h"

namespace poolops::devnet {
namespace {

class TrafficDevnetTest : public ::testing::TestWithParam<Flavour> {};

TEST_P(TrafficDevnetTest, DealsAndTasksMoveTheEscrowAsPocoSays) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  testing::TrafficWorld world;
  ASSERT_TRUE(world.Start(GetParam(), /*price=*/100).ok());
  const HubContracts& hub = world.hub();
  const EscrowAccount scheduler_before = world.Escrow(world.scheduler());
  const EscrowAccount worker0_before = world.Escrow(world.worker(0));
  const EscrowAccount worker1_before = world.Escrow(world.worker(1));

  TrafficPlan plan;
  plan.order = world.order();
  plan.deals = 3;
  plan.fail = 1;
  absl::StatusOr<TrafficRun> run = world.NewTraffic()->Run(plan);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->deals.size(), 3u);
  ASSERT_EQ(run->tasks.size(), 3u);

  for (size_t i = 0; i < run->tasks.size(); ++i) {
    const TaskRun& t = run->tasks[i];
    EXPECT_EQ(t.task_id, iexec::TaskId(run->deals[i].deal_id, 0));
    absl::StatusOr<TaskView> view = ViewTask(world.api(), hub, t.task_id);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_EQ(view->status, i < 2 ? 3 : 4) << "task " << i;  // COMPLETED/FAILED
    EXPECT_EQ(t.completed, i < 2);
    EXPECT_EQ(t.worker, world.worker(i % 2));
  }

  // Price 100 nRLC, the workerpool's default policies: worker stake 30%,
  // scheduler reward 1%. A completed task: the requester pays 100, the
  // worker gets 99, the scheduler 1 and its 30 back. A failed one: the
  // requester is refunded, the scheduler's 30 seized, the worker's 30 back.
  const EscrowAccount scheduler = world.Escrow(world.scheduler());
  EXPECT_EQ(scheduler.locked, eth::U256(0));
  EXPECT_EQ(scheduler.stake + eth::U256(30), scheduler_before.stake + eth::U256(2))
      << scheduler.stake.ToDecimal();
  const EscrowAccount worker0 = world.Escrow(world.worker(0));
  const EscrowAccount worker1 = world.Escrow(world.worker(1));
  // Each worker was given its stake (100) first, then: worker 0 ran tasks 0
  // and 2 (completed, failed), worker 1 ran task 1 (completed).
  EXPECT_EQ(worker0.locked, eth::U256(0));
  EXPECT_EQ(worker1.locked, eth::U256(0));
  EXPECT_EQ(worker0.stake, worker0_before.stake.IsZero()
                               ? eth::U256(100 + 99)
                               : worker0_before.stake + eth::U256(99));
  EXPECT_EQ(worker1.stake, worker1_before.stake.IsZero()
                               ? eth::U256(100 + 99)
                               : worker1_before.stake + eth::U256(99));
  const EscrowAccount requester = world.Escrow(world.requester());
  EXPECT_EQ(requester.locked, eth::U256(0));
  EXPECT_EQ(requester.stake, eth::U256(100));  // deposited 300, paid 200
}

TEST_P(TrafficDevnetTest, PlansThatCannotRunAreRefusedBeforeAnyTransaction) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  testing::TrafficWorld world;
  ASSERT_TRUE(world.Start(GetParam(), 100, /*volume=*/2).ok());
  absl::StatusOr<uint64_t> head = world.api().BlockNumber();
  ASSERT_TRUE(head.ok());
  TrafficPlan plan;
  plan.order = world.order();
  plan.deals = 3;
  EXPECT_EQ(world.NewTraffic()->Run(plan).status().message(),
            "the pool's order " + plan.order.salt.substr(0, 10) +
                "... offers 2 tasks, the run needs 3");
  plan.deals = 1;
  plan.fail = 2;
  EXPECT_EQ(world.NewTraffic()->Run(plan).status().message(),
            "--fail 2 is more than the 1 tasks of the run");
  EXPECT_EQ(*world.api().BlockNumber(), *head);
}

INSTANTIATE_TEST_SUITE_P(Flavours, TrafficDevnetTest,
                         ::testing::Values(Flavour::kNative, Flavour::kToken,
                                           Flavour::kArbitrum),
                         [](const auto& info) {
                           return std::string(FlavourName(info.param));
                         });

}  // namespace
}  // namespace poolops::devnet
