// What the core does on chain for its workerpool, played by the core
// simulator with the scheduler's own wallet (chain_session.h):
//   - watches the hub's SchedulerNotice(workerpool, dealid) for its pool,
//     from the block it started at (IEXEC_START_BLOCK_NUMBER when set);
//   - initializes every task of each new deal (initialize(dealid, idx));
//   - hands each task to one worker that asks for work (GET
//     /replicates/available), with the scheduler's authorization: the signed
//     keccak256(worker ‖ taskid ‖ enclave 0) the worker presents to
//     contribute (the real core's WorkerpoolAuthorization);
//   - finalizes a task once its consensus is revealed (finalize), which pays
//     the scheduler and the workers.
// A task left unrevealed is not the core's to end: past its final deadline
// anyone claims it (the requester, for a refund), as on the real network.
// Thread-safe: the poll thread and the HTTP threads share it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "devnet/simulators/chain_session.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/worker_registry.h"
#include "devnet/traffic/task_actions.h"
#include "nlohmann/json.hpp"

namespace poolops::sim {

class SchedulerDuties {
 public:
  using Logger = std::function<void(const std::string&)>;
  // `session` must outlive the duties.
  SchedulerDuties(ChainSession* session, eth::Address workerpool,
                  uint64_t from_block, Logger log);
  ~SchedulerDuties() { Stop(); }

  // One round: new deals' tasks initialized, revealed tasks finalized.
  absl::Status PollOnce();
  // The next task waiting for a worker, authorized for `worker`, as the
  // JSON a worker reads (ReplicateTaskSummary's workerpoolAuthorization and
  // taskDescription); nullopt when none waits.
  absl::StatusOr<std::optional<nlohmann::json>> NextReplicate(
      const eth::Address& worker);
  // What the duties did so far, as the core's /metrics counts it: deals
  // seen, tasks finalized, the last block that brought a deal.
  void AddActivity(PlatformMetric* metric);

  // GET /replicates/available?walletAddress=0x...: 200 with the replicate,
  // 204 when there is none, 400 for a bad address.
  HttpResponse HandleAvailable(const HttpRequest& request);

  // PollOnce every `period` on a thread until Stop.
  void Start(absl::Duration period);
  void Stop();

 private:
  struct Waiting {
    eth::Hash32 task_id{};
    eth::Hash32 deal_id{};
    std::string params;
  };
  struct Running {
    eth::Hash32 task_id{};
    eth::Address worker;
  };

  absl::Status ReadNewDeals() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status TakeTask(const eth::Hash32& deal_id,
                        const devnet::DealView& deal, uint64_t index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FinalizeRevealed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ChainSession* session_;
  devnet::SchedulerActor actor_;
  const eth::Address workerpool_;
  Logger log_;
  // Chain calls and their bookkeeping go one at a time: the scheduler's
  // nonces are sequential.
  absl::Mutex mu_;
  uint64_t next_block_ ABSL_GUARDED_BY(mu_);
  std::deque<Waiting> waiting_ ABSL_GUARDED_BY(mu_);
  std::vector<Running> running_ ABSL_GUARDED_BY(mu_);
  int deals_ ABSL_GUARDED_BY(mu_) = 0;
  int completed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t latest_deal_block_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Notification stop_;
  std::unique_ptr<std::thread> thread_;
};

}  // namespace poolops::sim
