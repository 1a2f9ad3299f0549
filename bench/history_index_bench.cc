// The monitor's history indexer over a devnet pool with real traffic:
// N deals (one task each, a tenth of them failed and claimed), the chain
// then mined on to at least B blocks of history. Prints one JSON object:
// the cold read of the whole history (blocks/s, events/s, eth_getLogs
// ranges, RSS growth), the read after a restart that finds 10 new deals,
// and the stats computed from the store. The devnet's RPC URL, hub and
// range go to stdout too, for the ethers baseline
// (bench/history_ethers_bench.mjs) to read the same history.
//   history_index_bench [DEALS [BLOCKS]]   (default 1000 10000)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "devnet/traffic/traffic_test_support.h"
#include "libs/common/process_runner.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"
#include "services/monitor/history/history_indexer.h"
#include "services/monitor/history/pool_stats.h"

namespace {

using namespace poolops;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

double Since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

// Resident memory now, in KiB (/proc/self/status VmRSS).
long RssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

int Fail(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "history_index_bench: %s: %s\n", what.c_str(),
               std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t deals = 1000, blocks = 10000;
  if ((argc > 1 && !absl::SimpleAtoi(argv[1], &deals)) ||
      (argc > 2 && !absl::SimpleAtoi(argv[2], &blocks)) || deals == 0) {
    std::fprintf(stderr, "usage: history_index_bench [DEALS [BLOCKS]]\n");
    return 2;
  }
  devnet::testing::TrafficWorld world;
  absl::Status started = world.Start(devnet::Flavour::kNative, 100, deals + 100);
  if (!started.ok()) return Fail("devnet", started);
  chain::EthApi& api = world.api();

  // More history: empty blocks, mined before the traffic while the state
  // is small (anvil's cost per block grows with the state), so that the
  // history holds at least `blocks` blocks; each deal adds about 7.
  chain::JsonRpcClientOptions slow;  // anvil mines thousands of blocks slowly
  slow.attempt_timeout = absl::Minutes(5);
  slow.max_total = absl::Minutes(10);
  slow.rounds = 1;
  absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> rpc =
      chain::JsonRpcClient::Create({world.state().rpc}, http::NewCurlClient(),
                                   slow);
  if (!rpc.ok()) return Fail("rpc", rpc.status());
  auto pad_to = [&](uint64_t target) -> absl::Status {
    absl::StatusOr<uint64_t> head = api.BlockNumber();
    if (!head.ok()) return head.status();
    if (*head >= target) return absl::OkStatus();
    return (*rpc)
        ->Call("anvil_mine", json::array({eth::U256(target - *head).ToHex()}))
        .status();
  };
  if (absl::Status s = pad_to(blocks > 7 * deals ? blocks - 7 * deals : 0);
      !s.ok())
    return Fail("anvil_mine", s);

  const auto t_traffic = Steady::now();
  devnet::TrafficPlan plan;
  plan.order = world.order();
  plan.deals = deals;
  plan.fail = deals / 10;
  absl::StatusOr<devnet::TrafficRun> run = world.NewTraffic()->Run(plan);
  if (!run.ok()) return Fail("traffic", run.status());
  const double traffic_s = Since(t_traffic);
  if (absl::Status s = pad_to(blocks); !s.ok()) return Fail("anvil_mine", s);

  poolops::test::TempDir dir;
  monitor::HistorySource source{"bench", std::to_string(world.state().chain_id),
                                world.hub().hub, world.workerpool(), 0};
  json out;
  {
    auto store = monitor::HistoryStore::Open(dir.path() / "history.db");
    if (!store.ok()) return Fail("store", store.status());
    monitor::HistoryIndexer indexer(&api, store->get());
    const long rss0 = RssKib();
    const auto t0 = Steady::now();
    absl::StatusOr<monitor::SyncReport> r = indexer.Sync(source);
    if (!r.ok()) return Fail("sync", r.status());
    const double s = Since(t0);
    const uint64_t read = r->to_block - r->from_block + 1;
    out["cold"] = {{"seconds", s},
                   {"blocks", read},
                   {"logs", r->logs},
                   {"events", r->events},
                   {"ranges", r->ranges},
                   {"blocks_per_second", read / s},
                   {"events_per_second", r->events / s},
                   {"logs_per_second", r->logs / s},
                   {"rss_growth_kib", RssKib() - rss0}};
    out["baseline_range"] = {{"rpc", world.state().rpc},
                             {"hub", world.hub().hub.ToChecksum()},
                             {"workerpool", world.workerpool().ToChecksum()},
                             {"from", r->from_block},
                             {"to", r->to_block}};
    const auto t1 = Steady::now();
    absl::StatusOr<monitor::PoolStats> stats =
        monitor::ComputePoolStats(**store, "bench");
    if (!stats.ok()) return Fail("stats", stats.status());
    out["stats_seconds"] = Since(t1);
    out["stats"] = {{"deals", stats->deals},
                    {"completed", stats->completed},
                    {"failed", stats->failed},
                    {"earned_workers", stats->earned_workers}};
    if (stats->deals != deals || stats->failed != plan.fail ||
        stats->completed != deals - plan.fail) {
      std::fprintf(stderr,
                   "history_index_bench: stats disagree with the run: %s, "
                   "cold read %s\n",
                   out["stats"].dump().c_str(), out["cold"].dump().c_str());
      return 1;
    }
  }
  // A restart: a new store handle and indexer, 10 new deals to read.
  plan.deals = 10;
  plan.fail = 0;
  plan.salt_seed = 1;
  if (absl::Status s = world.NewTraffic()->Run(plan).status(); !s.ok())
    return Fail("traffic", s);
  auto store = monitor::HistoryStore::Open(dir.path() / "history.db");
  if (!store.ok()) return Fail("store", store.status());
  monitor::HistoryIndexer indexer(&api, store->get());
  const auto t2 = Steady::now();
  absl::StatusOr<monitor::SyncReport> r = indexer.Sync(source);
  if (!r.ok()) return Fail("resume", r.status());
  out["resume"] = {{"seconds", Since(t2)},
                   {"blocks", r->to_block - r->from_block + 1},
                   {"events", r->events}};
  // The ethers baseline over the same range, while the devnet still runs.
  const std::string script =
      std::string(POOLOPS_INTEROP_DIR) + "/history_ethers_bench.mjs";
  absl::StatusOr<proc::RunResult> baseline = proc::ProcessRunner::Real()->Run(
      {"node", script, world.state().rpc, world.hub().hub.ToChecksum(),
       world.workerpool().ToChecksum(),
       std::to_string(out["baseline_range"]["from"].get<uint64_t>()),
       std::to_string(out["baseline_range"]["to"].get<uint64_t>())},
      {.cwd = POOLOPS_INTEROP_DIR});
  if (!baseline.ok()) return Fail("ethers baseline", baseline.status());
  if (baseline->exit_code != 0) {
    std::fprintf(stderr, "history_index_bench: ethers baseline: %s\n",
                 baseline->error.c_str());
    return 1;
  }
  out["ethers"] = json::parse(baseline->output, nullptr, false);
  // The two readers must agree on what the pool's history is.
  if (!out["ethers"].is_object() ||
      out["ethers"].value("events", uint64_t{0}) != out["cold"]["events"] ||
      out["ethers"].value("deals", uint64_t{0}) != deals) {
    std::fprintf(stderr, "history_index_bench: ethers read %s, poolops %s\n",
                 baseline->output.c_str(), out["cold"].dump().c_str());
    return 1;
  }
  out["traffic_seconds"] = traffic_s;
  out["deals"] = deals;
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  out["max_rss_kib"] = usage.ru_maxrss;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
