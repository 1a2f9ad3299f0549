// poolctl pool stats NAME [--since DURATION]: what the pool did and earned,
// from its on-chain history as the monitor reads it (CLI.md):
//   {"pool","workerpool","fromBlock","toBlock","deals",
//    "tasks":{"completed","failed","running"},
//    "earned":{"scheduler","workers"},"seized","gasSpent",
//    "workers":[{"address","tasks","earned","seized"}]}
// Amounts in nRLC, gas in wei, as decimal strings (they outgrow doubles).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/rpc_call.h"
#include "libs/eth/address.h"
#include "libs/eth/uint256.h"
#include "libs/iexec/rlc.h"
#include "poolops/monitor/v1/monitor.grpc.pb.h"

namespace poolops::cli {
namespace {

namespace mv1 = ::poolops::monitor::v1;
using json = nlohmann::json;

// The first read of a long history may take a while (eth_getLogs ranges).
constexpr std::chrono::seconds kStatsTimeout{600};

std::string Checksum(const std::string& address) {
  absl::StatusOr<eth::Address> a = eth::Address::Parse(address);
  return a.ok() ? a->ToChecksum() : address;
}

std::string Rlc(const std::string& nrlc) {
  absl::StatusOr<eth::U256> v = eth::U256::FromDecimal(nrlc);
  return v.ok() ? absl::StrCat(iexec::NRlc(*v).RlcDecimal(), " RLC") : nrlc;
}

json StatsJson(const mv1::PoolStats& s) {
  json workers = json::array();
  for (const mv1::WorkerStats& w : s.workers())
    workers.push_back({{"address", Checksum(w.address())},
                       {"tasks", w.tasks()},
                       {"earned", w.earned()},
                       {"seized", w.seized()}});
  return {
      {"pool", s.pool()},
      {"workerpool", Checksum(s.workerpool())},
      {"fromBlock", s.from_block()},
      {"toBlock", s.to_block()},
      {"deals", s.deals()},
      {"tasks",
       {{"completed", s.tasks_completed()},
        {"failed", s.tasks_failed()},
        {"running", s.tasks_running()}}},
      {"earned",
       {{"scheduler", s.earned_scheduler()}, {"workers", s.earned_workers()}}},
      {"seized", s.seized()},
      {"gasSpent", s.gas_spent()},
      {"workers", workers}};
}

std::string StatsHuman(const mv1::PoolStats& s) {
  std::string out = absl::StrCat(
      "pool ", s.pool(), " (workerpool ", Checksum(s.workerpool()),
      "), blocks ", s.from_block(), "-", s.to_block(), "\n", "  deals      ",
      s.deals(), " (", s.deal_tasks(), " tasks bought)\n", "  tasks      ",
      s.tasks_completed(), " completed, ", s.tasks_failed(), " failed, ",
      s.tasks_running(), " running\n", "  earned     scheduler ",
      Rlc(s.earned_scheduler()), ", workers ", Rlc(s.earned_workers()), "\n",
      "  seized     ", Rlc(s.seized()), "\n", "  gas spent  ", s.gas_spent(),
      " wei\n");
  for (const mv1::WorkerStats& w : s.workers())
    absl::StrAppend(&out, "  worker ", Checksum(w.address()), "  ", w.tasks(),
                    " tasks, earned ", Rlc(w.earned()), ", seized ",
                    Rlc(w.seized()), "\n");
  return out;
}

// "24h", "90m", "7d", "2w" or plain seconds; at least one second.
absl::StatusOr<int64_t> SinceSeconds(const std::string& text) {
  if (text.empty()) return 0;
  int64_t n = 0;
  absl::Duration d;
  const char unit = text.back();
  if (absl::SimpleAtoi(text, &n)) {
    d = absl::Seconds(n);
  } else if ((unit == 'd' || unit == 'w') &&
             absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) && n >= 0 &&
             n < 100'000) {
    d = absl::Hours(24 * (unit == 'w' ? 7 : 1) * n);
  } else if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--since ", text, ": want a duration such as 24h, 90m, 7d or 2w"));
  }
  if (d < absl::Seconds(1))
    return absl::InvalidArgumentError(
        absl::StrCat("--since ", text, ": must be at least 1s"));
  return absl::ToInt64Seconds(d);
}

}  // namespace

void AddPoolStats(CLI::App* pool, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    std::string since;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = pool->add_subcommand(
      "stats",
      "What a pool did and earned: deals, tasks, RLC earned and seized, gas "
      "(its on-chain history, read by the monitor)");
  cmd->add_option("NAME", o->name, "Pool name")->required();
  cmd->add_option("--since", o->since,
                  "Only the last DURATION (24h, 7d...); default: all of it");
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<int64_t> since = SinceSeconds(o->since);
    if (!since.ok()) {
      *exit_code = ctx.Fail(since.status());
      return;
    }
    mv1::GetPoolStatsRequest req;
    req.set_pool(o->name);
    req.set_since_seconds(*since);
    *exit_code = Reply(
        ctx,
        CallOnce<mv1::Monitor>(ctx, POOLOPS_RPC(mv1::Monitor, GetPoolStats),
                               req, kStatsTimeout),
        [&](const mv1::PoolStats& stats) {
          return ctx.Ok(StatsJson(stats), StatsHuman(stats));
        });
  });
}

}  // namespace poolops::cli
