// What a worker does on chain for the tasks its core gives it, played by the
// worker simulator with the worker's own wallet (chain_session.h):
//   - asks the core for work (GET /replicates/available), as often as the
//     core's askForReplicatePeriod;
//   - "computes" the task: its result digest is devnet::ResultDigest, the
//     same for every honest worker;
//   - locks the deal's worker stake from its escrow (topping the escrow up
//     from its own wallet first if it lacks it: a real operator deposits by
//     hand) and contributes with the scheduler's authorization;
//   - once the consensus is reached (the task REVEALING), reveals.
// A task whose requester params carry devnet::kFailingTaskArgs as
// iexec_args plays an app that crashes after the contribution: the worker
// never reveals, the task times out and is claimed, as real failures are.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "devnet/simulators/chain_session.h"
#include "devnet/simulators/http_message.h"
#include "libs/eth/address.h"

namespace poolops::sim {

class WorkerDuties {
 public:
  using Logger = std::function<void(const std::string&)>;
  // GET on the core: path (with query) -> response.
  using CoreGet =
      std::function<absl::StatusOr<HttpResponse>(const std::string&)>;
  // `session` must outlive the duties.
  WorkerDuties(ChainSession* session, CoreGet core_get, Logger log)
      : session_(session),
        core_get_(std::move(core_get)),
        log_(std::move(log)) {}

  // One round: reveals what can be revealed, then asks for a new task and
  // contributes to it.
  absl::Status RunOnce();

 private:
  struct Contributed {
    eth::Hash32 task_id{};
    bool reveal = true;
  };

  absl::Status RevealReady();
  absl::Status TakeNewTask();

  ChainSession* session_;
  CoreGet core_get_;
  Logger log_;
  std::vector<Contributed> contributed_;
};

// Whether a deal's params (the SDK's JSON) ask the simulators to fail.
bool ParamsAskToFail(const std::string& params);

}  // namespace poolops::sim
