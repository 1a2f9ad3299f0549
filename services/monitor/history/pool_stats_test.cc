// ComputePoolStats over a store filled by hand: who counts as the pool's
// scheduler and workers (not the requester, the app owner or the kitty),
// the window, running tasks, per-worker sums; and the store's own rules
// (a reset forgets, a rewind drops what came after, checkpoints are kept
// to the last 64).
#include "services/monitor/history/pool_stats.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::monitor {
namespace {

using K = iexec::PocoEventKind;

constexpr char kScheduler[] = "0x00000000000000000000000000000000000000a1";
constexpr char kWorker1[] = "0x00000000000000000000000000000000000000b1";
constexpr char kWorker2[] = "0x00000000000000000000000000000000000000b2";
constexpr char kRequester[] = "0x00000000000000000000000000000000000000c1";
constexpr char kAppOwner[] = "0x00000000000000000000000000000000000000d1";
constexpr char kKitty[] = "0x0000000000000000000000000000000000000099";

class PoolStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = HistoryStore::Open(dir_.path() / "h" / "history.db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->Reset("p", {"65535", "0xhub", "0xpool", kScheduler, 10, 10}).ok());
  }
  StoredEvent E(uint64_t block, K kind, std::string id, std::string account = "",
                std::string amount = "0", std::string ref = "") {
    return {block, log_++, "0xtx" + std::to_string(block), 1000 + block, kind,
            std::move(id), std::move(account), std::move(amount), std::move(ref)};
  }
  poolops::test::TempDir dir_;
  std::unique_ptr<HistoryStore> store_;
  uint64_t log_ = 0;
};

TEST_F(PoolStatsTest, CountsWhatThePoolsSchedulerAndWorkersGotAndLost) {
  std::vector<StoredEvent> events = {
      E(11, K::kOrdersMatched, "0xd1", "", "2"),
      E(11, K::kSchedulerNotice, "0xd1", "0xpool"),
      // Task 1: worker 1, completed. The requester is seized the price, the
      // app owner rewarded: neither is the pool's.
      E(12, K::kTaskInitialize, "0xt1", "0xpool"),
      E(13, K::kTaskContribute, "0xt1", kWorker1),
      E(14, K::kTaskFinalize, "0xt1"),
      E(14, K::kSeize, "", kRequester, "100", "0xt1"),
      E(14, K::kReward, "", kAppOwner, "5", "0xt1"),
      E(14, K::kReward, "", kWorker1, "99", "0xt1"),
      E(14, K::kReward, "", kScheduler, "1", "0xt1"),
      // Task 2: worker 2 contributed, failed: the scheduler's stake goes to
      // the kitty (not the pool's reward).
      E(15, K::kTaskInitialize, "0xt2", "0xpool"),
      E(16, K::kTaskContribute, "0xt2", kWorker2),
      E(30, K::kTaskClaimed, "0xt2"),
      E(30, K::kSeize, "", kScheduler, "30", "0xt2"),
      E(30, K::kReward, "", kKitty, "30", "0xt2"),
      // Task 3: initialized, still running.
      E(31, K::kTaskInitialize, "0xt3", "0xpool"),
      E(32, K::kTaskContribute, "0xt3", kWorker1),
  };
  ASSERT_TRUE(store_->Commit("p", events, {{"0xtx14", 14, 1014, kScheduler, "21000"},
                                            {"0xtx13", 13, 1013, kWorker1, "5"}},
                             33, {32, "0xhash"})
                  .ok());
  absl::StatusOr<PoolStats> s = ComputePoolStats(*store_, "p");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->from_block, 10u);
  EXPECT_EQ(s->to_block, 32u);
  EXPECT_EQ(s->deals, 1u);
  EXPECT_EQ(s->deal_tasks, 2u);
  EXPECT_EQ(s->completed, 1u);
  EXPECT_EQ(s->failed, 1u);
  EXPECT_EQ(s->running, 1u);
  EXPECT_EQ(s->earned_scheduler, "1");
  EXPECT_EQ(s->earned_workers, "99");
  EXPECT_EQ(s->seized, "30");
  EXPECT_EQ(s->gas_spent, "21005");
  ASSERT_EQ(s->workers.size(), 2u);
  EXPECT_EQ(s->workers[0].address, kWorker1);
  EXPECT_EQ(s->workers[0].tasks, 2u);
  EXPECT_EQ(s->workers[0].earned, "99");
  EXPECT_EQ(s->workers[1].address, kWorker2);
  EXPECT_EQ(s->workers[1].tasks, 1u);
  EXPECT_EQ(s->workers[1].earned, "0");
  // The timeline: events from time 1011 to 1032, one second a slice; task 1
  // ended (and paid the pool 1 + 99) at 1014, task 2 failed at 1030.
  ASSERT_EQ(s->timeline.size(), kTimelinePoints);
  EXPECT_EQ(s->timeline[0].time, 1011u);
  EXPECT_EQ(s->timeline[3].time, 1014u);
  EXPECT_EQ(s->timeline[3].completed, 1u);
  EXPECT_EQ(s->timeline[3].earned, "100");
  EXPECT_EQ(s->timeline[19].failed, 1u);
  EXPECT_EQ(s->timeline[19].seized, "30");
  uint64_t completed = 0, failed = 0;
  for (const StatsPoint& p : s->timeline) {
    completed += p.completed;
    failed += p.failed;
  }
  EXPECT_EQ(completed, 1u);
  EXPECT_EQ(failed, 1u);

  // The window from block 15's time on: task 1's rewards and the deal fall
  // out; the running count does not depend on the window.
  s = ComputePoolStats(*store_, "p", 1015);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->from_block, 15u);
  EXPECT_EQ(s->deals, 0u);
  EXPECT_EQ(s->completed, 0u);
  EXPECT_EQ(s->failed, 1u);
  EXPECT_EQ(s->running, 1u);
  EXPECT_EQ(s->earned_scheduler, "0");
  EXPECT_EQ(s->seized, "30");
  EXPECT_EQ(s->gas_spent, "0");
}

