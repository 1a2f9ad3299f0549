#include "services/monitor/monitor.h"

#include <future>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/iexec/core_metrics.h"
#include "re2/re2.h"

namespace poolops::monitor {

// ------------------------------------------------------------ StatusWatch --

bool StatusWatch::Next(v1::PoolStatus* out, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || closed_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (queue_.empty()) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

bool StatusWatch::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_ && queue_.empty();
}

void StatusWatch::Push(const v1::PoolStatus& status) {
  absl::MutexLock lock(&mu_);
  // A reader that stopped reading must not hold statuses without bound.
  if (queue_.size() >= 64) queue_.pop_front();
  queue_.push_back(status);
}

void StatusWatch::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool StatusChanged(const v1::PoolStatus& before, const v1::PoolStatus& after) {
  if (before.overall() != after.overall() ||
      before.components_size() != after.components_size()) {
    return true;
  }
  for (int i = 0; i < before.components_size(); ++i) {
    if (before.components(i).name() != after.components(i).name() ||
        before.components(i).status() != after.components(i).status()) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- Monitor --

absl::StatusOr<std::unique_ptr<Monitor>> Monitor::Create(MonitorOptions options,
                                                         MonitorDeps deps) {
  if (options.probe_timeout >= options.interval) {
    return absl::InvalidArgumentError(absl::StrCat(
        "probe timeout ", absl::FormatDuration(options.probe_timeout),
        " must be shorter than the interval ",
        absl::FormatDuration(options.interval)));
  }
  if (deps.store == nullptr || deps.http == nullptr || deps.heads == nullptr ||
      deps.chains == nullptr || deps.balances == nullptr ||
      deps.clock == nullptr) {
    return absl::InvalidArgumentError("monitor: a dependency is missing");
  }
  absl::StatusOr<std::vector<PoolEndpoints>> pools = deps.store->Load();
  if (!pools.ok()) return pools.status();
  std::unique_ptr<Monitor> m(new Monitor(options, deps));
  absl::MutexLock lock(&m->mu_);
  for (PoolEndpoints& p : *pools) m->pools_[p.pool()] = std::move(p);
  return m;
}

Monitor::~Monitor() { Stop(); }

absl::Status Monitor::Persist() {
  std::vector<PoolEndpoints> pools;
  for (const auto& [name, p] : pools_) pools.push_back(p);
  return deps_.store->Save(pools);
}

absl::StatusOr<PoolEndpoints> Monitor::SetPool(PoolEndpoints endpoints) {
  if (absl::Status s = ValidateEndpoints(&endpoints); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    std::optional<PoolEndpoints> before;
    if (auto it = pools_.find(endpoints.pool()); it != pools_.end()) {
      before = it->second;
    }
    pools_[endpoints.pool()] = endpoints;
    if (absl::Status s = Persist(); !s.ok()) {
      if (before) {
        pools_[endpoints.pool()] = *before;
      } else {
        pools_.erase(endpoints.pool());
      }
      return s;
    }
    // New endpoints, new judgement: forget what the old ones said.
    memory_.erase(endpoints.pool());
  }
  absl::MutexLock round(&round_mu_);
  RunRoundFor({endpoints});
  return endpoints;
}

absl::Status Monitor::RemovePool(const std::string& pool) {
  std::vector<std::shared_ptr<StatusWatch>> closing;
  {
    absl::MutexLock lock(&mu_);
    auto it = pools_.find(pool);
    if (it == pools_.end()) {
      return absl::NotFoundError(absl::StrCat("no pool ", pool, " monitored"));
    }
    PoolEndpoints saved = it->second;
    pools_.erase(it);
    if (absl::Status s = Persist(); !s.ok()) {
      pools_[pool] = std::move(saved);
      return s;
    }
    statuses_.erase(pool);
    memory_.erase(pool);
    history_metrics_.erase(pool);
    auto [b, e] = watches_.equal_range(pool);
    for (auto w = b; w != e; ++w) {
      if (auto sp = w->second.lock()) closing.push_back(sp);
    }
    watches_.erase(pool);
  }
  for (auto& w : closing) w->Close();
  if (deps_.metrics) deps_.metrics->RemovePool(pool);
  return absl::OkStatus();
}

std::vector<PoolEndpoints> Monitor::ListPools() const {
  absl::MutexLock lock(&mu_);
  std::vector<PoolEndpoints> out;
  for (const auto& [name, p] : pools_) out.push_back(p);
  return out;
}

absl::StatusOr<std::string> Monitor::PoolName(const std::string& pool) const {
  std::string name = pool;
  if (name.empty()) {
    if (pools_.empty()) {
      return absl::NotFoundError(
          "no pool is monitored (poolctl monitor add-pool POOL --core URL, "
          "or poolctl pool up)");
    }
    if (pools_.size() > 1) {
      std::vector<std::string> names;
      for (const auto& [n, p] : pools_) names.push_back(n);
      return absl::InvalidArgumentError(
          absl::StrCat("several pools are monitored, name one: ",
                       absl::StrJoin(names, ", ")));
    }
    name = pools_.begin()->first;
  }
  if (pools_.count(name) == 0) {
    return absl::NotFoundError(absl::StrCat("no pool ", name, " monitored"));
  }
  return name;
}

absl::StatusOr<v1::PoolStatus> Monitor::GetStatus(
    const std::string& pool) const {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::string> named = PoolName(pool);
  if (!named.ok()) return named.status();
  const std::string name = *named;
  auto ready = [this, &name]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return statuses_.count(name) != 0 || pools_.count(name) == 0;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready),
                       options_.probe_timeout * 2 + absl::Seconds(2));
  auto it = statuses_.find(name);
  if (it == statuses_.end()) {
    return absl::UnavailableError(
        absl::StrCat("pool ", name, " has not been probed yet; try again"));
  }
  return it->second;
}

absl::StatusOr<std::shared_ptr<StatusWatch>> Monitor::Watch(
    const std::string& pool, bool changes_only) {
  absl::StatusOr<v1::PoolStatus> current = GetStatus(pool);
  if (!current.ok() && !absl::IsUnavailable(current.status())) {
    return current.status();
  }
  std::string name = current.ok() ? current->pool() : pool;
  auto watch = std::make_shared<StatusWatch>(name, changes_only);
  absl::MutexLock lock(&mu_);
  if (pools_.count(name) == 0) {
    return absl::NotFoundError(absl::StrCat("no pool ", name, " monitored"));
  }
  if (auto it = statuses_.find(name); it != statuses_.end()) {
    watch->Push(it->second);
  }
  watches_.emplace(name, watch);
  return watch;
}

absl::StatusOr<ChainInfo> Monitor::ResolveChain(const std::string& chain) {
  absl::Time now = deps_.clock->Now();
  {
    absl::MutexLock lock(&chain_mu_);
    auto it = chain_cache_.find(chain);
    if (it != chain_cache_.end() && it->second.until > now) {
      return it->second.info;
    }
  }
  absl::StatusOr<ChainInfo> info =
      deps_.chains->Resolve(chain, options_.probe_timeout);
  if (info.ok()) {
    absl::MutexLock lock(&chain_mu_);
    chain_cache_[chain] = {*info, now + options_.chain_cache};
  }
  return info;
}

void Monitor::RunRound() {
  absl::MutexLock round(&round_mu_);
  std::vector<PoolEndpoints> pools;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, p] : pools_) pools.push_back(p);
  }
  const absl::Time started = absl::Now();
  size_t targets = RunRoundFor(pools);
  if (deps_.metrics) {
    deps_.metrics->RoundDone(absl::Now() - started, pools.size(), targets);
  }
}

