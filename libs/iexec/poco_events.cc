#include "libs/iexec/poco_events.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/eth/keccak.h"

namespace poolops::iexec {
namespace {

struct Definition {
  PocoEventKind kind;
  const char* name;
  const char* signature;
  size_t topics;      // including topic0
  size_t min_data;    // bytes
};

constexpr Definition kDefinitions[] = {
    {PocoEventKind::kSchedulerNotice, "SchedulerNotice",
     "SchedulerNotice(address,bytes32)", 2, 32},
    {PocoEventKind::kOrdersMatched, "OrdersMatched",
     "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)", 1, 192},
    {PocoEventKind::kTaskInitialize, "TaskInitialize",
     "TaskInitialize(bytes32,address)", 3, 0},
    {PocoEventKind::kTaskContribute, "TaskContribute",
     "TaskContribute(bytes32,address,bytes32)", 3, 32},
    {PocoEventKind::kTaskConsensus, "TaskConsensus",
     "TaskConsensus(bytes32,bytes32)", 2, 32},
    {PocoEventKind::kTaskReveal, "TaskReveal",
     "TaskReveal(bytes32,address,bytes32)", 3, 32},
    {PocoEventKind::kTaskReopen, "TaskReopen", "TaskReopen(bytes32)", 2, 0},
    {PocoEventKind::kTaskFinalize, "TaskFinalize",
     "TaskFinalize(bytes32,bytes)", 2, 64},
    {PocoEventKind::kTaskClaimed, "TaskClaimed", "TaskClaimed(bytes32)", 2, 0},
    {PocoEventKind::kReward, "Reward", "Reward(address,uint256,bytes32)", 1, 96},
    {PocoEventKind::kSeize, "Seize", "Seize(address,uint256,bytes32)", 1, 96},
    {PocoEventKind::kLock, "Lock", "Lock(address,uint256)", 1, 64},
    {PocoEventKind::kUnlock, "Unlock", "Unlock(address,uint256)", 1, 64},
};

absl::StatusOr<eth::Address> WordAddress(eth::ByteView word, const char* what) {
  for (size_t i = 0; i < 12; ++i)
    if (word[i] != 0)
      return absl::InvalidArgumentError(
          absl::StrCat(what, " is not an address (dirty high bytes)"));
  return eth::Address::FromBytes(word.subspan(12, 20));
}

eth::Hash32 Word(eth::ByteView data, size_t index) {
  eth::Hash32 h{};
  std::copy(data.begin() + index * 32, data.begin() + index * 32 + 32, h.begin());
  return h;
}

}  // namespace

const char* PocoEventName(PocoEventKind kind) {
  return kDefinitions[static_cast<size_t>(kind)].name;
}

const std::vector<eth::Hash32>& PocoEventTopics() {
  static const auto* topics = [] {
    auto* t = new std::vector<eth::Hash32>;
    for (const Definition& d : kDefinitions)
      t->push_back(eth::Keccak(std::string_view(d.signature)));
    return t;
  }();
  return *topics;
}

absl::StatusOr<std::optional<PocoEvent>> DecodePocoEvent(
    const std::vector<eth::Hash32>& topics, eth::ByteView data) {
  if (topics.empty()) return std::nullopt;
  const std::vector<eth::Hash32>& known = PocoEventTopics();
  auto it = std::find(known.begin(), known.end(), topics[0]);
  if (it == known.end()) return std::nullopt;
  const Definition& d = kDefinitions[it - known.begin()];
  if (topics.size() != d.topics || data.size() < d.min_data ||
      data.size() % 32 != 0)
    return absl::InvalidArgumentError(absl::StrCat(
        d.name, " log with ", topics.size(), " topics and ", data.size(),
        " bytes of data does not have the event's shape"));
  PocoEvent e;
  e.kind = d.kind;
  auto address = [&](eth::ByteView word) -> absl::Status {
    absl::StatusOr<eth::Address> a = WordAddress(word, d.name);
    if (!a.ok()) return a.status();
    e.account = *a;
    return absl::OkStatus();
  };
  auto amount = [&](size_t index) -> absl::Status {
    absl::StatusOr<eth::U256> v = eth::U256::FromBytesBE(data.subspan(index * 32, 32));
    if (!v.ok()) return v.status();
    e.amount = *v;
    return absl::OkStatus();
  };
  absl::Status s;
  switch (d.kind) {
    case PocoEventKind::kSchedulerNotice:
      s = address(topics[1]);
      e.id = Word(data, 0);
      break;
    case PocoEventKind::kOrdersMatched:
      e.id = Word(data, 0);
      s = amount(5);
      break;
    case PocoEventKind::kTaskInitialize:
    case PocoEventKind::kTaskContribute:
    case PocoEventKind::kTaskReveal:
      e.id = topics[1];
      s = address(topics[2]);
      break;
    case PocoEventKind::kTaskConsensus:
    case PocoEventKind::kTaskReopen:
    case PocoEventKind::kTaskFinalize:
    case PocoEventKind::kTaskClaimed:
      e.id = topics[1];
      break;
    case PocoEventKind::kReward:
    case PocoEventKind::kSeize:
      s = address(data.subspan(0, 32));
      if (s.ok()) s = amount(1);
      e.ref = Word(data, 2);
      break;
    case PocoEventKind::kLock:
    case PocoEventKind::kUnlock:
      s = address(data.subspan(0, 32));
      if (s.ok()) s = amount(1);
      break;
  }
  if (!s.ok()) return s;
  return e;
}

}  // namespace poolops::iexec
