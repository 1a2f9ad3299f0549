// The pool's history read from a devnet with real traffic (deals matched,
// tasks completed and failed by the pool's scheduler and workers): the
// stats must agree with what the chain says on its own, the escrow
// accounts and balances, and with the run itself; a restart resumes where
// the last range was committed, a reorg is read again, and a node that
// caps eth_getLogs makes the ranges smaller, never the history shorter.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "devnet/devnet_test_support.h"
#include "devnet/traffic/traffic_test_support.h"
#include "gtest/gtest.h"
#include "libs/common/http_client.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"
#include "services/monitor/history/history_indexer.h"
#include "services/monitor/history/pool_stats.h"

namespace poolops::monitor {
namespace {

using devnet::Flavour;
using devnet::testing::TrafficWorld;

// The JSON-RPC error a node answers `request` with (code -32000, as geth
// and the providers do for what they will not serve).
http::Response NodeError(const nlohmann::json& request,
                         const std::string& message) {
  http::Response r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = nlohmann::json({{"jsonrpc", "2.0"},
                           {"id", request["id"]},
                           {"error", {{"code", -32000}, {"message", message}}}})
               .dump();
  return r;
}

// A node that refuses eth_getLogs over more than `max_blocks` blocks, as
// public RPC providers do (their error text), and counts the refusals.
class CappedNode : public http::Client {
 public:
  explicit CappedNode(uint64_t max_blocks)
      : real_(http::NewCurlClient()), max_blocks_(max_blocks) {}
  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_object() && body.value("method", "") == "eth_getLogs") {
      const nlohmann::json& f = body["params"][0];
      const uint64_t from = std::stoull(f["fromBlock"].get<std::string>(), nullptr, 16);
      const uint64_t to = std::stoull(f["toBlock"].get<std::string>(), nullptr, 16);
      if (to - from + 1 > max_blocks_) {
        ++refused_;
        return NodeError(body, "exceed maximum block range: " +
                                   std::to_string(max_blocks_));
      }
    }
    return real_->Send(request);
  }
  int refused() const { return refused_; }

 private:
  std::unique_ptr<http::Client> real_;
  uint64_t max_blocks_;
  int refused_ = 0;
};

// A node without old state (not an archive node): eth_getCode at a block
// number fails as geth answers it; everything else is the devnet's.
class NoOldStateNode : public http::Client {
 public:
  NoOldStateNode() : real_(http::NewCurlClient()) {}
  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_object() && body.value("method", "") == "eth_getCode" &&
        body["params"][1] != "latest") {
      return NodeError(body, "missing trie node 1a2b (path )");
    }
    return real_->Send(request);
  }

 private:
  std::unique_ptr<http::Client> real_;
};

eth::U256 Dec(const std::string& s) { return *eth::U256::FromDecimal(s); }

class HistoryDevnetTest : public ::testing::TestWithParam<Flavour> {
 protected:
  // A devnet pool that already ran `deals` deals (all completed).
  void StartWithDeals(TrafficWorld& world, uint64_t deals) {
    ASSERT_TRUE(world.Start(GetParam()).ok());
    devnet::TrafficPlan plan;
    plan.order = world.order();
    plan.deals = deals;
    ASSERT_TRUE(world.NewTraffic()->Run(plan).ok());
  }
  HistorySource Source(TrafficWorld& world) {
    return {"p1", std::to_string(world.state().chain_id), world.hub().hub,
            world.workerpool(), 0};
  }
  poolops::test::TempDir dir_;
};

