// Workerpool orders signed, and signed + published, per second through the
// chain-gateway's Orders (hub domain read, owner check, EIP-712 signature,
// the market's pre-checks on-chain, challenge login, POST) on a local devnet
// (anvil, PoCo deployed) with poolops' devnet market (poolops-devnet-market,
// a stand-in for iExec's market API). The iexec CLI baseline (`iexec workerpool
// publish`) and poolctl's own per-process rate come from
// tests/interop/orders_publish_bench.mjs; bench/run prints the ratios.
#include <cstdio>
#include <memory>

#include "benchmark/benchmark.h"
#include "services/chain/chains/devnet_gateway_test_support.h"
#include "services/chain/orders/orders.h"

namespace {

using namespace poolops::chain;
using poolops::chain::testing::DevnetGateway;

struct World {
  DevnetGateway net;
  std::unique_ptr<Orders> orders;
  std::string pool;
};

// One devnet for the whole run, stopped (its anvil and market killed by
// pid) when main returns or a set-up step fails.
std::unique_ptr<World> world;

World* Get() {
  if (world) return world.get();
  world = std::make_unique<World>();
  World* w = world.get();
  auto die = [](const absl::Status& s) {
    fprintf(stderr, "devnet: %s\n", std::string(s.message()).c_str());
    world.reset();
    std::exit(1);
  };
  if (absl::Status s = w->net.Start(); !s.ok()) die(s);
  w->orders = *Orders::Create(&w->net.gateway(), w->net.home());
  absl::StatusOr<DeployOutcome> pool =
      w->net.ops().DeployWorkerpool("", "acct1", "bench-pool", nullptr);
  if (!pool.ok()) die(pool.status());
  w->pool = pool->workerpool.ToChecksum();
  absl::StatusOr<StakeOutcome> dep =
      w->net.ops().Deposit("", "acct1", poolops::eth::U256(1'000'000), nullptr);
  if (!dep.ok()) die(dep.status());
  return w;
}

OrderTermsInput Terms(const World& w) {
  OrderTermsInput t;
  t.workerpool = w.pool;
  t.price = "1";
  t.volume = "1";
  return t;
}

void BM_OrdersSign(benchmark::State& state) {
  World* w = Get();
  for (auto _ : state) {
    absl::StatusOr<SignedWorkerpoolOrder> s =
        w->orders->Sign("", "acct1", Terms(*w));
    if (!s.ok()) state.SkipWithError(std::string(s.status().message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OrdersSign)->UseRealTime()->MinTime(2);

// The market keeps at most 50 open orders per wallet: the book is emptied
// (untimed) every 40 publications.
void BM_OrdersSignAndPublish(benchmark::State& state) {
  World* w = Get();
  int open = 0;
  for (auto _ : state) {
    if (open == 40) {
      state.PauseTiming();
      (void)w->orders->Unpublish("", "acct1", UnpublishTarget::kAll, w->pool,
                                 "");
      open = 0;
      state.ResumeTiming();
    }
    absl::StatusOr<SignedWorkerpoolOrder> s =
        w->orders->SignAndPublish("", "acct1", Terms(*w));
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      break;
    }
    ++open;
  }
  (void)w->orders->Unpublish("", "acct1", UnpublishTarget::kAll, w->pool, "");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OrdersSignAndPublish)->UseRealTime()->MinTime(2);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  world.reset();  // kills the devnet's anvil and market
  return 0;
}
