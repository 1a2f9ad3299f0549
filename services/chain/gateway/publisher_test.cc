#include "services/chain/gateway/publisher.h"

#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "services/chain/gateway/order_test_fakes.h"
#include "services/chain/gateway/orders.h"

namespace poolops::chain {
namespace {

using testing::FakeOrderWorld;
using testing::FakeWeb;
using ::testing::HasSubstr;
namespace mt = market::testing;

PublisherPolicy Policy(uint32_t max_open = 3, std::string price = "1000",
                       std::string volume = "1") {
  PublisherPolicy p;
  p.workerpool = mt::kWorkerpool;
  p.wallet = "owner";
  p.core_metrics_url = "http://core:13000/metrics";
  p.terms.price = price;
  p.terms.volume = volume;
  p.max_open_orders = max_open;
  p.check_period_seconds = 3600;  // rounds come from RunOnce / kicks
  return p;
}

// --- decisions (iExec's order-publisher, plus the stake rule) ---

TEST(DecidePublishTest, CapacityMinusOpenVolume) {
  PublisherPolicy p = Policy(10);
  PublishDecision d = DecidePublish(p, 1000, 1, 4, {1, 1, 300}, 100000);
  EXPECT_EQ(d.orders, 3u);
  EXPECT_TRUE(d.error.empty());
  d = DecidePublish(p, 1000, 1, 2, {2, 2, 600}, 100000);
  EXPECT_EQ(d.orders, 0u);
  EXPECT_THAT(d.reason, HasSubstr("covered by open volume"));
  d = DecidePublish(p, 1000, 1, 0, {}, 100000);  // no alive worker
  EXPECT_EQ(d.orders, 0u);
}

TEST(DecidePublishTest, MaxOpenOrdersAndOrderVolume) {
  PublishDecision d = DecidePublish(Policy(3), 0, 1, 10, {3, 3, 0}, 0);
  EXPECT_EQ(d.orders, 0u);
  EXPECT_THAT(d.reason, HasSubstr("max 3"));
  d = DecidePublish(Policy(3), 0, 1, 10, {1, 1, 0}, 0);
  EXPECT_EQ(d.orders, 2u);  // capped by the open-order maximum
  d = DecidePublish(Policy(10), 0, 4, 10, {}, 0);
  EXPECT_EQ(d.orders, 2u);  // 10 free CPUs, volume 4
  d = DecidePublish(Policy(10), 0, 4, 3, {}, 0);
  EXPECT_EQ(d.orders, 0u);
  EXPECT_THAT(d.reason, HasSubstr("below one order's volume"));
}

TEST(DecidePublishTest, NeverMoreThanTheStakeLocks) {
  // 300 nRLC per task; 300 already locked by the open order.
  PublishDecision d = DecidePublish(Policy(10), 1000, 1, 5, {1, 1, 300}, 900);
  EXPECT_EQ(d.orders, 2u);
  EXPECT_THAT(d.error, HasSubstr("stake too low"));
  EXPECT_THAT(d.error, HasSubstr("deposit 600 nRLC more"));
  d = DecidePublish(Policy(10), 1000, 1, 5, {1, 1, 300}, 599);
  EXPECT_EQ(d.orders, 0u);
  EXPECT_THAT(d.error, HasSubstr("599 nRLC staked cannot lock 1500 nRLC"));
  d = DecidePublish(Policy(10), 0, 1, 5, {}, 0);  // free orders lock nothing
  EXPECT_EQ(d.orders, 5u);
}

TEST(ParseCoreCapacityTest, CoreVersions) {
  std::string v7 =
      R"({"aliveWorkers":1,"aliveTotalCpu":4,"aliveAvailableCpu":3,)"
      R"("aliveTotalGpu":1,"aliveAvailableGpu":1,"completedTasks":0})";
  EXPECT_EQ(*ParseCoreCapacity(v7, false), 3u);
  EXPECT_EQ(*ParseCoreCapacity(v7, true), 1u);
  EXPECT_THAT(ParseCoreCapacity("{}", false).status().message(),
              HasSubstr("aliveAvailableCpu"));
  EXPECT_FALSE(ParseCoreCapacity("<html>", false).ok());
}

// --- the loop over a scripted world ---

class FakeWorld : public PublisherWorld {
 public:
  absl::StatusOr<uint64_t> Capacity(const PublisherPolicy&) override {
    absl::MutexLock l(&mu);
    return capacity;
  }
  absl::StatusOr<OpenOrders> Open(const PublisherPolicy&) override {
    absl::MutexLock l(&mu);
    return open;
  }
  absl::StatusOr<eth::U256> Stake(const PublisherPolicy&) override {
    absl::MutexLock l(&mu);
    return stake;
  }
  absl::StatusOr<std::string> PublishOne(const PublisherPolicy& p) override {
    absl::MutexLock l(&mu);
    ++published;
    ++open.count;
    open.volume += 1;
    open.lock = open.lock + eth::U256(300);
    return std::string("0x") + std::string(64, 'a');
  }
  absl::Mutex mu;
  absl::StatusOr<uint64_t> capacity = 0;
  OpenOrders open;
  eth::U256 stake = eth::U256(1'000'000);
  int published = 0;
};

class PublishersTest : public ::testing::Test {
 protected:
  std::unique_ptr<Publishers> Make(bool loops) {
    auto world = std::make_unique<FakeWorld>();
    fake = world.get();
    PublishersOptions o;
    o.world = std::move(world);
    o.clock = &clock;
    o.start_loops = loops;
    absl::StatusOr<std::unique_ptr<Publishers>> p =
        Publishers::Create(w.gateway.get(), nullptr, w.home(), std::move(o));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : nullptr;
  }

