#include "devnet/traffic/pool_traffic.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "devnet/traffic/task_actions.h"
#include "libs/eth/hex.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;

const char* TaskStatusName(int status) {
  static const char* kNames[] = {"UNSET", "ACTIVE", "REVEALING", "COMPLETED",
                                 "FAILED"};
  return status >= 0 && status <= 4 ? kNames[status] : "?";
}

}  // namespace

absl::StatusOr<iexec::WorkerpoolOrder> PoolTraffic::NextOrder(
    const PoolTrafficPlan& plan, absl::Time deadline) {
  std::string last;
  while (true) {
    absl::StatusOr<std::vector<iexec::WorkerpoolOrder>> open =
        orders_(plan.workerpool);
    if (open.ok()) {
      for (const iexec::WorkerpoolOrder& order : *open) {
        if (order.workerpool != plan.workerpool) continue;
        absl::StatusOr<eth::Hash32> hash =
            iexec::WorkerpoolOrderHash(order, {hub_->chain_id, hub_->hub});
        if (!hash.ok()) continue;
        absl::StatusOr<Value> consumed = api_->CallFunction(
            hub_->hub, "viewConsumed(bytes32)",
            {Value::Blob(eth::Bytes(hash->begin(), hash->end()))}, "uint256");
        if (!consumed.ok()) return consumed.status();
        if (std::get<eth::U256>(consumed->v) < eth::U256(order.volume))
          return order;
      }
      last =
          absl::StrCat(open->size(), " open order(s), none with volume left");
    } else {
      last = std::string(open.status().message());
    }
    if (clock_->Now() >= deadline)
      return absl::DeadlineExceededError(absl::StrCat(
          "no order of workerpool ", plan.workerpool.ToChecksum(),
          " to match on the market (", last,
          "): does the pool publish orders (its order publisher)?"));
    clock_->SleepFor(plan.poll);
  }
}

absl::StatusOr<TrafficRun> PoolTraffic::Run(const PoolTrafficPlan& plan) {
  if (plan.deals == 0)
    return absl::InvalidArgumentError("--deals must be at least 1");
  if (plan.fail > plan.deals)
    return absl::InvalidArgumentError(
        absl::StrCat("--fail ", plan.fail, " is more than the ", plan.deals,
                     " deals of the run (one task each)"));
  const absl::Time deadline = clock_->Now() + plan.timeout;
  TrafficRun run;
  for (uint64_t d = 0; d < plan.deals; ++d) {
    absl::StatusOr<iexec::WorkerpoolOrder> order = NextOrder(plan, deadline);
    if (!order.ok()) return order.status();
    const bool fails = d >= plan.deals - plan.fail;
    absl::StatusOr<Deal> deal =
        requester_->Match(*order, 1, TrafficSalt(plan.salt_seed, d),
                          fails ? kFailingTaskArgs : kTrafficArgs);
    if (!deal.ok()) return deal.status();
    Say(absl::StrCat("deal ", d + 1, "/", plan.deals, " ",
                     eth::ToHex(deal->deal_id), " matched",
                     fails ? " (its task will fail)" : ""));
    run.deals.push_back(*deal);
    run.tasks.push_back({iexec::TaskId(deal->deal_id, deal->first_task),
                         deal->deal_id, eth::Address(), false});
  }
  absl::Status ran = WaitForThePool(run, plan.fail, plan, deadline);
  if (!ran.ok()) return ran;
  if (plan.fail > 0) {
    absl::Status claimed = ClaimFailed(run);
    if (!claimed.ok()) return claimed;
  }
  return run;
}

// Completing tasks must reach COMPLETED; failing ones REVEALING (the worker
// contributed; it will not reveal). The clock moves only after that, so no
// deadline passes under a task still running.
absl::Status PoolTraffic::WaitForThePool(TrafficRun& run, uint64_t failing,
                                         const PoolTrafficPlan& plan,
                                         absl::Time deadline) {
  const size_t completing = run.tasks.size() - failing;
  size_t said = 0;
  while (true) {
    std::vector<std::string> pending;
    size_t done = 0;
    for (size_t i = 0; i < run.tasks.size(); ++i) {
      absl::StatusOr<TaskView> view =
          ViewTask(*api_, *hub_, run.tasks[i].task_id);
      if (!view.ok()) return view.status();
      const int want = i < completing ? 3 : 2;
      if (view->status == want) {
        ++done;
        run.tasks[i].completed = i < completing;
      } else if (view->status > want || (i >= completing && view->status > 2)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "task ", eth::ToHex(run.tasks[i].task_id), " is ",
            TaskStatusName(view->status), ", not what the run expects"));
      } else {
        pending.push_back(absl::StrCat(ShortId(run.tasks[i].task_id), " ",
                                       TaskStatusName(view->status)));
      }
    }
    if (done != said) {
      Say(absl::StrCat(done, "/", run.tasks.size(),
                       " tasks run by the pool (completed, or contributed and "
                       "left unrevealed)"));
      said = done;
    }
    if (pending.empty()) return absl::OkStatus();
    if (clock_->Now() >= deadline)
      return absl::DeadlineExceededError(absl::StrCat(
          "the pool did not run every task in time: ",
          absl::StrJoin(pending, ", "),
          " (are its core and workers up, with their wallets' passwords? "
          "their logs say what they did on chain)"));
    clock_->SleepFor(plan.poll);
  }
}

absl::Status PoolTraffic::ClaimFailed(const TrafficRun& run) {
  std::vector<eth::Hash32> failed;
  for (const TaskRun& t : run.tasks)
    if (!t.completed) failed.push_back(t.task_id);
  return ClaimPastDeadline(*api_, *anvil_, *hub_, *claimer_, failed,
                           [this](std::string_view line) { Say(line); });
}

}  // namespace poolops::devnet
