// The hub's events that tell a pool's history, as PoCo 5.5 and 6.x emit
// them (same signatures and topics in both; IexecPoco1/2 and the escrow's
// IexecERC20Common interfaces):
//   SchedulerNotice(address indexed workerpool, bytes32 dealid)
//   OrdersMatched(bytes32 dealid, bytes32 appHash, bytes32 datasetHash,
//                 bytes32 workerpoolHash, bytes32 requestHash, uint256 volume)
//   TaskInitialize(bytes32 indexed taskid, address indexed workerpool)
//   TaskContribute(bytes32 indexed taskid, address indexed worker, bytes32 hash)
//   TaskConsensus(bytes32 indexed taskid, bytes32 consensus)
//   TaskReveal(bytes32 indexed taskid, address indexed worker, bytes32 digest)
//   TaskReopen(bytes32 indexed taskid)
//   TaskFinalize(bytes32 indexed taskid, bytes results)
//   TaskClaimed(bytes32 indexed taskid)
//   Reward(address owner, uint256 amount, bytes32 ref)   ref: the task
//   Seize(address owner, uint256 amount, bytes32 ref)
//   Lock(address owner, uint256 amount)
//   Unlock(address owner, uint256 amount)
// Escrow events index nothing: a reader filters them by owner and ref.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/eth/uint256.h"

namespace poolops::iexec {

enum class PocoEventKind {
  kSchedulerNotice,
  kOrdersMatched,
  kTaskInitialize,
  kTaskContribute,
  kTaskConsensus,
  kTaskReveal,
  kTaskReopen,
  kTaskFinalize,
  kTaskClaimed,
  kReward,
  kSeize,
  kLock,
  kUnlock,
};

const char* PocoEventName(PocoEventKind kind);
// topic0 of each kind, in enum order.
const std::vector<eth::Hash32>& PocoEventTopics();

struct PocoEvent {
  PocoEventKind kind = PocoEventKind::kSchedulerNotice;
  eth::Hash32 id{};       // dealid (deal events) or taskid (task events)
  eth::Address account;   // workerpool, worker or escrow owner
  eth::U256 amount;       // escrow amount (nRLC), or a deal's volume
  eth::Hash32 ref{};      // Reward/Seize: the task
};

// Decodes a log by its topic0: nullopt for a topic that is none of the
// above; InvalidArgument for one of them whose topics or data do not have
// the event's shape (a log that is not what it claims).
absl::StatusOr<std::optional<PocoEvent>> DecodePocoEvent(
    const std::vector<eth::Hash32>& topics, eth::ByteView data);

}  // namespace poolops::iexec
