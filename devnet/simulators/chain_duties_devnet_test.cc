// The core and worker simulators' on-chain duties on a real devnet (anvil +
// PoCo, every flavour): a requester buys tasks from the pool's order
// (devnet::PoolTraffic), the scheduler's and workers' duties run them with
// their own keystores; the hub must show the tasks completed and failed and
// the escrow the money those moves imply. The HTTP hop between a worker and
// the core is a direct call here (the simulators' HTTP is tested apart).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "devnet/devnet_test_support.h"
#include "devnet/simulators/chain_session.h"
#include "devnet/simulators/scheduler_duties.h"
#include "devnet/simulators/worker_duties.h"
#include "devnet/traffic/pool_traffic.h"
#include "devnet/traffic/traffic_test_support.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/random.h"
#include "libs/eth/hex.h"
#include "services/wallet/keystore/keystore.h"

namespace poolops::sim {
namespace {

using devnet::Flavour;

constexpr char kPassword[] = "simulator wallet password";

class ChainDutiesDevnetTest : public ::testing::TestWithParam<Flavour> {
 protected:
  // The keystore the stack would mount for dev account `index` (a cheap
  // scrypt: the test is not about key derivation).
  std::string Keystore(const devnet::testing::TrafficWorld& world,
                       size_t index) {
    std::string key = *files::ReadFile(
        world.state().accounts.at(index).private_key_file, 1024);
    eth::Bytes bytes = *eth::FromHexFixed(
        std::string(absl::StripAsciiWhitespace(key)), 32, "key");
    wallet::EncryptOptions cheap;
    cheap.scrypt_n = 1u << 10;
    absl::StatusOr<std::string> json =
        wallet::EncryptKeystore(bytes, kPassword, Random::Secure(), cheap);
    EXPECT_TRUE(json.ok()) << json.status();
    std::string path =
        (world.home() / ("wallet-" + std::to_string(index) + ".json")).string();
    EXPECT_TRUE(files::WriteFileAtomic(path, *json, 0600).ok());
    return path;
  }

  std::unique_ptr<ChainSession> Open(const devnet::testing::TrafficWorld& world,
                                     size_t index) {
    absl::StatusOr<std::unique_ptr<ChainSession>> s =
        ChainSession::Open({world.state().rpc, world.hub().hub.ToChecksum(),
                            Keystore(world, index), kPassword});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }

  std::vector<std::string> log_;
  std::mutex log_mu_;
  WorkerDuties::Logger Log(std::string who) {
    return [this, who](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(who + ": " + line);
    };
  }
};

// GET path?query on the core, answered by its duties.
WorkerDuties::CoreGet CoreOf(SchedulerDuties* core) {
  return [core](const std::string& target) -> absl::StatusOr<HttpResponse> {
    HttpRequest r;
    r.method = "GET";
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q + 1);
    return core->HandleAvailable(r);
  };
}

TEST_P(ChainDutiesDevnetTest, ThePoolsOwnCoreAndWorkersRunTheTasksOnChain) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  devnet::testing::TrafficWorld world;
  ASSERT_TRUE(world.Start(GetParam(), /*price=*/100).ok());
  const devnet::EscrowAccount scheduler_before =
      world.Escrow(world.scheduler());

