#include "devnet/simulators/chain_duties.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace poolops::sim {
namespace {

std::unique_ptr<ChainSession> OpenSession(
    const ChainResolver& resolve,
    const std::function<void(const std::string&)>& log) {
  absl::StatusOr<ChainAccess> access = resolve();
  if (absl::IsCancelled(access.status())) return nullptr;
  if (!access.ok()) {
    log(absl::StrCat("no on-chain duties: ", access.status().ToString()));
    return nullptr;
  }
  if (access->wallet_password.empty()) {
    log("no wallet password: no on-chain duties");
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<ChainSession>> session =
      ChainSession::Open(*access);
  if (!session.ok()) {
    log(absl::StrCat("no on-chain duties: ", session.status().ToString()));
    return nullptr;
  }
  log(absl::StrCat("on-chain duties as ",
                   (*session)->key().address().ToChecksum(), " on chain ",
                   (*session)->hub().chain_id, " (hub ", access->hub_address,
                   ", node ", access->node_url, ")"));
  return *std::move(session);
}

}  // namespace

CoreChainDuties::CoreChainDuties(ChainResolver resolve, std::string workerpool,
                                 uint64_t from_block,
                                 SchedulerDuties::Logger log)
    : starter_([this, resolve = std::move(resolve),
                workerpool = std::move(workerpool), from_block,
                log = std::move(log)]() mutable {
        Run(std::move(resolve), std::move(workerpool), from_block,
            std::move(log));
      }) {}

void CoreChainDuties::Run(ChainResolver resolve, std::string workerpool,
                          uint64_t from_block, SchedulerDuties::Logger log) {
  absl::StatusOr<eth::Address> pool = eth::Address::Parse(workerpool);
  if (!pool.ok()) {
    log(absl::StrCat("no on-chain duties: workerpool address: ",
                     pool.status().message()));
    return;
  }
  session_ = OpenSession(resolve, log);
  if (!session_) return;
  duties_ = std::make_unique<SchedulerDuties>(session_.get(), *pool, from_block,
                                              std::move(log));
  duties_->Start(absl::Seconds(1));
  ready_ = duties_.get();
}

CoreChainDuties::~CoreChainDuties() {
  starter_.join();
  if (duties_) duties_->Stop();
}

HttpResponse CoreChainDuties::HandleAvailable(const HttpRequest& request) {
  SchedulerDuties* duties = ready_.load();
  if (duties == nullptr) return {204, "application/json", ""};
  return duties->HandleAvailable(request);
}

void CoreChainDuties::AddActivity(PlatformMetric* metric) {
  if (SchedulerDuties* duties = ready_.load()) duties->AddActivity(metric);
}

WorkerChainDuties::WorkerChainDuties(ChainResolver resolve,
                                     WorkerDuties::CoreGet core_get,
                                     absl::Duration period,
                                     WorkerDuties::Logger log)
    : thread_([this, resolve = std::move(resolve),
               core_get = std::move(core_get), period, log = std::move(log)] {
        std::unique_ptr<ChainSession> session = OpenSession(resolve, log);
        if (!session) return;
        WorkerDuties duties(session.get(), core_get, log);
        PollUntilStopped(
            stop_, period, [&duties] { return duties.RunOnce(); }, log);
      }) {}

WorkerChainDuties::~WorkerChainDuties() {
  stop_.Notify();
  thread_.join();
}

}  // namespace poolops::sim