namespace {

// Where each pool's probes sit in the round's request list.
struct PoolPlan {
  const PoolEndpoints* endpoints = nullptr;
  PoolObservations obs;
  int core_metrics = -1, core_health = -1, adapter = -1, config_server = -1,
      grafana = -1, market = -1;
  std::map<std::string, int> workers;
};

// Side lookups of a round (chain heads, balances), run beside the HTTP
// probes.
struct SideResults {
  std::map<std::string, std::pair<absl::StatusOr<uint64_t>, absl::Duration>>
      heads;
  std::map<std::pair<std::string, std::string>, absl::StatusOr<Balances>>
      balances;
  // By pool index, in the order of the pool's swarm_stacks.
  std::map<size_t, std::vector<absl::StatusOr<std::vector<SwarmServiceState>>>>
      swarm;
};

}  // namespace

size_t Monitor::RunRoundFor(const std::vector<PoolEndpoints>& pools) {
  const absl::Time now = deps_.clock->Now();
  std::vector<PoolPlan> plans(pools.size());
  std::vector<HttpProbeRequest> requests;
  auto add = [&](std::string url) {
    HttpProbeRequest r;
    r.url = std::move(url);
    r.timeout = options_.probe_timeout;
    r.max_body_bytes = options_.max_body_bytes;
    requests.push_back(std::move(r));
    return static_cast<int>(requests.size() - 1);
  };
  std::set<std::string> rpcs;
  std::set<std::pair<std::string, std::string>> wallets;
  // Once per chain and round, failures included: a gateway that hangs costs
  // one timeout per round, not one per pool.
  std::map<std::string, absl::StatusOr<ChainInfo>> resolved;
  for (size_t i = 0; i < pools.size(); ++i) {
    const PoolEndpoints& t = pools[i];
    PoolPlan& plan = plans[i];
    plan.endpoints = &t;
    plan.obs.probed_at = now;
    plan.core_metrics = add(absl::StrCat(t.core(), "/metrics"));
    if (t.core_health() != "none") {
      plan.core_health = add(t.core_health().empty()
                                 ? absl::StrCat(t.core(), "/actuator/health")
                                 : t.core_health());
    }
    for (const v1::WorkerTarget& w : t.workers()) {
      if (!w.health_url().empty()) plan.workers[w.name()] = add(w.health_url());
    }
    if (!t.adapter().empty()) {
      plan.adapter = add(absl::StrCat(t.adapter(), t.adapter_path()));
    }
    if (!t.config_server().empty()) {
      plan.config_server =
          add(absl::StrCat(t.config_server(), "/config/chain"));
    }
    if (!t.grafana().empty()) {
      plan.grafana = add(absl::StrCat(t.grafana(), "/api/health"));
    }
    std::string rpc = t.rpc(), market = t.market(), chain_id = t.chain_id();
    bool need_market = !t.workerpool().empty();
    // The config server is checked against the chain's hub, which only the
    // gateway knows.
    if (!t.chain().empty() &&
        (rpc.empty() || chain_id.empty() || (need_market && market.empty()) ||
         !t.config_server().empty())) {
      auto known = resolved.find(t.chain());
      if (known == resolved.end()) {
        known = resolved.emplace(t.chain(), ResolveChain(t.chain())).first;
      }
      const absl::StatusOr<ChainInfo>& info = known->second;
      if (info.ok()) {
        if (rpc.empty()) rpc = info->rpc;
        if (market.empty()) market = info->market;
        if (chain_id.empty()) chain_id = info->chain_id;
        plan.obs.hub = info->hub;
      } else {
        std::string why = absl::StrCat("cannot resolve chain ", t.chain(), ": ",
                                       info.status().message());
        plan.obs.chain_info_unknown = why;
        if (rpc.empty()) plan.obs.chain_unknown = why;
        if (need_market && market.empty()) plan.obs.market_unknown = why;
      }
    }
    plan.obs.rpc = rpc;
    plan.obs.chain_id = chain_id;
    if (!rpc.empty()) rpcs.insert(rpc);
    if (need_market && plan.obs.market_unknown.empty()) {
      if (market.empty()) {
        plan.obs.market_unknown =
            "no market URL (give --market, or a --chain that chain-gateway "
            "knows with a market)";
      } else if (chain_id.empty()) {
        plan.obs.market_unknown =
            "chain id unknown (give --chain-id or a --chain chain-gateway "
            "knows)";
      } else {
        plan.market = add(absl::StrCat(
            market, "/workerpoolorders?chainId=", chain_id,
            "&workerpool=", t.workerpool(), "&pageIndex=0&pageSize=1000"));
      }
    }
    for (const v1::WalletTarget& w : t.wallets()) {
      wallets.emplace(t.chain(), w.name());
    }
  }

  // Chain heads and balances beside the HTTP probes, all at once: each is
  // bounded by the timeout, so the round is too.
  std::future<SideResults> side = std::async(std::launch::async, [&] {
    std::vector<std::pair<
        std::string,
        std::future<std::pair<absl::StatusOr<uint64_t>, absl::Duration>>>>
        heads;
    for (const std::string& rpc : rpcs) {
      heads.emplace_back(
          rpc, std::async(std::launch::async, [this, rpc] {
            absl::Time t0 = absl::Now();
            absl::StatusOr<uint64_t> head =
                deps_.heads->HeadBlock(rpc, options_.probe_timeout);
            return std::make_pair(std::move(head), absl::Now() - t0);
          }));
    }
    std::vector<std::pair<std::pair<std::string, std::string>,
                          std::future<absl::StatusOr<Balances>>>>
        balances;
    for (const auto& key : wallets) {
      balances.emplace_back(key, std::async(std::launch::async, [this, key] {
                              return deps_.balances->GetBalances(
                                  key.first, key.second,
                                  options_.probe_timeout);
                            }));
    }
    std::vector<std::pair<
        size_t, std::future<absl::StatusOr<std::vector<SwarmServiceState>>>>>
        stacks;
    for (size_t i = 0; i < pools.size(); ++i) {
      for (const v1::SwarmStack& st : pools[i].swarm_stacks()) {
        stacks.emplace_back(
            i,
            std::async(
                std::launch::async,
                [this, st]() -> absl::StatusOr<std::vector<SwarmServiceState>> {
                  if (deps_.swarm == nullptr) {
                    return absl::UnimplementedError(
                        "this monitor does not read swarms");
                  }
                  return deps_.swarm->Stack(st, options_.probe_timeout);
                }));
      }
    }
    SideResults out;
    for (auto& [i, f] : stacks) out.swarm[i].push_back(f.get());
    for (auto& [rpc, f] : heads) out.heads.emplace(rpc, f.get());
    for (auto& [key, f] : balances) out.balances.emplace(key, f.get());
    return out;
  });
  std::vector<HttpProbeResponse> responses = deps_.http->Run(requests);
  SideResults sides = side.get();

  auto outcome = [&](int index) -> std::optional<ProbeOutcome> {
    if (index < 0) return std::nullopt;
    return ProbeOutcome{requests[index].url, std::move(responses[index])};
  };
  std::vector<v1::PoolStatus> results;
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& stacks = plans[i].endpoints->swarm_stacks();
    for (int k = 0; k < stacks.size(); ++k) {
      plans[i].obs.swarm.emplace_back(stacks[k], sides.swarm[i][k]);
    }
  }
  for (PoolPlan& plan : plans) {
    PoolObservations& obs = plan.obs;
    obs.core_metrics = outcome(plan.core_metrics);
    obs.core_health = outcome(plan.core_health);
    obs.adapter = outcome(plan.adapter);
    obs.config_server = outcome(plan.config_server);
    obs.grafana = outcome(plan.grafana);
    obs.market = outcome(plan.market);
    for (const auto& [name, index] : plan.workers) {
      obs.worker_health.emplace(name, *outcome(index));
    }
    if (!obs.rpc.empty()) {
      const auto& head = sides.heads.at(obs.rpc);
      obs.head = head.first;
      obs.head_duration = head.second;
    }
    for (const v1::WalletTarget& w : plan.endpoints->wallets()) {
      obs.balances.emplace(
          w.name(), sides.balances.at({plan.endpoints->chain(), w.name()}));
    }
  }

  std::vector<std::pair<std::shared_ptr<StatusWatch>, v1::PoolStatus>> pushes;
  {
    absl::MutexLock lock(&mu_);
    for (PoolPlan& plan : plans) {
      const std::string& name = plan.endpoints->pool();
      if (pools_.count(name) == 0) continue;  // removed during the round
      v1::PoolStatus status =
          EvaluatePool(*plan.endpoints, plan.obs, &memory_[name]);
      auto before = statuses_.find(name);
      bool changed =
          before == statuses_.end() || StatusChanged(before->second, status);
      auto [b, e] = watches_.equal_range(name);
      for (auto w = b; w != e;) {
        std::shared_ptr<StatusWatch> sp = w->second.lock();
        if (!sp) {
          w = watches_.erase(w);
          continue;
        }
        if (changed || !sp->changes_only_) pushes.emplace_back(sp, status);
        ++w;
      }
      if (deps_.metrics) deps_.metrics->Update(status);
      statuses_[name] = std::move(status);
    }
  }
  for (auto& [watch, status] : pushes) watch->Push(status);
  size_t stacks = 0;
  for (const PoolEndpoints& p : pools) stacks += p.swarm_stacks_size();
  return requests.size() + rpcs.size() + wallets.size() + stacks;
}