  FakeOrderWorld w;
  FakeClock clock;
  FakeWorld* fake = nullptr;
};

TEST_F(PublishersTest, RoundsPublishTheFreeCapacity) {
  std::unique_ptr<Publishers> pubs = Make(/*loops=*/false);
  absl::StatusOr<PublisherState> set = pubs->Set(Policy());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->policy.chain, "fake");
  EXPECT_FALSE(set->running);
  fake->capacity = 2;
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 2);
  EXPECT_EQ(s.published_total, 2u);
  EXPECT_EQ(*s.available_capacity, 2u);
  EXPECT_EQ(*s.open_volume, 2u);
  EXPECT_EQ(*s.last_check, clock.Now());
  EXPECT_TRUE(s.last_error.empty());
  // Nothing more while the open volume covers the capacity.
  clock.Advance(absl::Seconds(30));
  s = *pubs->RunOnce("fake", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 2);
  EXPECT_THAT(s.last_decision, HasSubstr("covered"));
  EXPECT_EQ(*s.last_check, clock.Now());
  // A worker freed two more CPUs: capped at 3 open orders.
  fake->capacity = 4;
  s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 3);
}

TEST_F(PublishersTest, StakeAndCoreFailuresAreReported) {
  std::unique_ptr<Publishers> pubs = Make(false);
  ASSERT_TRUE(pubs->Set(Policy()).ok());
  fake->capacity = 2;
  fake->stake = eth::U256(100);
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 0);
  EXPECT_THAT(s.last_error, HasSubstr("stake too low"));
  fake->capacity =
      absl::UnavailableError("core metrics http://core:13000/metrics: refused");
  s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_THAT(s.last_error, HasSubstr("core metrics"));
  EXPECT_FALSE(s.available_capacity.has_value());
  EXPECT_EQ(fake->published, 0);
}

TEST_F(PublishersTest, PoliciesArePersistedAndResumed) {
  {
    std::unique_ptr<Publishers> pubs = Make(false);
    PublisherPolicy p = Policy(5, "2", "1");
    p.terms.price_unit = eth::Unit::kRlc;
    p.terms.tag = "tee,scone";
    ASSERT_TRUE(pubs->Set(p).ok());
  }
  std::filesystem::path file =
      w.home() / "publisher" /
      ("fake-" + absl::AsciiStrToLower(std::string(mt::kWorkerpool)) + ".json");
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::unique_ptr<Publishers> again = Make(false);
  absl::StatusOr<PublisherState> s = again->Status("", mt::kWorkerpool);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->policy.max_open_orders, 5u);
  EXPECT_EQ(s->policy.terms.price, "2");
  EXPECT_EQ(s->policy.terms.price_unit, eth::Unit::kRlc);
  EXPECT_EQ(s->policy.terms.tag, "tee,scone");
  EXPECT_EQ(again->List().size(), 1u);
}

TEST_F(PublishersTest, ValidatesPolicies) {
  std::unique_ptr<Publishers> pubs = Make(false);
  PublisherPolicy p = Policy();
  p.core_metrics_url = "";
  EXPECT_THAT(pubs->Set(p).status().message(), HasSubstr("core metrics URL"));
  p = Policy();
  p.terms.tag = "tee";
  EXPECT_THAT(pubs->Set(p).status().message(), HasSubstr("tag"));
  p = Policy();
  p.wallet = "";
  EXPECT_THAT(pubs->Set(p).status().message(), HasSubstr("wallet"));
  p = Policy();
  p.chain = "nope";
  EXPECT_EQ(pubs->Set(p).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(pubs->Status("", mt::kWorkerpool).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PublishersTest, TheLoopRunsAndStops) {
  std::unique_ptr<Publishers> pubs = Make(/*loops=*/true);
  fake->capacity = 1;
  absl::StatusOr<PublisherState> set = pubs->Set(Policy());
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->running);
  // A kicked round, answered by the loop thread (no sleeping on the period).
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_TRUE(s.running);
  EXPECT_GE(s.rounds, 1u);
  EXPECT_EQ(fake->published, 1);
  {
    absl::MutexLock l(&fake->mu);
    fake->capacity = 3;
  }
  s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(s.published_total, 3u);
  PublisherPolicy off = Policy();
  off.enabled = false;
  s = *pubs->Set(off);
  EXPECT_FALSE(s.running);
}

}  // namespace
}  // namespace poolops::chain
