#include "services/orchestrator/unlock_keeper.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "services/orchestrator/spec_defaults.h"

namespace poolops::orchestrator {

UnlockKeeper::UnlockKeeper(const Orchestrator* orchestrator, Applier* applier,
                           WalletSource* wallets, Clock* clock,
                           absl::Duration margin)
    : orchestrator_(orchestrator),
      applier_(applier),
      wallets_(wallets),
      clock_(clock),
      margin_(margin) {}

UnlockKeeper::~UnlockKeeper() { Stop(); }

std::vector<std::string> UnlockKeeper::RunOnce() {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<LoadedSpec>> pools = applier_->RunningSpecs();
  if (!pools.ok()) {
    out.push_back(absl::StrCat("running pools: ", pools.status().message()));
    return out;
  }
  for (const LoadedSpec& loaded : *pools) {
    const v1::PoolSpec spec = WithDefaults(loaded.spec);
    const std::string& owner = spec.workerpool().owner_wallet();
    std::string line = absl::StrCat(spec.name(), ": ");
    // iExec's order-publisher container signs with its own wallet file.
    if (spec.orders().publisher() != v1::PUBLISHER_POOLOPS || owner.empty()) {
      out.push_back(absl::StrCat(line, "nothing to keep unlocked"));
      continue;
    }
    absl::StatusOr<absl::Time> until = wallets_->UnlockedUntil(owner);
    if (!until.ok()) {
      out.push_back(absl::StrCat(line, "owner wallet ", owner, ": ",
                                 until.status().message()));
      spdlog::warn("unlock keeper: {}", out.back());
      continue;
    }
    if (*until - clock_->Now() > margin_) {
      out.push_back(absl::StrCat(line, "owner wallet ", owner,
                                 " unlocked until ", absl::FormatTime(*until)));
      continue;
    }
    absl::StatusOr<std::string> done = orchestrator_->UnlockOwner(loaded);
    // The vault refuses (FailedPrecondition) while the operator's lock
    // stands: publishing stays paused until the operator unlocks.
    const bool operator_locked = absl::IsFailedPrecondition(done.status());
    out.push_back(absl::StrCat(
        line, done.ok() ? *done : std::string(done.status().message()),
        operator_locked ? " (left locked: publishing paused)" : ""));
    if (done.ok() || operator_locked) {
      spdlog::info("unlock keeper: {}", out.back());
    } else {
      spdlog::warn("unlock keeper: {}", out.back());
    }
  }
  return out;
}

void UnlockKeeper::Start(absl::Duration period) {
  passes_.Start(period, [this] { RunOnce(); });
}

void UnlockKeeper::Stop() { passes_.Stop(); }

}  // namespace poolops::orchestrator
