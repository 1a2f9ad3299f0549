// Fakes of the monitor's outside world for tests: scripted HTTP answers,
// chain heads, chain names and balances. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/monitor/chain_sources.h"
#include "services/monitor/history/history_reader.h"
#include "services/monitor/http_prober.h"

namespace poolops::monitor {

// An HTTP answer in one line.
inline HttpProbeResponse Answer(int code, std::string body,
                                std::string type = "application/json") {
  HttpProbeResponse r;
  r.answered = true;
  r.status_code = code;
  r.body = std::move(body);
  r.body_bytes = r.body.size();
  r.content_type = std::move(type);
  r.duration = absl::Milliseconds(3);
  return r;
}

inline HttpProbeResponse Refused() {
  HttpProbeResponse r;
  r.failed_due_to = "connection refused";
  r.error = "Couldn't connect to server";
  return r;
}

class FakeHttpProber : public HttpProber {
 public:
  void Set(const std::string& url, HttpProbeResponse r) {
    absl::MutexLock lock(&mu_);
    answers_[url] = std::move(r);
  }
  std::vector<HttpProbeResponse> Run(
      const std::vector<HttpProbeRequest>& requests) override {
    absl::MutexLock lock(&mu_);
    std::vector<HttpProbeResponse> out;
    for (const HttpProbeRequest& r : requests) {
      seen_.push_back(r.url);
      auto it = answers_.find(r.url);
      out.push_back(it == answers_.end() ? Refused() : it->second);
    }
    return out;
  }
  std::vector<std::string> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, HttpProbeResponse> answers_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mu_);
};

class FakeChainHeads : public ChainHeadSource {
 public:
  void Set(const std::string& rpc, absl::StatusOr<uint64_t> head) {
    absl::MutexLock lock(&mu_);
    heads_.insert_or_assign(rpc, std::move(head));
  }
  absl::StatusOr<uint64_t> HeadBlock(const std::string& rpc,
                                     absl::Duration) override {
    absl::MutexLock lock(&mu_);
    auto it = heads_.find(rpc);
    if (it == heads_.end()) return absl::UnavailableError("connection refused");
    return it->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, absl::StatusOr<uint64_t>> heads_ ABSL_GUARDED_BY(mu_);
};

class FakeChainResolver : public ChainResolver {
 public:
  void Set(const std::string& chain, absl::StatusOr<ChainInfo> info) {
    absl::MutexLock lock(&mu_);
    chains_.insert_or_assign(chain, std::move(info));
  }
  absl::StatusOr<ChainInfo> Resolve(const std::string& chain,
                                    absl::Duration) override {
    absl::MutexLock lock(&mu_);
    auto it = chains_.find(chain);
    if (it == chains_.end()) {
      return absl::UnavailableError("chain-gateway is not running");
    }
    return it->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, absl::StatusOr<ChainInfo>> chains_ ABSL_GUARDED_BY(mu_);
};

// Answers UNIMPLEMENTED (as a gateway without GetBalances) unless told.
class FakeBalanceSource : public BalanceSource {
 public:
  void Set(const std::string& wallet, absl::StatusOr<Balances> b) {
    absl::MutexLock lock(&mu_);
    balances_.insert_or_assign(wallet, std::move(b));
  }
  absl::StatusOr<Balances> GetBalances(const std::string&,
                                       const std::string& wallet,
                                       absl::Duration) override {
    absl::MutexLock lock(&mu_);
    auto it = balances_.find(wallet);
    if (it == balances_.end()) {
      return absl::UnimplementedError("GetBalances is not implemented yet");
    }
    return it->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, absl::StatusOr<Balances>> balances_
      ABSL_GUARDED_BY(mu_);
};

// A pool's stats as a history would give them: 4 deals, 3 tasks completed,
// 1 failed, 2 running, two workers.
inline PoolStats SomeStats(const std::string& pool) {
  PoolStats st;
  st.pool = pool;
  st.workerpool = "0x01a7015b8f7c437a945dcdd84e9dd9ad647bc1db";
  st.to_block = 120;
  st.deals = 4;
  st.completed = 3;
  st.failed = 1;
  st.running = 2;
  st.earned_scheduler = "3";
  st.earned_workers = "297";
  st.seized = "30";
  st.gas_spent = "123456";
  st.workers = {{"0x00000000000000000000000000000000000000b1", 2, "198", "0"},
                {"0x00000000000000000000000000000000000000b2", 2, "99", "0"}};
  return st;
}

// Remembers what it was asked to read; answers the stats it is given.
class FakeHistoryReader : public HistoryReader {
 public:
  void SetStats(absl::StatusOr<PoolStats> stats) {
    absl::MutexLock lock(&mu_);
    stats_ = std::move(stats);
  }
  absl::StatusOr<SyncReport> Sync(const HistorySource& source,
                                  const std::string& rpc_url) override {
    absl::MutexLock lock(&mu_);
    sources_.push_back(source);
    rpcs_.push_back(rpc_url);
    SyncReport report;
    report.events = 1;  // something new each time: the stats are read again
    return report;
  }
  absl::StatusOr<PoolStats> Stats(const std::string& pool,
                                  uint64_t min_time) override {
    absl::MutexLock lock(&mu_);
    min_times_.push_back(min_time);
    return stats_;
  }
  std::vector<HistorySource> sources() {
    absl::MutexLock lock(&mu_);
    return sources_;
  }
  std::vector<std::string> rpcs() {
    absl::MutexLock lock(&mu_);
    return rpcs_;
  }
  std::vector<uint64_t> min_times() {
    absl::MutexLock lock(&mu_);
    return min_times_;
  }

 private:
  absl::Mutex mu_;
  absl::StatusOr<PoolStats> stats_ ABSL_GUARDED_BY(mu_) =
      absl::NotFoundError("never read");
  std::vector<HistorySource> sources_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> rpcs_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> min_times_ ABSL_GUARDED_BY(mu_);
};

}  // namespace poolops::monitor