TEST_P(HistoryDevnetTest, StatsAgreeWithTheChainAndTheRun) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  TrafficWorld world;
  ASSERT_TRUE(world.Start(GetParam(), /*price=*/100).ok());
  chain::EthApi& api = world.api();
  const devnet::HubContracts& hub = world.hub();
  // The workers' stake is in before anything is measured, so that what
  // their wallets spend from here on is the pool's work only.
  for (size_t i = 0; i < 2; ++i)
    ASSERT_TRUE(devnet::EnsureEscrow(api, hub, *world.Actors().worker_keys[i],
                                     eth::U256(100))
                    .ok());
  const eth::Address scheduler = world.scheduler();
  const eth::U256 eth_before = *api.GetBalance(scheduler) +
                               *api.GetBalance(world.worker(0)) +
                               *api.GetBalance(world.worker(1));
  const devnet::EscrowAccount scheduler_before = world.Escrow(scheduler);
  const devnet::EscrowAccount worker0_before = world.Escrow(world.worker(0));
  const devnet::EscrowAccount worker1_before = world.Escrow(world.worker(1));

  devnet::TrafficPlan plan;
  plan.order = world.order();
  plan.deals = 4;
  plan.fail = 1;
  absl::StatusOr<devnet::TrafficRun> run = world.NewTraffic()->Run(plan);
  ASSERT_TRUE(run.ok()) << run.status();

  absl::StatusOr<std::unique_ptr<HistoryStore>> store =
      HistoryStore::Open(dir_.path() / "history.db");
  ASSERT_TRUE(store.ok()) << store.status();
  HistoryIndexer indexer(&api, store->get());
  absl::StatusOr<SyncReport> report = indexer.Sync(Source(world));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->reset);
  EXPECT_EQ(report->to_block, *api.BlockNumber());

  absl::StatusOr<PoolStats> stats = ComputePoolStats(**store, "p1");
  ASSERT_TRUE(stats.ok()) << stats.status();
  // The run: 4 deals of one task, 3 completed, 1 failed and claimed.
  EXPECT_EQ(stats->deals, 4u);
  EXPECT_EQ(stats->deal_tasks, 4u);
  EXPECT_EQ(stats->completed, 3u);
  EXPECT_EQ(stats->failed, 1u);
  EXPECT_EQ(stats->running, 0u);
  EXPECT_EQ(stats->workerpool, world.workerpool().ToLowerHex());
  EXPECT_EQ(stats->scheduler, scheduler.ToLowerHex());

  // The chain on its own: every lock released, so what each escrow account
  // gained is exactly what it earned minus what it lost.
  const devnet::EscrowAccount scheduler_after = world.Escrow(scheduler);
  EXPECT_EQ(scheduler_after.locked, eth::U256(0));
  EXPECT_EQ(scheduler_after.stake + Dec(stats->seized),
            scheduler_before.stake + Dec(stats->earned_scheduler));
  EXPECT_EQ(stats->earned_scheduler, "3");  // 1% of 100, three times
  EXPECT_EQ(stats->seized, "30");           // 30% of 100 for the failed task
  EXPECT_EQ(stats->earned_workers, "297");  // 99% of 100, three times
  ASSERT_EQ(stats->workers.size(), 2u);
  const devnet::EscrowAccount worker_before[2] = {worker0_before, worker1_before};
  for (size_t i = 0; i < 2; ++i) {
    const WorkerStats& w = stats->workers[i];
    const size_t who = w.address == world.worker(0).ToLowerHex() ? 0 : 1;
    const devnet::EscrowAccount after = world.Escrow(world.worker(who));
    EXPECT_EQ(after.stake + Dec(w.seized), worker_before[who].stake + Dec(w.earned))
        << w.address;
    EXPECT_EQ(w.tasks, 2u);  // tasks go round-robin over the two workers
  }
  // Gas: what the three wallets lost in coin is what they spent on gas.
  const eth::U256 eth_after = *api.GetBalance(scheduler) +
                              *api.GetBalance(world.worker(0)) +
                              *api.GetBalance(world.worker(1));
  EXPECT_EQ(Dec(stats->gas_spent), eth_before - eth_after);
  if (GetParam() == Flavour::kArbitrum) EXPECT_NE(stats->gas_spent, "0");
}

TEST_P(HistoryDevnetTest, ResumesAfterARestartAndRereadsAReorg) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  TrafficWorld world;
  StartWithDeals(world, 2);
  if (HasFatalFailure()) return;
  devnet::TrafficPlan plan;
  plan.order = world.order();
  uint64_t first_to = 0;
  {
    auto store = HistoryStore::Open(dir_.path() / "history.db");
    ASSERT_TRUE(store.ok());
    HistoryIndexer indexer(&world.api(), store->get());
    absl::StatusOr<SyncReport> r = indexer.Sync(Source(world));
    ASSERT_TRUE(r.ok()) << r.status();
    first_to = r->to_block;
  }
  // More traffic while the monitor is down, then a new process.
  plan.deals = 1;
  plan.salt_seed = 1;
  ASSERT_TRUE(world.NewTraffic()->Run(plan).ok());
  auto store = HistoryStore::Open(dir_.path() / "history.db");
  ASSERT_TRUE(store.ok());
  HistoryIndexer indexer(&world.api(), store->get());
  absl::StatusOr<SyncReport> r = indexer.Sync(Source(world));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->reset);
  EXPECT_EQ(r->from_block, first_to + 1);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->deals, 3u);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->completed, 3u);

  // A reorg: the last blocks read are replaced (anvil reverts to a
  // snapshot taken before the last deal, then mines other blocks).
  chain::JsonRpcClient& rpc = *chain::JsonRpcClient::Create(
      {world.state().rpc}, http::NewCurlClient()).value().release();
  std::unique_ptr<chain::JsonRpcClient> owned(&rpc);
  absl::StatusOr<nlohmann::json> snap = rpc.Call("evm_snapshot");
  ASSERT_TRUE(snap.ok()) << snap.status();
  plan.salt_seed = 2;
  ASSERT_TRUE(world.NewTraffic()->Run(plan).ok());
  ASSERT_TRUE(indexer.Sync(Source(world)).ok());
  EXPECT_EQ(ComputePoolStats(**store, "p1")->deals, 4u);
  ASSERT_TRUE(rpc.Call("evm_revert", nlohmann::json::array({*snap})).ok());
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(rpc.Call("evm_mine").ok());
  r = indexer.Sync(Source(world));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rewound_to.has_value());
  EXPECT_LE(*r->rewound_to, r->to_block);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->deals, 3u);  // the lost deal is gone
}

