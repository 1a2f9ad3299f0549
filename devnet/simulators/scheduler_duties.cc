#include "devnet/simulators/scheduler_duties.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "devnet/traffic/task_actions.h"
#include "libs/eth/hex.h"
#include "libs/iexec/deal_orders.h"
#include "libs/iexec/poco_events.h"

namespace poolops::sim {
namespace {

// At most this many blocks per eth_getLogs (a node's usual cap).
constexpr uint64_t kMaxLogRange = 5000;
// What the core publishes as a task's result: where to download it.
constexpr std::string_view kResults =
    R"({"storage":"none","location":"poolops-stack-sim"})";

eth::Hash32 AddressTopic(const eth::Address& a) {
  eth::Hash32 t{};
  std::copy(a.bytes().begin(), a.bytes().end(), t.begin() + 12);
  return t;
}

}  // namespace

SchedulerDuties::SchedulerDuties(ChainSession* session, eth::Address workerpool,
                                 uint64_t from_block, Logger log)
    : session_(session),
      actor_(&session->hub(), &session->key()),
      workerpool_(workerpool),
      log_(std::move(log)),
      next_block_(from_block) {}

absl::Status SchedulerDuties::PollOnce() {
  absl::MutexLock lock(&mu_);
  absl::Status read = ReadNewDeals();
  absl::Status finalized = FinalizeRevealed();
  return read.ok() ? finalized : read;
}

absl::Status SchedulerDuties::ReadNewDeals() {
  chain::EthApi& api = session_->api();
  absl::StatusOr<uint64_t> head = api.BlockNumber();
  if (!head.ok()) return head.status();
  while (next_block_ <= *head) {
    chain::LogFilter filter;
    filter.from_block = next_block_;
    filter.to_block = std::min(*head, next_block_ + kMaxLogRange - 1);
    filter.addresses = {session_->hub().hub};
    filter.topics = {{iexec::PocoEventTopics()[static_cast<size_t>(
                         iexec::PocoEventKind::kSchedulerNotice)]},
                     {AddressTopic(workerpool_)}};
    absl::StatusOr<std::vector<chain::Log>> logs = api.GetLogs(filter);
    if (!logs.ok()) return logs.status();
    for (const chain::Log& log : *logs) {
      absl::StatusOr<std::optional<iexec::PocoEvent>> event =
          iexec::DecodePocoEvent(log.topics, log.data);
      if (!event.ok() || !event->has_value()) continue;
      const eth::Hash32 deal_id = (*event)->id;
      absl::StatusOr<devnet::DealView> deal =
          devnet::ViewDeal(api, session_->hub(), deal_id);
      if (!deal.ok()) return deal.status();
      ++deals_;
      latest_deal_block_ = std::max(latest_deal_block_, log.block_number);
      log_(absl::StrCat("deal ", eth::ToHex(deal_id), ": ", deal->tasks,
                        " task(s) from index ", deal->first_task));
      for (uint64_t i = 0; i < deal->tasks; ++i) {
        absl::Status queued = TakeTask(deal_id, *deal, deal->first_task + i);
        if (!queued.ok()) return queued;
      }
    }
    // Only a range read in full moves on: a failure reads it again.
    next_block_ = filter.to_block + 1;
  }
  return absl::OkStatus();
}

absl::Status SchedulerDuties::TakeTask(const eth::Hash32& deal_id,
                                       const devnet::DealView& deal,
                                       uint64_t index) {
  // A core that restarts reads its deals again: what the hub already knows
  // of a task decides what is left to do, as the real core recovers.
  const eth::Hash32 task_id = iexec::TaskId(deal_id, index);
  absl::StatusOr<devnet::TaskView> view =
      devnet::ViewTask(session_->api(), session_->hub(), task_id);
  if (!view.ok()) return view.status();
  if (view->status == 0) {
    absl::StatusOr<eth::Hash32> task = actor_.Initialize(deal_id, index);
    if (!task.ok()) return task.status();
    log_(absl::StrCat("task ", devnet::ShortId(task_id), " initialized"));
  }
  if (view->status <= 1) {  // no contribution yet
    waiting_.push_back({task_id, deal_id, deal.params});
  } else if (view->status == 2) {  // contributed: to finalize once revealed
    running_.push_back({task_id, eth::Address()});
  }
  return absl::OkStatus();
}

absl::Status SchedulerDuties::FinalizeRevealed() {
  absl::Status first = absl::OkStatus();
  std::vector<Running> still;
  for (const Running& r : running_) {
    absl::StatusOr<devnet::TaskView> view =
        devnet::ViewTask(session_->api(), session_->hub(), r.task_id);
    if (!view.ok()) {
      first.Update(view.status());
      still.push_back(r);
      continue;
    }
    if (view->status >= 3) continue;  // completed, or failed and claimed
    if (view->status == 2 && view->reveal_counter > 0) {
      absl::Status done = actor_.Finalize(r.task_id, kResults);
      if (done.ok()) {
        ++completed_;
        log_(absl::StrCat("task ", devnet::ShortId(r.task_id), " finalized"));
        continue;
      }
      first.Update(done);
    }
    still.push_back(r);
  }
  running_ = std::move(still);
  return first;
}

absl::StatusOr<std::optional<nlohmann::json>> SchedulerDuties::NextReplicate(
    const eth::Address& worker) {
  absl::MutexLock lock(&mu_);
  if (waiting_.empty()) return std::nullopt;
  const Waiting task = waiting_.front();
  absl::StatusOr<eth::Bytes> signature = actor_.Authorize(worker, task.task_id);
  if (!signature.ok()) return signature.status();
  waiting_.pop_front();
  running_.push_back({task.task_id, worker});
  log_(absl::StrCat("task ", devnet::ShortId(task.task_id), " given to ",
                    worker.ToChecksum()));
  return nlohmann::json{{"workerpoolAuthorization",
                         {{"workerWallet", worker.ToChecksum()},
                          {"chainTaskId", eth::ToHex(task.task_id)},
                          {"enclaveChallenge", eth::Address().ToChecksum()},
                          {"signature", eth::ToHex(*signature)}}},
                        {"taskDescription",
                         {{"chainTaskId", eth::ToHex(task.task_id)},
                          {"chainDealId", eth::ToHex(task.deal_id)},
                          {"params", task.params}}}};
}

void SchedulerDuties::AddActivity(PlatformMetric* metric) {
  absl::MutexLock lock(&mu_);
  metric->deals += deals_;
  metric->completed_tasks += completed_;
  metric->latest_block_with_deal =
      std::max(metric->latest_block_with_deal, latest_deal_block_);
}

HttpResponse SchedulerDuties::HandleAvailable(const HttpRequest& request) {
  absl::StatusOr<eth::Address> worker =
      eth::Address::Parse(QueryParam(request.query, "walletAddress"));
  if (!worker.ok())
    return {400, "application/json",
            nlohmann::json{{"error", "walletAddress: a 0x address"}}.dump()};
  absl::StatusOr<std::optional<nlohmann::json>> next = NextReplicate(*worker);
  if (!next.ok()) {
    log_(absl::StrCat("no replicate for ", worker->ToChecksum(), ": ",
                      next.status().ToString()));
    return {503, "application/json", R"({"error":"chain unavailable"})"};
  }
  if (!next->has_value()) return {204, "application/json", ""};
  return {200, "application/json", (*next)->dump()};
}

void SchedulerDuties::Start(absl::Duration period) {
  thread_ = std::make_unique<std::thread>([this, period] {
    PollUntilStopped(
        stop_, period, [this] { return PollOnce(); }, log_);
  });
}

void SchedulerDuties::Stop() {
  if (!thread_) return;
  if (!stop_.HasBeenNotified()) stop_.Notify();
  thread_->join();
  thread_.reset();
}

}  // namespace poolops::sim
