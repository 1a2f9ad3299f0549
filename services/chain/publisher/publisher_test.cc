#include "services/chain/publisher/publisher.h"

#include <sys/stat.h>

#include <deque>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "services/chain/orders/fake_order_world.h"
#include "services/chain/orders/orders.h"

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
  // 9.x: registered - computing.
  std::string v9 =
      R"({"aliveWorkers":2,"aliveRegisteredCpu":8,"aliveComputingCpu":5,)"
      R"("aliveRegisteredGpu":0,"aliveComputingGpu":0})";
  EXPECT_EQ(*ParseCoreCapacity(v9, false), 3u);
  // A core that gives totals only: what is free is unknown, never the total.
  for (std::string totals_only :
       {std::string(R"({"aliveWorkers":1,"aliveTotalCpu":4})"),
        std::string(R"({"aliveWorkers":1,"aliveRegisteredCpu":4})")}) {
    absl::StatusOr<uint64_t> c = ParseCoreCapacity(totals_only, false);
    ASSERT_FALSE(c.ok()) << totals_only << " -> " << *c;
    EXPECT_THAT(c.status().message(), HasSubstr("no free CPU count"));
  }
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
    prices.push_back(p.terms.price);
    units.push_back(p.terms.price_unit);
    ++open.count;
    open.volume += 1;
    open.lock = open.lock + eth::U256(300);
    return std::string("0x") + std::string(64, 'a');
  }
  absl::StatusOr<std::string> WalletLocked(const PublisherPolicy&) override {
    absl::MutexLock l(&mu);
    return locked;
  }
  absl::Status CheckShape(const PublisherPolicy&,
                          const iexec::WorkerpoolOrder&) override {
    absl::MutexLock l(&mu);
    return shape_error;
  }
  absl::Mutex mu;
  absl::Status shape_error;  // what the chain says of the policy's orders
  std::string locked;        // why the owner wallet is locked; "" = unlocked
  absl::StatusOr<uint64_t> capacity = 0;
  OpenOrders open;
  eth::U256 stake = eth::U256(1'000'000);
  int published = 0;
  std::vector<std::string> prices;  // terms.price of each published order
  std::vector<eth::Unit> units;
};

// 64-bit draws as scripted, big-endian as DrawPrice reads them.
class ScriptedRandom : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> draws)
      : draws_(draws.begin(), draws.end()) {}
  absl::Status Fill(absl::Span<uint8_t> out) override {
    if (draws_.empty() || out.size() != 8)
      return absl::InternalError("script exhausted");
    uint64_t x = draws_.front();
    draws_.pop_front();
    for (int i = 7; i >= 0; --i, x >>= 8) out[i] = x & 0xff;
    return absl::OkStatus();
  }

 private:
  std::deque<uint64_t> draws_;
};

class PublishersTest : public ::testing::Test {
 protected:
  std::unique_ptr<Publishers> Make(bool loops) {
    auto world = std::make_unique<FakeWorld>();
    fake = world.get();
    PublishersOptions o;
    o.world = std::move(world);
    o.clock = &clock;
    o.random = random;
    o.start_loops = loops;
    absl::StatusOr<std::unique_ptr<Publishers>> p =
        Publishers::Create(w.gateway.get(), nullptr, w.home(), std::move(o));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : nullptr;
  }

  FakeOrderWorld w;
  FakeClock clock;
  Random* random = nullptr;
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

// An operator's `wallet lock` pauses publishing, visibly, until the wallet
// is unlocked again.
TEST_F(PublishersTest, ALockedOwnerPausesPublishingAndSaysWhy) {
  std::unique_ptr<Publishers> pubs = Make(/*loops=*/false);
  ASSERT_TRUE(pubs->Set(Policy()).ok());
  fake->capacity = 2;
  fake->locked =
      "wallet owner (0x..) was locked by the operator at "
      "2026-12-02T09:00:00Z; `poolctl wallet unlock owner` resumes";
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 0);
  EXPECT_EQ(s.paused, fake->locked);
  EXPECT_THAT(s.last_error, HasSubstr("publishing paused: wallet owner"));
  EXPECT_THAT(s.last_decision, HasSubstr("paused"));
  absl::StatusOr<PublisherState> status = pubs->Status("", mt::kWorkerpool);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->paused, fake->locked);
  fake->locked.clear();  // `wallet unlock`
  s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 2);
  EXPECT_TRUE(s.paused.empty());
  EXPECT_TRUE(s.last_error.empty());
}

