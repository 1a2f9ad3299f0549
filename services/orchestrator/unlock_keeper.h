// Keeps the owner wallets of running pools unlocked in the wallet-vault, so
// chain-gateway's publisher can sign orders past the vault's longest unlock
// (24 h) and after a vault restart (which locks every wallet). Each pass
// unlocks again every owner of a pool that is up with poolops' publisher
// when the wallet is locked or expires within `margin`. Passwords come from
// the orchestrator's secret store, as at `pool up`, and are never logged.
// An operator's `wallet lock` wins: the vault refuses these automated
// unlocks until the operator's `wallet unlock`, and each pass says so.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/orchestrator.h"
#include "services/orchestrator/periodic_pass.h"
#include "services/orchestrator/wallet_source.h"

namespace poolops::orchestrator {

class UnlockKeeper {
 public:
  UnlockKeeper(const Orchestrator* orchestrator, Applier* applier,
               WalletSource* wallets, Clock* clock = Clock::Real(),
               absl::Duration margin = absl::Hours(12));
  ~UnlockKeeper();

  // One pass: a line per pool it looked at, saying what it did.
  std::vector<std::string> RunOnce();
  // Passes every `period` on a thread of its own, the first one now.
  void Start(absl::Duration period);
  void Stop();

 private:
  const Orchestrator* orchestrator_;
  Applier* applier_;
  WalletSource* wallets_;
  Clock* clock_;
  absl::Duration margin_;
  PeriodicPass passes_;
};

}  // namespace poolops::orchestrator