  // A wrong password opens nothing, and says so without the password.
  absl::StatusOr<std::unique_ptr<ChainSession>> wrong =
      ChainSession::Open({world.state().rpc, world.hub().hub.ToChecksum(),
                          Keystore(world, 1), "not the password"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("incorrect password"),
            std::string::npos);
  EXPECT_EQ(wrong.status().message().find("not the password"),
            std::string::npos);

  // Dev account #1 is the scheduler, #2 and #3 the workers (TrafficWorld).
  std::unique_ptr<ChainSession> core_session = Open(world, 1);
  std::unique_ptr<ChainSession> w0_session = Open(world, 2);
  std::unique_ptr<ChainSession> w1_session = Open(world, 3);
  ASSERT_TRUE(core_session && w0_session && w1_session);
  EXPECT_EQ(core_session->key().address(), world.scheduler());
  EXPECT_EQ(core_session->hub().token, world.hub().token);

  SchedulerDuties core(core_session.get(), world.workerpool(), 0, Log("core"));
  core.Start(absl::Milliseconds(100));
  WorkerDuties w0(w0_session.get(), CoreOf(&core), Log("worker0"));
  WorkerDuties w1(w1_session.get(), CoreOf(&core), Log("worker1"));
  std::atomic<bool> stop{false};
  std::thread workers([&] {
    while (!stop) {
      (void)w0.RunOnce();
      (void)w1.RunOnce();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  devnet::TrafficActors actors = world.Actors();
  devnet::PoolTraffic traffic(
      &world.api(), &world.anvil(), &world.hub(), actors.requester,
      actors.claimer,
      [&world](const eth::Address&)
          -> absl::StatusOr<std::vector<iexec::WorkerpoolOrder>> {
        return std::vector<iexec::WorkerpoolOrder>{world.order()};
      },
      Clock::Real());
  devnet::PoolTrafficPlan plan;
  plan.workerpool = world.workerpool();
  plan.deals = 3;
  plan.fail = 1;
  plan.timeout = absl::Seconds(120);
  plan.poll = absl::Milliseconds(100);
  absl::StatusOr<devnet::TrafficRun> run = traffic.Run(plan);
  stop = true;
  workers.join();
  core.Stop();
  ASSERT_TRUE(run.ok()) << run.status() << "\n" << absl::StrJoin(log_, "\n");

  ASSERT_EQ(run->tasks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    absl::StatusOr<devnet::TaskView> view =
        devnet::ViewTask(world.api(), world.hub(), run->tasks[i].task_id);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_EQ(view->status, i < 2 ? 3 : 4) << "task " << i;  // COMPLETED/FAILED
    EXPECT_EQ(run->tasks[i].completed, i < 2);
  }
  // Price 100 nRLC: the scheduler earned 1 per completed task and lost its
  // 30 for the failed one; nothing stays locked; the requester paid 200.
  const devnet::EscrowAccount scheduler = world.Escrow(world.scheduler());
  EXPECT_EQ(scheduler.locked, eth::U256(0));
  EXPECT_EQ(scheduler.stake + eth::U256(30),
            scheduler_before.stake + eth::U256(2))
      << scheduler.stake.ToDecimal();
  EXPECT_EQ(world.Escrow(world.worker(0)).locked, eth::U256(0));
  EXPECT_EQ(world.Escrow(world.worker(1)).locked, eth::U256(0));
  // The workers earned 99 per completed task between them.
  const eth::U256 earned =
      world.Escrow(world.worker(0)).stake + world.Escrow(world.worker(1)).stake;
  EXPECT_GE(earned, eth::U256(198)) << earned.ToDecimal();

  // What the core's /metrics counts: the deals it saw, the tasks it
  // finalized (the failed one was claimed, not finalized).
  PlatformMetric metric;
  core.AddActivity(&metric);
  EXPECT_EQ(metric.deals, 3);
  EXPECT_EQ(metric.completed_tasks, 2);
  EXPECT_EQ(metric.latest_block_with_deal, run->deals.back().block);

  // A core that restarts reads its deals again and finds nothing to do: no
  // task initialized twice, none handed out again.
  SchedulerDuties restarted(core_session.get(), world.workerpool(), 0,
                            Log("core2"));
  absl::Status polled = restarted.PollOnce();
  EXPECT_TRUE(polled.ok()) << polled;
  absl::StatusOr<std::optional<nlohmann::json>> next =
      restarted.NextReplicate(world.worker(0));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_FALSE(next->has_value()) << (*next)->dump();
}

INSTANTIATE_TEST_SUITE_P(Flavours, ChainDutiesDevnetTest,
                         ::testing::Values(Flavour::kNative, Flavour::kToken,
                                           Flavour::kArbitrum),
                         [](const auto& info) {
                           return std::string(devnet::FlavourName(info.param));
                         });

}  // namespace
}  // namespace poolops::sim