// The chain's tag rules (no SGX on PoCo 6) refuse a policy when it is set,
// and hold each round for a policy that predates them.
TEST_F(PublishersTest, TheChainsTagRulesRefuseAPolicyAndStopItsRounds) {
  std::unique_ptr<Publishers> pubs = Make(/*loops=*/false);
  fake->shape_error = absl::InvalidArgumentError("tag tee,scone: SGX is gone");
  absl::StatusOr<PublisherState> set = pubs->Set(Policy());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(set.status().message(), HasSubstr("SGX is gone"));
  fake->shape_error = absl::OkStatus();
  ASSERT_TRUE(pubs->Set(Policy()).ok());
  fake->shape_error = absl::InvalidArgumentError("tag tee,scone: SGX is gone");
  fake->capacity = 2;
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 0);
  EXPECT_THAT(s.last_error, HasSubstr("SGX is gone"));
}

TEST(DrawPriceTest, UniformWithinTheRangeBoundsIncluded) {
  // 21 prices: draws below 2^64 mod 21 = 16 are rejected (they would favour
  // the low prices), the others map to min + draw % 21.
  ScriptedRandom r({21, 20, 5, 37, ~uint64_t{0}});
  PriceRange range{100, 120};
  EXPECT_EQ(*DrawPrice(range, &r), 100u);
  EXPECT_EQ(*DrawPrice(range, &r), 120u);
  EXPECT_EQ(*DrawPrice(range, &r), 116u);  // 5 rejected, then 37
  EXPECT_EQ(*DrawPrice(range, &r), 100u + (~uint64_t{0}) % 21);
  ScriptedRandom none({});
  EXPECT_EQ(*DrawPrice({7, 7}, &none), 7u);  // one price: no draw needed
  EXPECT_EQ(DrawPrice({8, 7}, &none).status().code(),
            absl::StatusCode::kInvalidArgument);
  // The real source stays within the range too.
  for (int i = 0; i < 200; ++i) {
    uint64_t p = *DrawPrice({1000, 1003}, Random::Secure());
    EXPECT_GE(p, 1000u);
    EXPECT_LE(p, 1003u);
  }
}

TEST_F(PublishersTest, ARangeDrawsEachOrdersPriceWithinIt) {
  ScriptedRandom draws({21, 20, 37});
  random = &draws;
  std::unique_ptr<Publishers> pubs = Make(false);
  PublisherPolicy p = Policy(10, "");
  p.price_range = PriceRange{100, 120};
  ASSERT_TRUE(pubs->Set(p).ok());
  fake->capacity = 3;
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_TRUE(s.last_error.empty()) << s.last_error;
  EXPECT_THAT(fake->prices, ::testing::ElementsAre("100", "120", "116"));
  EXPECT_THAT(fake->units, ::testing::Each(eth::Unit::kNRlc));
}

