// The monitor: pools and their targets, rounds of probes every interval
// (every probe bounded by a timeout shorter than the interval), one status
// per pool, watchers told of changes, and one-shot probes. Every outside
// effect comes through an interface (HttpProber, ChainHeadSource,
// ChainResolver, BalanceSource, Clock, EndpointsStore's file), so tests drive
// rounds by hand with fakes. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "poolops/monitor/v1/monitor.pb.h"
#include "services/monitor/chain_sources.h"
#include "services/monitor/endpoints_store.h"
#include "services/monitor/history/history_reader.h"
#include "services/monitor/http_prober.h"
#include "services/monitor/monitor_metrics.h"
#include "services/monitor/status_model.h"
#include "services/monitor/swarm_source.h"

namespace poolops::monitor {

struct MonitorOptions {
  absl::Duration interval = absl::Seconds(15);
  // Per probe; must be shorter than the interval.
  absl::Duration probe_timeout = absl::Seconds(5);
  size_t max_body_bytes = size_t{1} << 20;
  // How long a resolved chain (RPC and market URLs) is trusted.
  absl::Duration chain_cache = absl::Minutes(5);
};

struct MonitorDeps {
  EndpointsStore* store = nullptr;
  HttpProber* http = nullptr;
  ChainHeadSource* heads = nullptr;
  ChainResolver* chains = nullptr;
  BalanceSource* balances = nullptr;
  Clock* clock = Clock::Real();
  MonitorMetrics* metrics = nullptr;  // may be null
  SwarmSource* swarm = nullptr;       // null: swarm stacks are not read
  HistoryReader* history = nullptr;   // null: no on-chain history
};

// A Watch subscription: statuses queued for one reader. Thread-safe.
class StatusWatch {
 public:
  StatusWatch(std::string pool, bool changes_only)
      : pool_(std::move(pool)), changes_only_(changes_only) {}
  // The next status; false on timeout or once closed and drained.
  bool Next(v1::PoolStatus* out, absl::Duration timeout);
  bool closed() const;
  const std::string& pool() const { return pool_; }

 private:
  friend class Monitor;
  void Push(const v1::PoolStatus& status);
  void Close();

  const std::string pool_;
  const bool changes_only_;
  mutable absl::Mutex mu_;
  std::deque<v1::PoolStatus> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class Monitor {
 public:
  // Loads the stored targets. InvalidArgument when the timeout is not
  // shorter than the interval or the targets file does not parse.
  static absl::StatusOr<std::unique_ptr<Monitor>> Create(MonitorOptions options,
                                                         MonitorDeps deps);
  ~Monitor();

  // Validates, stores and probes the pool at once; returns the normalised
  // targets.
  absl::StatusOr<PoolEndpoints> SetPool(PoolEndpoints targets);
  // NotFound when there is no such pool.
  absl::Status RemovePool(const std::string& pool);
  std::vector<PoolEndpoints> ListPools() const;

  // `pool` empty: the only pool (InvalidArgument naming them when several,
  // NotFound when none). Waits for the first round of a new pool.
  absl::StatusOr<v1::PoolStatus> GetStatus(const std::string& pool) const;
  absl::StatusOr<std::shared_ptr<StatusWatch>> Watch(const std::string& pool,
                                                     bool changes_only);

  // One round over every pool (the loop calls this every interval).
  void RunRound();
  // A one-shot probe with its debug log (HTTP and TCP; gRPC is the
  // adapter's).
  v1::ProbeResult Probe(const v1::ProbeSpec& spec);

  // What the pool did and earned (its on-chain history, read up to the
  // chain's final head first), over the last `since` (zero: all of it).
  // `pool` empty: the only pool. FailedPrecondition naming what is missing
  // when the pool has no workerpool or its chain's hub is unknown;
  // Unimplemented without a history reader.
  absl::StatusOr<PoolStats> GetPoolStats(const std::string& pool,
                                         absl::Duration since);
  // Reads every pool's new history (the history loop does, every interval).
  void SyncHistories();

  // The background loops: a round at once, then every interval; the
  // pools' histories beside it.
  void Start();
  void Stop();

  const MonitorOptions& options() const { return options_; }

 private:
  Monitor(MonitorOptions options, MonitorDeps deps)
      : options_(options), deps_(deps) {}
  // Returns the number of probes it ran.
  size_t RunRoundFor(const std::vector<PoolEndpoints>& pools);
  absl::StatusOr<ChainInfo> ResolveChain(const std::string& chain);
  // The pool's name: `pool`, or the only pool when empty.
  absl::StatusOr<std::string> PoolName(const std::string& pool) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Where the pool's history is: its source and its node's URL.
  absl::StatusOr<std::pair<HistorySource, std::string>> HistoryOf(
      const PoolEndpoints& pool);
  absl::StatusOr<SyncReport> SyncHistory(const PoolEndpoints& pool);
  void HistoryLoop();
  absl::Status Persist() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Loop();

  const MonitorOptions options_;
  const MonitorDeps deps_;

  absl::Mutex round_mu_;  // one round at a time (loop, SetPool)
  mutable absl::Mutex mu_;
  std::map<std::string, PoolEndpoints> pools_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::PoolStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, PoolMemory> memory_ ABSL_GUARDED_BY(mu_);
  std::multimap<std::string, std::weak_ptr<StatusWatch>> watches_
      ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  // Pools whose history counters were set since the monitor started.
  std::set<std::string> history_metrics_ ABSL_GUARDED_BY(mu_);

  absl::Mutex chain_mu_;
  struct CachedChain {
    ChainInfo info;
    absl::Time until;
  };
  std::map<std::string, CachedChain> chain_cache_ ABSL_GUARDED_BY(chain_mu_);

  std::thread loop_;
  std::thread history_loop_;
};

// True when `overall` or some component's state differs.
bool StatusChanged(const v1::PoolStatus& before, const v1::PoolStatus& after);

}  // namespace poolops::monitor