v1::ProbeResult Monitor::Probe(const v1::ProbeSpec& spec) {
  v1::ProbeResult result;
  *result.mutable_spec() = spec;
  result.set_probed_at(absl::FormatTime(
      "%Y-%m-%dT%H:%M:%E3SZ", deps_.clock->Now(), absl::UTCTimeZone()));
  HttpProbeRequest r;
  r.url = spec.target();
  r.tcp_connect_only = spec.prober() == v1::ProbeSpec::PROBER_TCP;
  r.timeout =
      spec.timeout_ms() != 0
          ? std::min(absl::Milliseconds(spec.timeout_ms()), absl::Seconds(60))
          : options_.probe_timeout;
  r.max_body_bytes = options_.max_body_bytes;
  r.debug = true;
  HttpProbeResponse resp = std::move(deps_.http->Run({r})[0]);
  result.set_probe_duration_seconds(absl::ToDoubleSeconds(resp.duration));
  result.set_probe_http_status_code(static_cast<uint32_t>(resp.status_code));
  result.set_content_type(resp.content_type);
  result.set_body_bytes(resp.body_bytes);
  result.set_debug_log(resp.debug_log);
  if (resp.cert_not_after) {
    result.set_probe_ssl_earliest_cert_expiry(
        absl::ToUnixSeconds(*resp.cert_not_after));
  }
  auto fail = [&](std::string why) {
    result.set_probe_success(false);
    result.set_probe_failed_due_to(std::move(why));
    return result;
  };
  if (!resp.failed_due_to.empty()) return fail(resp.failed_due_to);
  if (r.tcp_connect_only) {
    result.set_probe_success(true);
    return result;
  }
  bool valid_code = spec.valid_status_codes().empty()
                        ? resp.status_code >= 200 && resp.status_code < 300
                        : false;
  for (uint32_t code : spec.valid_status_codes()) {
    valid_code |= static_cast<int>(code) == resp.status_code;
  }
  if (!valid_code) return fail("status");
  if (!spec.valid_content_type().empty() &&
      !absl::StartsWithIgnoreCase(resp.content_type,
                                  spec.valid_content_type())) {
    return fail("content type");
  }
  if (!spec.fail_if_body_not_matches_regexp().empty()) {
    RE2 re(spec.fail_if_body_not_matches_regexp(), RE2::Quiet);
    if (!re.ok()) return fail(absl::StrCat("bad regexp: ", re.error()));
    if (!RE2::PartialMatch(resp.body, re)) return fail("regexp");
  }
  if (!spec.json_fields().empty()) {
    std::vector<std::string> fields(spec.json_fields().begin(),
                                    spec.json_fields().end());
    absl::StatusOr<std::map<std::string, std::string>> values =
        iexec::JsonFieldValues(resp.body, fields);
    if (!values.ok()) {
      absl::StrAppend(result.mutable_debug_log(), "! ",
                      values.status().message(), "\n");
      return fail("json");
    }
    for (auto& [k, v] : *values) (*result.mutable_values())[k] = v;
  }
  result.set_probe_success(true);
  return result;
}

void Monitor::Start() {
  absl::MutexLock lock(&mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  loop_ = std::thread([this] { Loop(); });
  if (deps_.history != nullptr)
    history_loop_ = std::thread([this] { HistoryLoop(); });
}

void Monitor::Stop() {
  std::vector<std::shared_ptr<StatusWatch>> closing;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [name, w] : watches_) {
      if (auto sp = w.lock()) closing.push_back(sp);
    }
  }
  for (auto& w : closing) w->Close();
  if (loop_.joinable()) loop_.join();
  if (history_loop_.joinable()) history_loop_.join();
}

void Monitor::Loop() {
  while (true) {
    absl::Time start = absl::Now();
    RunRound();
    absl::MutexLock lock(&mu_);
    auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || wake_;
    };
    mu_.AwaitWithDeadline(absl::Condition(&wake), start + options_.interval);
    if (stopping_) return;
    wake_ = false;
  }
}

}  // namespace poolops::monitor