// The stake must cover every new order at the range's maximum: 300 nRLC per
// task at 1000, so 600 staked pays for 2 orders (at the minimum, 100, it
// would pay for 20).
TEST_F(PublishersTest, TheStakeCheckCountsTheRangesMaximum) {
  ScriptedRandom draws(std::vector<uint64_t>(5, ~uint64_t{0}));
  random = &draws;
  std::unique_ptr<Publishers> pubs = Make(false);
  PublisherPolicy p = Policy(10, "");
  p.price_range = PriceRange{100, 1000};
  ASSERT_TRUE(pubs->Set(p).ok());
  fake->capacity = 5;
  fake->stake = eth::U256(600);
  PublisherState s = *pubs->RunOnce("", mt::kWorkerpool);
  EXPECT_EQ(fake->published, 2);
  EXPECT_THAT(s.last_error, HasSubstr("stake too low"));
  EXPECT_THAT(s.last_error, HasSubstr("maximum price 1000 nRLC"));
  EXPECT_THAT(s.last_error, HasSubstr("cannot lock 1500 nRLC"));
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
    p.price_range = PriceRange{1000, 2000};
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
  ASSERT_TRUE(s->policy.price_range.has_value());
  EXPECT_EQ(s->policy.price_range->min_nrlc, 1000u);
  EXPECT_EQ(s->policy.price_range->max_nrlc, 2000u);
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
  p.price_range = PriceRange{2000, 1000};
  EXPECT_THAT(pubs->Set(p).status().message(),
              HasSubstr("the minimum is above the maximum"));
  p.price_range = PriceRange{0, kMaxOrderNumber + 1};
  EXPECT_EQ(pubs->Set(p).status().code(), absl::StatusCode::kInvalidArgument);
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

// A policy file that does not parse (here nested a million levels, which
// crashed the gateway on every start) is skipped: the gateway starts, the
// other policies run, and the broken one is listed with its error until it
// is set again.
TEST_F(PublishersTest, ABrokenPolicyFileIsSkippedAndShownNotACrashLoop) {
  {
    std::unique_ptr<Publishers> pubs = Make(/*loops=*/false);
    ASSERT_TRUE(pubs->Set(Policy()).ok());
  }
  const std::string other = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  std::filesystem::path dir = w.home() / "publisher";
  std::string deep = R"({"chain":"fake","workerpool":")" + other +
                     R"(","wallet":"owner","terms":)" +
                     std::string(400'000, '[') + std::string(400'000, ']') +
                     "}";
  ASSERT_TRUE(
      files::WriteFileAtomic(
          dir / ("fake-" + absl::AsciiStrToLower(other) + ".json"), deep, 0600)
          .ok());
  ASSERT_TRUE(
      files::WriteFileAtomic(dir / "junk.json", "{\"chain\":", 0600).ok());
  // A policy whose chain would be a path, under a name that says otherwise.
  std::string escaping = R"({"chain":"../../x","workerpool":")" + other +
                         R"(","wallet":"owner","terms":{}})";
  ASSERT_TRUE(files::WriteFileAtomic(dir / "fake-x.json", escaping, 0600).ok());

  for (int start = 0; start < 2; ++start) {  // the next start too
    std::unique_ptr<Publishers> pubs = Make(/*loops=*/true);
    ASSERT_NE(pubs, nullptr);
    std::vector<PublisherState> all = pubs->List();
    ASSERT_EQ(all.size(), 2u);
    absl::StatusOr<PublisherState> broken = pubs->Status("fake", other);
    ASSERT_TRUE(broken.ok()) << broken.status();
    EXPECT_FALSE(broken->running);
    EXPECT_FALSE(broken->policy.enabled);
    EXPECT_THAT(broken->last_error,
                HasSubstr("the policy file is broken, publishing is off"));
    EXPECT_THAT(broken->last_error, HasSubstr("JSON nested deeper than 16"));
    EXPECT_THAT(broken->last_error, HasSubstr("poolctl publisher set"));
    // Never run: a round on it touches nothing.
    absl::StatusOr<PublisherState> once = pubs->RunOnce("fake", other);
    ASSERT_TRUE(once.ok());
    EXPECT_EQ(once->rounds, 0u);
    // The good one resumed and runs.
    absl::StatusOr<PublisherState> good = pubs->Status("", mt::kWorkerpool);
    ASSERT_TRUE(good.ok());
    EXPECT_TRUE(good->running);
    EXPECT_TRUE(good->last_error.empty());
  }
  // Setting it again replaces the broken file.
  std::unique_ptr<Publishers> pubs = Make(/*loops=*/false);
  PublisherPolicy fixed = Policy();
  fixed.workerpool = other;
  absl::StatusOr<PublisherState> set = pubs->Set(fixed);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->last_error.empty());
  fake->capacity = 1;
  EXPECT_EQ(pubs->RunOnce("fake", other)->rounds, 1u);
}

TEST(PublisherPolicyTest, ChainAndWorkerpoolAreChecked) {
  nlohmann::json j = PublisherPolicyToJson(Policy());
  j["chain"] = "fake";
  ASSERT_TRUE(PublisherPolicyFromJson(j).ok());
  j["chain"] = "../x";
  EXPECT_THAT(PublisherPolicyFromJson(j).status().message(),
              HasSubstr("is not a chain name"));
  j["chain"] = "fake";
  j["workerpool"] = "0x12";
  EXPECT_FALSE(PublisherPolicyFromJson(j).ok());
}

TEST(ParseCoreCapacityTest, DeepBodiesAreRefused) {
  std::string deep = std::string(400'000, '[') + std::string(400'000, ']');
  absl::StatusOr<uint64_t> c = ParseCoreCapacity(deep, false);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("JSON nested deeper than 32"));
}

}  // namespace
}  // namespace poolops::chain
