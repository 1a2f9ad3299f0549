#include "devnet/traffic/traffic.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/uint256.h"

namespace poolops::devnet {
namespace {

constexpr char kResults[] =
    "{\"storage\":\"none\",\"location\":\"poolops devnet simulator\"}";

}  // namespace

eth::Hash32 TrafficSalt(uint64_t seed, uint64_t deal) {
  const std::string text =
      absl::StrCat("poolops devnet traffic ", seed, " ", deal);
  return eth::Keccak(std::string_view(text));
}

absl::Status ClaimPastDeadline(
    chain::EthApi& api, AnvilDevRpc& anvil, const HubContracts& hub,
    KeySender& claimer, const std::vector<eth::Hash32>& tasks,
    const std::function<void(std::string_view)>& say) {
  uint64_t deadline = 0;
  for (const eth::Hash32& task : tasks) {
    absl::StatusOr<TaskView> view = ViewTask(api, hub, task);
    if (!view.ok()) return view.status();
    deadline = std::max(deadline, view->final_deadline);
  }
  absl::StatusOr<uint64_t> now = anvil.LatestTimestamp();
  if (!now.ok()) return now.status();
  if (deadline >= *now) {
    say(absl::StrCat("moving the devnet's clock ", deadline - *now + 1,
                     " s ahead, past the final deadline"));
    absl::Status moved = anvil.AdvanceTime(deadline - *now + 1);
    if (!moved.ok()) return moved;
  }
  for (const eth::Hash32& task : tasks) {
    absl::Status claimed = ClaimTask(hub, claimer, task);
    if (!claimed.ok()) return claimed;
    say(absl::StrCat("task ", eth::ToHex(task).substr(0, 10),
                     " failed and claimed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TrafficRun> Traffic::Run(const TrafficPlan& plan) {
  if (plan.deals == 0 || plan.tasks_per_deal == 0)
    return absl::InvalidArgumentError(
        "traffic needs at least one deal of one task");
  const uint64_t tasks = plan.deals * plan.tasks_per_deal;
  if (plan.fail > tasks)
    return absl::InvalidArgumentError(absl::StrCat("--fail ", plan.fail,
                                                   " is more than the ", tasks,
                                                   " tasks of the run"));
  if (tasks > plan.order.volume)
    return absl::InvalidArgumentError(absl::StrCat(
        "the pool's order ", plan.order.salt.substr(0, 10), "... offers ",
        plan.order.volume, " tasks, the run needs ", tasks));
  if (actors_.workers.empty() ||
      actors_.workers.size() != actors_.worker_keys.size())
    return absl::InvalidArgumentError("traffic needs the pool's workers");

  // Workers lock the deal's worker stake when they contribute (a share of
  // the task's price set by the workerpool): a task price covers it.
  for (KeySender* worker : actors_.worker_keys) {
    absl::Status staked = EnsureEscrow(*api_, *hub_, *worker,
                                       eth::U256(plan.order.workerpoolprice));
    if (!staked.ok()) return staked;
  }

  TrafficRun run;
  for (uint64_t d = 0; d < plan.deals; ++d) {
    absl::StatusOr<Deal> deal = actors_.requester->Match(
        plan.order, plan.tasks_per_deal, TrafficSalt(plan.salt_seed, d));
    if (!deal.ok()) return deal.status();
    Say(absl::StrCat("deal ", d + 1, "/", plan.deals, " ",
                     eth::ToHex(deal->deal_id), " (", deal->tasks, " tasks)"));
    run.deals.push_back(*deal);
  }

  // The last `fail` tasks are left unrevealed; the others complete.
  uint64_t n = 0;
  std::vector<size_t> unrevealed;
  for (const Deal& deal : run.deals) {
    for (uint64_t i = 0; i < deal.tasks; ++i, ++n) {
      WorkerActor* worker = actors_.workers[n % actors_.workers.size()];
      absl::StatusOr<eth::Hash32> task_id =
          actors_.scheduler->Initialize(deal.deal_id, deal.first_task + i);
      if (!task_id.ok()) return task_id.status();
      absl::StatusOr<eth::Bytes> auth =
          actors_.scheduler->Authorize(worker->address(), *task_id);
      if (!auth.ok()) return auth.status();
      const eth::Hash32 digest = ResultDigest(*task_id);
      absl::Status contributed = worker->Contribute(*task_id, digest, *auth);
      if (!contributed.ok()) return contributed;
      TaskRun task{*task_id, deal.deal_id, worker->address(), false};
      if (n < tasks - plan.fail) {
        absl::Status revealed = worker->Reveal(*task_id, digest);
        if (!revealed.ok()) return revealed;
        absl::Status finalized =
            actors_.scheduler->Finalize(*task_id, kResults);
        if (!finalized.ok()) return finalized;
        task.completed = true;
      } else {
        unrevealed.push_back(run.tasks.size());
      }
      run.tasks.push_back(task);
      Say(absl::StrCat(
          "task ", n + 1, "/", tasks, " ",
          task.completed ? "completed" : "contributed, not revealed"));
    }
  }
  if (unrevealed.empty()) return run;

  std::vector<eth::Hash32> failed;
  for (size_t i : unrevealed) failed.push_back(run.tasks[i].task_id);
  absl::Status claimed =
      ClaimPastDeadline(*api_, *anvil_, *hub_, *actors_.claimer, failed,
                        [this](std::string_view line) { Say(line); });
  if (!claimed.ok()) return claimed;
  return run;
}

}  // namespace poolops::devnet
