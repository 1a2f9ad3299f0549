// Transactions per second from one account under concurrency, through the
// chain-gateway's TxSender (nonce manager, signing, send, receipt wait) on
// a local devnet (anvil automining, PoCo deployed; not a public chain). Target
// in issue 4: >= 100 tx/s.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "services/chain/chains/devnet_gateway_test_support.h"

namespace {

using poolops::chain::TxIntent;
using poolops::chain::TxOutcome;
using poolops::chain::testing::DevnetGateway;

// One devnet for the whole run, stopped (by pid) when main returns.
std::unique_ptr<DevnetGateway> devnet;

DevnetGateway* Devnet() {
  if (!devnet) {
    devnet = std::make_unique<DevnetGateway>();
    absl::Status s = devnet->Start();
    if (!s.ok()) {
      fprintf(stderr, "devnet: %s\n", std::string(s.message()).c_str());
      devnet.reset();
      std::exit(1);
    }
  }
  return devnet.get();
}

// Each iteration: `senders` threads send 200 transfers in all from acct1.
void BM_GatewayTransactionsOneAccount(benchmark::State& state) {
  DevnetGateway* d = Devnet();
  auto& tx = d->session().tx();
  const int senders = static_cast<int>(state.range(0));
  constexpr int kTx = 200;
  int64_t failures = 0;
  for (auto _ : state) {
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t)
      threads.emplace_back([&] {
        while (next.fetch_add(1) < kTx) {
          TxIntent intent;
          intent.wallet = "acct1";
          intent.to = d->Address(7);
          intent.value = 1;
          intent.gas = 21'000;
          absl::StatusOr<TxOutcome> out = tx.Send(intent);
          if (!out.ok()) ++failed;
        }
      });
    for (auto& t : threads) t.join();
    failures += failed.load();
  }
  state.SetItemsProcessed(state.iterations() * kTx);
  state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(BM_GatewayTransactionsOneAccount)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  devnet.reset();  // kills the devnet's anvil and market
  return 0;
}
