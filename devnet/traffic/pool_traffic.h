// Real traffic for a running devnet pool, its own core and workers doing the
// pool's side (`poolctl devnet traffic`): a requester matches request orders
// against the workerpool orders the pool published on the market, one task
// per deal, as a requester on the market would; then the pool's core
// (scheduler) and workers, the devnet's stack simulators with their own
// wallets, run every task through PoCo's lifecycle on their own
// (devnet/simulators/scheduler_duties.h, worker_duties.h). The last `fail`
// deals ask for an app that fails (kFailingTaskArgs): their worker
// contributes and never reveals; once every other task is completed, the
// devnet's clock is moved past their final deadline and the requester
// claims them, so the scheduler's stake is seized and the requester
// refunded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "devnet/anvil_dev_rpc.h"
#include "devnet/traffic/requester.h"
#include "devnet/traffic/traffic.h"
#include "libs/common/clock.h"
#include "libs/iexec/workerpool_order.h"

namespace poolops::devnet {

// The open orders of a workerpool on the market, as published (signed).
using PublishedOrders =
    std::function<absl::StatusOr<std::vector<iexec::WorkerpoolOrder>>(
        const eth::Address& workerpool)>;

struct PoolTrafficPlan {
  eth::Address workerpool;
  uint64_t deals = 1;
  uint64_t fail = 0;       // the last `fail` deals' tasks fail
  uint64_t salt_seed = 0;  // makes request orders distinct across runs
  // How long the run waits for an order on the market, then for the pool to
  // run the tasks.
  absl::Duration timeout = absl::Minutes(5);
  absl::Duration poll = absl::Milliseconds(500);
};

class PoolTraffic {
 public:
  // Everything must outlive the run. `requester` signs and matches the
  // requests and claims the failed tasks.
  PoolTraffic(chain::EthApi* api, AnvilDevRpc* anvil, const HubContracts* hub,
              Requester* requester, KeySender* claimer, PublishedOrders orders,
              Clock* clock,
              std::function<void(std::string_view)> progress = nullptr)
      : api_(api),
        anvil_(anvil),
        hub_(hub),
        requester_(requester),
        claimer_(claimer),
        orders_(std::move(orders)),
        clock_(clock),
        progress_(std::move(progress)) {}

  // InvalidArgument for a plan that cannot run; DeadlineExceeded naming the
  // tasks the pool left where they were when the timeout came.
  absl::StatusOr<TrafficRun> Run(const PoolTrafficPlan& plan);

 private:
  // An open order of the pool with volume left on chain (the hub's
  // viewConsumed, not the market's lagging count), waited for.
  absl::StatusOr<iexec::WorkerpoolOrder> NextOrder(const PoolTrafficPlan& plan,
                                                   absl::Time deadline);
  absl::Status WaitForThePool(TrafficRun& run, uint64_t failing,
                              const PoolTrafficPlan& plan, absl::Time deadline);
  absl::Status ClaimFailed(const TrafficRun& run);
  void Say(std::string_view line) const {
    if (progress_) progress_(line);
  }

  chain::EthApi* api_;
  AnvilDevRpc* anvil_;
  const HubContracts* hub_;
  Requester* requester_;
  KeySender* claimer_;
  PublishedOrders orders_;
  Clock* clock_;
  std::function<void(std::string_view)> progress_;
};

}  // namespace poolops::devnet