TEST_F(PoolStatsTest, RewindDropsWhatCameAfterAndResetForgetsAll) {
  ASSERT_TRUE(store_->Commit("p", {E(11, K::kSchedulerNotice, "0xd1", "0xpool")}, {}, 20,
                             {19, "0xa"})
                  .ok());
  ASSERT_TRUE(store_->Commit("p", {E(21, K::kSchedulerNotice, "0xd2", "0xpool")}, {}, 30,
                             {29, "0xb"})
                  .ok());
  EXPECT_EQ(ComputePoolStats(*store_, "p")->deals, 2u);
  ASSERT_TRUE(store_->Rewind("p", 20).ok());
  EXPECT_EQ(ComputePoolStats(*store_, "p")->deals, 1u);
  EXPECT_EQ((*store_->Cursor("p"))->next_block, 20u);
  ASSERT_EQ(store_->Checkpoints("p")->size(), 1u);
  EXPECT_EQ(store_->Checkpoints("p")->front().hash, "0xa");
  for (uint64_t b = 100; b < 200; ++b)
    ASSERT_TRUE(store_->Commit("p", {}, {}, b + 1, {b, "0x" + std::to_string(b)}).ok());
  EXPECT_EQ(store_->Checkpoints("p")->size(),
            static_cast<size_t>(HistoryStore::kCheckpoints));
  EXPECT_EQ(store_->Checkpoints("p")->front().block, 199u);
  ASSERT_TRUE(store_->Reset("p", {"1", "0xhub", "0xother", kScheduler, 5, 5}).ok());
  EXPECT_EQ(ComputePoolStats(*store_, "p")->deals, 0u);
  EXPECT_TRUE(store_->Checkpoints("p")->empty());
  EXPECT_TRUE(absl::IsNotFound(ComputePoolStats(*store_, "nosuch").status()));
}

TEST_F(PoolStatsTest, TheStoreIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() / "h" / "history.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(::stat((dir_.path() / "h").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
}

}  // namespace
}  // namespace poolops::monitor
