// Real traffic for a pool on the devnet: deals matched on-chain against the
// pool's published workerpool order (Requester), then each task run
// through its on-chain lifecycle by the pool's scheduler and workers
// (task_actions.h). `fail` tasks fail as real ones do: a worker contributes,
// the consensus is reached, nobody reveals; the devnet's clock is moved past
// the final deadline and the task is claimed, so the scheduler's stake for
// it is seized and the requester refunded.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "devnet/anvil_dev_rpc.h"
#include "devnet/traffic/requester.h"
#include "devnet/traffic/task_actions.h"
#include "libs/iexec/workerpool_order.h"

namespace poolops::devnet {

struct TrafficPlan {
  iexec::WorkerpoolOrder order;  // the pool's, as published
  uint64_t deals = 1;
  uint64_t tasks_per_deal = 1;
  uint64_t fail = 0;       // how many of the tasks fail (the last ones)
  uint64_t salt_seed = 0;  // makes request orders distinct across runs
};

struct TaskRun {
  eth::Hash32 task_id{};
  eth::Hash32 deal_id{};
  eth::Address worker;
  bool completed = false;  // else failed and claimed
};

struct TrafficRun {
  std::vector<Deal> deals;
  std::vector<TaskRun> tasks;
};

struct TrafficActors {
  Requester* requester = nullptr;
  SchedulerActor* scheduler = nullptr;
  std::vector<WorkerActor*> workers;    // tasks go round-robin
  std::vector<KeySender*> worker_keys;  // the same workers, for their stake
  KeySender* claimer = nullptr;         // anyone: sends claim()
};

// The salt of deal `deal` of a run seeded `seed`: distinct request orders.
eth::Hash32 TrafficSalt(uint64_t seed, uint64_t deal);

// Moves the devnet's clock past the final deadline of every task in `tasks`
// (left unrevealed), then claims each as `claimer`: the scheduler's stake
// for it is seized and the requester refunded. `say` hears the progress.
absl::Status ClaimPastDeadline(
    chain::EthApi& api, AnvilDevRpc& anvil, const HubContracts& hub,
    KeySender& claimer, const std::vector<eth::Hash32>& tasks,
    const std::function<void(std::string_view)>& say);

class Traffic {
 public:
  // Everything must outlive the run.
  Traffic(chain::EthApi* api, AnvilDevRpc* anvil, const HubContracts* hub,
          TrafficActors actors,
          std::function<void(std::string_view)> progress = nullptr)
      : api_(api),
        anvil_(anvil),
        hub_(hub),
        actors_(std::move(actors)),
        progress_(std::move(progress)) {}

  // InvalidArgument for a plan that cannot be run (no deal, more failures
  // than tasks, more tasks than the order's volume, no worker).
  absl::StatusOr<TrafficRun> Run(const TrafficPlan& plan);

 private:
  void Say(std::string_view line) const {
    if (progress_) progress_(line);
  }

  chain::EthApi* api_;
  AnvilDevRpc* anvil_;
  const HubContracts* hub_;
  TrafficActors actors_;
  std::function<void(std::string_view)> progress_;
};

}  // namespace poolops::devnet
