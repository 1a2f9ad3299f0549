// What the iExec core (the pool's scheduler) and its workers do on chain for
// one task of PoCo's classic lifecycle, each with its own key:
//   scheduler  initialize(dealid, idx)            -> the task is ACTIVE
//   scheduler  authorizes worker W for the task    (off chain: a signed
//              keccak256(W ‖ taskid ‖ enclave) as an Ethereum signed message)
//   worker     contribute(taskid, resultHash, resultSeal, enclave, "", auth)
//              locks the deal's worker stake; with trust 1 the first
//              contribution is the consensus (REVEALING)
//   worker     reveal(taskid, resultDigest)
//   scheduler  finalize(taskid, results, "")      -> COMPLETED, rewards paid
//   anyone     claim(taskid) once the final deadline has passed on a task
//              left ACTIVE or REVEALING -> FAILED, the scheduler's stake
//              for the task seized, the requester refunded
// resultHash = keccak256(taskid ‖ digest), resultSeal =
// keccak256(worker ‖ taskid ‖ digest) (PoCo 5.5 and 6.x alike).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "devnet/traffic/escrow.h"
#include "devnet/traffic/key_sender.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"

namespace poolops::devnet {

// A task's or a deal's id as log and progress lines show it: "0x" and its
// first 4 bytes.
std::string ShortId(const eth::Hash32& id);

// The digest a task's result has: what the computation would produce.
// Deterministic per task, so that every honest worker agrees.
eth::Hash32 ResultDigest(const eth::Hash32& task_id);
// The message a scheduler signs to let `worker` contribute to `task_id`
// without an enclave: keccak256(worker ‖ taskid ‖ address(0)).
eth::Hash32 AuthorizationMessage(const eth::Address& worker,
                                 const eth::Hash32& task_id);

class SchedulerActor {
 public:
  // Both must outlive the actor.
  SchedulerActor(const HubContracts* hub, KeySender* key)
      : hub_(hub), key_(key) {}
  const eth::Address& address() const { return key_->address(); }

  absl::StatusOr<eth::Hash32> Initialize(const eth::Hash32& deal_id,
                                         uint64_t index);
  // The signature a worker presents with its contribution.
  absl::StatusOr<eth::Bytes> Authorize(const eth::Address& worker,
                                       const eth::Hash32& task_id) const;
  // results: what the core publishes as the task's result (a JSON link).
  absl::Status Finalize(const eth::Hash32& task_id, std::string_view results);

 private:
  const HubContracts* hub_;
  KeySender* key_;
};

class WorkerActor {
 public:
  WorkerActor(const HubContracts* hub, KeySender* key) : hub_(hub), key_(key) {}
  const eth::Address& address() const { return key_->address(); }

  absl::Status Contribute(const eth::Hash32& task_id, const eth::Hash32& digest,
                          eth::ByteView authorization);
  absl::Status Reveal(const eth::Hash32& task_id, const eth::Hash32& digest);

 private:
  const HubContracts* hub_;
  KeySender* key_;
};

// claim(taskid), sent by `anyone`.
absl::Status ClaimTask(const HubContracts& hub, KeySender& anyone,
                       const eth::Hash32& task_id);

// What the hub says of a task (viewTask): status 0 UNSET, 1 ACTIVE,
// 2 REVEALING, 3 COMPLETED, 4 FAILED; its final deadline (unix seconds).
struct TaskView {
  int status = 0;
  uint64_t final_deadline = 0;
  uint64_t reveal_counter = 0;
  eth::Hash32 deal_id{};
};
absl::StatusOr<TaskView> ViewTask(chain::EthApi& api, const HubContracts& hub,
                                  const eth::Hash32& task_id);

// What the hub says of a deal (viewDeal): its workerpool, its tasks
// [first_task, first_task + tasks), the stake a worker locks to contribute
// (nRLC) and the requester's params (the SDK's JSON, at most 4 KiB read).
// NotFound for a deal the hub does not know.
inline constexpr size_t kMaxDealParams = 4096;
// The iexec_args of a request whose tasks the devnet's simulators fail: the
// worker contributes, its app "crashes", nobody reveals (worker_duties.h).
inline constexpr std::string_view kFailingTaskArgs = "poolops-sim:fail";
struct DealView {
  eth::Address workerpool;
  uint64_t first_task = 0;
  uint64_t tasks = 0;
  eth::U256 worker_stake;
  std::string params;
};
absl::StatusOr<DealView> ViewDeal(chain::EthApi& api, const HubContracts& hub,
                                  const eth::Hash32& deal_id);

}  // namespace poolops::devnet
