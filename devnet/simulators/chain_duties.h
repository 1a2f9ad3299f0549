// The on-chain duties of the core and worker simulators, started beside
// their HTTP roles when the stack gives them a chain: the node, the hub, the
// wallet and its password. Where the chain comes from differs by stack
// (9.x: the config server, read at start; 7.x/8.x: the blockchain adapter's
// /config/chain, which may come up after the core), so it is resolved on a
// thread: the role serves meanwhile. Without a password (or with a keystore
// that does not open) the role runs without duties, and says why once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "devnet/simulators/chain_session.h"
#include "devnet/simulators/http_message.h"
#include "devnet/simulators/scheduler_duties.h"
#include "devnet/simulators/worker_duties.h"

namespace poolops::sim {

// Where the chain is: may block (waiting for a service), Cancelled when the
// role stops meanwhile.
using ChainResolver = std::function<absl::StatusOr<ChainAccess>()>;

class CoreChainDuties {
 public:
  CoreChainDuties(ChainResolver resolve, std::string workerpool,
                  uint64_t from_block, SchedulerDuties::Logger log);
  ~CoreChainDuties();

  // GET /replicates/available: 204 (no work) until the duties run.
  HttpResponse HandleAvailable(const HttpRequest& request);
  // The duties' activity for /metrics (nothing until they run).
  void AddActivity(PlatformMetric* metric);

 private:
  void Run(ChainResolver resolve, std::string workerpool, uint64_t from_block,
           SchedulerDuties::Logger log);

  std::unique_ptr<ChainSession> session_;
  std::unique_ptr<SchedulerDuties> duties_;
  std::atomic<SchedulerDuties*> ready_{nullptr};
  std::thread starter_;
};

class WorkerChainDuties {
 public:
  WorkerChainDuties(ChainResolver resolve, WorkerDuties::CoreGet core_get,
                    absl::Duration period, WorkerDuties::Logger log);
  ~WorkerChainDuties();

 private:
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace poolops::sim