TEST_P(HistoryDevnetTest, ANodeThatCapsTheRangeGetsSmallerQueries) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  TrafficWorld world;
  StartWithDeals(world, 2);
  if (HasFatalFailure()) return;
  auto node = std::make_shared<CappedNode>(5);
  auto rpc = chain::JsonRpcClient::Create({world.state().rpc}, node);
  ASSERT_TRUE(rpc.ok());
  chain::EthApi api(rpc->get());
  auto store = HistoryStore::Open(dir_.path() / "history.db");
  ASSERT_TRUE(store.ok());
  IndexOptions options;
  options.initial_span = 64;
  HistoryIndexer indexer(&api, store->get(), options);
  absl::StatusOr<SyncReport> r = indexer.Sync(Source(world));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->splits, 0u);
  EXPECT_GT(node->refused(), 0);
  EXPECT_EQ(r->to_block, *world.api().BlockNumber());
  EXPECT_EQ(ComputePoolStats(**store, "p1")->deals, 2u);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->completed, 2u);

  // Two indexers over one store taking turns (the pool's node changed and
  // changed back): neither misses the tasks the other read.
  HistoryIndexer other(&world.api(), store->get());
  devnet::TrafficPlan plan;
  plan.order = world.order();
  plan.salt_seed = 1;
  ASSERT_TRUE(world.NewTraffic()->Run(plan).ok());
  ASSERT_TRUE(other.Sync(Source(world)).ok());
  plan.salt_seed = 2;
  ASSERT_TRUE(world.NewTraffic()->Run(plan).ok());
  ASSERT_TRUE(indexer.Sync(Source(world)).ok());
  EXPECT_EQ(ComputePoolStats(**store, "p1")->deals, 4u);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->completed, 4u);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->running, 0u);
}

TEST_P(HistoryDevnetTest, ANodeWithoutOldStateFindsTheStartInTheRegistrysLogs) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  TrafficWorld world;
  StartWithDeals(world, 2);
  if (HasFatalFailure()) return;
  // The start an archive node gives.
  uint64_t start = 0;
  {
    auto store = HistoryStore::Open(dir_.path() / "archive.db");
    ASSERT_TRUE(store.ok());
    HistoryIndexer indexer(&world.api(), store->get());
    ASSERT_TRUE(indexer.Sync(Source(world)).ok());
    start = (*(*store)->Cursor("p1"))->start_block;
  }
  auto rpc = chain::JsonRpcClient::Create({world.state().rpc},
                                          std::make_shared<NoOldStateNode>());
  ASSERT_TRUE(rpc.ok());
  chain::EthApi api(rpc->get());
  auto store = HistoryStore::Open(dir_.path() / "history.db");
  ASSERT_TRUE(store.ok());
  HistoryIndexer indexer(&api, store->get());
  absl::StatusOr<SyncReport> r = indexer.Sync(Source(world));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(start, 0u);
  EXPECT_EQ((*(*store)->Cursor("p1"))->start_block, start);
  EXPECT_EQ(ComputePoolStats(**store, "p1")->deals, 2u);
}

TEST_P(HistoryDevnetTest, AnAddressWithoutAWorkerpoolIsNamed) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  TrafficWorld world;
  ASSERT_TRUE(world.Start(GetParam()).ok());
  auto store = HistoryStore::Open(dir_.path() / "history.db");
  ASSERT_TRUE(store.ok());
  HistoryIndexer indexer(&world.api(), store->get());
  HistorySource source = Source(world);
  source.workerpool = *eth::Address::Parse("0x00000000000000000000000000000000000000aa");
  absl::StatusOr<SyncReport> r = indexer.Sync(source);
  EXPECT_EQ(r.status().message(),
            "workerpool 0x00000000000000000000000000000000000000AA has no "
            "contract on chain " + source.chain_id);
  EXPECT_TRUE(absl::IsNotFound(ComputePoolStats(**store, "p1").status()));
}

INSTANTIATE_TEST_SUITE_P(Flavours, HistoryDevnetTest,
                         ::testing::Values(Flavour::kNative, Flavour::kToken,
                                           Flavour::kArbitrum),
                         [](const auto& info) {
                           return std::string(devnet::FlavourName(info.param));
                         });

}  // namespace
}  // namespace poolops::monitor
