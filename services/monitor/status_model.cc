#include "services/monitor/status_model.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/iexec/core_metrics.h"

namespace poolops::monitor {
namespace {

// The stack's answers are parsed by libs/iexec.
using iexec::AdapterChainConfig;
using iexec::CoreMetrics;
using iexec::GrafanaHealth;
using iexec::OrderbookSummary;
using iexec::ParseActuatorHealth;
using iexec::ParseAdapterChainConfig;
using iexec::ParseCoreMetrics;
using iexec::ParseGrafanaHealth;
using iexec::ParseOrderbook;
using v1::Component;
using v1::Health;
using v1::ProbeResult;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

Health Worst(Health a, Health b) { return std::max(a, b); }

// The verdict on one HTTP exchange of a JSON endpoint, before parsing: did
// it answer 2xx, in full, with a JSON (or unlabelled) body? Fills `probe`.
struct HttpVerdict {
  bool ok = false;
  std::string reason;  // for people, names the URL
};

HttpVerdict CheckHttp(const ProbeOutcome& o, ProbeResult* probe,
                      absl::Time at) {
  const HttpProbeResponse& r = o.response;
  probe->mutable_spec()->set_prober(v1::ProbeSpec::PROBER_HTTP);
  probe->mutable_spec()->set_target(o.url);
  probe->set_probe_duration_seconds(absl::ToDoubleSeconds(r.duration));
  probe->set_probe_http_status_code(static_cast<uint32_t>(r.status_code));
  probe->set_content_type(r.content_type);
  probe->set_body_bytes(r.body_bytes);
  probe->set_probed_at(Rfc3339(at));
  if (r.cert_not_after) {
    probe->set_probe_ssl_earliest_cert_expiry(
        absl::ToUnixSeconds(*r.cert_not_after));
  }
  HttpVerdict v;
  if (!r.failed_due_to.empty()) {
    probe->set_probe_failed_due_to(r.failed_due_to);
    v.reason =
        r.failed_due_to == "body too large"
            ? absl::StrCat(o.url, " answered a body over ", r.body_bytes,
                           " bytes (read no further)")
            : absl::StrCat("no answer from ", o.url, ": ", r.failed_due_to);
    return v;
  }
  if (r.status_code < 200 || r.status_code > 299) {
    probe->set_probe_failed_due_to("status");
    v.reason = absl::StrCat(o.url, " answered HTTP ", r.status_code);
    return v;
  }
  if (!r.content_type.empty() &&
      !absl::StrContains(absl::AsciiStrToLower(r.content_type), "json")) {
    probe->set_probe_failed_due_to("content type");
    v.reason = absl::StrCat(o.url, " answered ", r.content_type.substr(0, 60),
                            ", not JSON");
    return v;
  }
  probe->set_probe_success(true);
  v.ok = true;
  return v;
}

// The body did not parse: the probe fails after all.
void ParseFailed(ProbeResult* probe) {
  probe->set_probe_success(false);
  probe->set_probe_failed_due_to("json");
}

Component* Add(v1::PoolStatus* status, std::string name, Health health,
               std::string detail, absl::Time at, bool known = true) {
  Component* c = status->add_components();
  c->set_name(std::move(name));
  c->set_status(health);
  c->set_detail(std::move(detail));
  c->set_checked_at(Rfc3339(at));
  c->set_known(known);
  return c;
}

std::string StripZeros(std::string_view s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return std::string(s.substr(i));
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return absl::StrCat(n, " ", std::string(n == 1 ? one : many));
}

}  // namespace

std::string HealthName(Health health) {
  switch (health) {
    case v1::HEALTH_OK:
      return "ok";
    case v1::HEALTH_DEGRADED:
      return "degraded";
    case v1::HEALTH_DOWN:
      return "down";
    default:
      return "unknown";
  }
}

std::string Ago(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  if (d < absl::Minutes(2)) return absl::StrCat(absl::ToInt64Seconds(d), " s");
  if (d < absl::Hours(2)) return absl::StrCat(absl::ToInt64Minutes(d), " min");
  return absl::StrCat(absl::ToInt64Hours(d), " h");
}

int CompareDecimal(std::string_view a, std::string_view b) {
  std::string x = StripZeros(a), y = StripZeros(b);
  if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

v1::PoolStatus EvaluatePool(const v1::PoolTargets& t,
                            const PoolObservations& obs, PoolMemory* memory) {
  const absl::Time now = obs.probed_at;
  ++memory->rounds;
  v1::PoolStatus status;
  status.set_pool(t.pool());
  status.set_updated_at(Rfc3339(now));
  status.set_round(memory->rounds);

  // --- core /metrics
  std::optional<CoreMetrics> core;
  if (obs.core_metrics) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.core_metrics, &probe, now);
    Component* c = nullptr;
    if (!v.ok) {
      c = Add(&status, "core", v1::HEALTH_DOWN,
              absl::StrCat("core not serving its metrics: ", v.reason), now);
    } else if (absl::StatusOr<CoreMetrics> m =
                   ParseCoreMetrics(obs.core_metrics->response.body);
               !m.ok()) {
      ParseFailed(&probe);
      c = Add(&status, "core", v1::HEALTH_DOWN,
              absl::StrCat(obs.core_metrics->url,
                           " is not an iexec-core "
                           "/metrics: ",
                           m.status().message()),
              now);
    } else {
      core = *m;
      c = Add(&status, "core", v1::HEALTH_OK,
              absl::StrCat(
                  "core (", m->generation, " metrics) answers: ",
                  Plural(m->alive_workers, "alive worker", "alive workers"),
                  ", ", m->cpu_total, " CPUs (", m->cpu_available,
                  " available), ", m->gpu_total, " GPUs"),
              now);
      auto& values = *c->mutable_values();
      values["aliveWorkers"] = absl::StrCat(m->alive_workers);
      values["aliveTotalCpu"] = absl::StrCat(m->cpu_total);
      values["aliveAvailableCpu"] = absl::StrCat(m->cpu_available);
      values["aliveTotalGpu"] = absl::StrCat(m->gpu_total);
      values["aliveAvailableGpu"] = absl::StrCat(m->gpu_available);
      values["metricsGeneration"] = m->generation;
      if (m->completed_tasks) {
        values["completedTasks"] = absl::StrCat(*m->completed_tasks);
      }
      if (m->latest_block) {
        values["latestBlock"] = absl::StrCat(*m->latest_block);
      }
      if (m->latest_block_with_deal) {
        values["latestBlockNumberWithDeal"] =
            absl::StrCat(*m->latest_block_with_deal);
      }
    }
    *c->add_probes() = std::move(probe);
  }

  // --- core actuator health
  if (obs.core_health) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.core_health, &probe, now);
    Component* c = nullptr;
    int code = obs.core_health->response.status_code;
    if (!v.ok && code == 404 && core) {
      // Cores 7.0-7.2 serve the actuator on their unpublished management
      // port: /metrics answering is all the health they show.
      c = Add(&status, "core/health", v1::HEALTH_OK,
              absl::StrCat("no actuator at ", obs.core_health->url,
                           " (404; cores 7.0-7.2 serve it on the unpublished "
                           "port 13001): /metrics answers, so the core is up "
                           "(--core-health none stops this probe)"),
              now, /*known=*/false);
    } else if (!v.ok && code == 503) {
      // Spring answers 503 with {"status":"DOWN"|"OUT_OF_SERVICE"}.
      absl::StatusOr<std::string> s =
          ParseActuatorHealth(obs.core_health->response.body);
      c = Add(&status, "core/health", v1::HEALTH_DOWN,
              absl::StrCat("core reports ", s.ok() ? *s : std::string("503"),
                           " at ", obs.core_health->url,
                           s.ok() && *s == "OUT_OF_SERVICE"
                               ? " (it lost its chain connection and hands "
                                 "out no task)"
                               : ""),
              now);
    } else if (!v.ok) {
      c = Add(&status, "core/health", v1::HEALTH_DOWN, v.reason, now);
    } else if (absl::StatusOr<std::string> s =
                   ParseActuatorHealth(obs.core_health->response.body);
               !s.ok()) {
      ParseFailed(&probe);
      c = Add(&status, "core/health", v1::HEALTH_DOWN,
              absl::StrCat(obs.core_health->url, ": ", s.status().message()),
              now);
    } else if (*s == "UP") {
      c = Add(&status, "core/health", v1::HEALTH_OK, "core health UP", now);
    } else {
      probe.set_probe_success(false);
      probe.set_probe_failed_due_to("health");
      c = Add(&status, "core/health",
              *s == "DOWN" ? v1::HEALTH_DOWN : v1::HEALTH_DEGRADED,
              absl::StrCat("core health ", *s), now);
    }
    (*c->mutable_values())["healthStatus"] =
        code == 200 || code == 503
            ? ParseActuatorHealth(obs.core_health->response.body).value_or("")
            : "";
    *c->add_probes() = std::move(probe);
  }

  // --- workers: each with a health URL, then the count
  std::vector<std::string> not_answering;
  int answering = 0;
  for (const v1::WorkerTarget& w : t.workers()) {
    auto it = obs.worker_health.find(w.name());
    if (it == obs.worker_health.end()) continue;
    ProbeResult probe;
    HttpVerdict v = CheckHttp(it->second, &probe, now);
    std::string name = absl::StrCat("worker/", w.name());
    Component* c = nullptr;
    if (v.ok) {
      ++answering;
      memory->worker_last_seen[w.name()] = now;
      memory->worker_down_since.erase(w.name());
      c = Add(&status, name, v1::HEALTH_OK,
              absl::StrCat(w.name(), " answers at ", it->second.url), now);
    } else {
      auto since = memory->worker_down_since.emplace(w.name(), now).first;
      auto seen = memory->worker_last_seen.find(w.name());
      std::string when =
          seen == memory->worker_last_seen.end()
              ? std::string("never seen answering")
              : absl::StrCat("last seen ", Ago(now - seen->second), " ago");
      std::string line = absl::StrCat(w.name(), " not answering (", when, "): ",
                                      it->second.response.failed_due_to.empty()
                                          ? v.reason
                                          : it->second.response.failed_due_to);
      not_answering.push_back(line);
      c = Add(&status, name, v1::HEALTH_DEGRADED,
              absl::StrCat(line, "; probed ", it->second.url), now);
      (*c->mutable_values())["downSince"] = Rfc3339(since->second);
    }
    *c->add_probes() = std::move(probe);
  }
  uint32_t expected = t.expected_workers() != 0
                          ? t.expected_workers()
                          : static_cast<uint32_t>(t.workers_size());
  if (core) {
    int64_t alive = core->alive_workers;
    std::string which =
        not_answering.empty()
            ? std::string()
            : absl::StrCat(": ", absl::StrJoin(not_answering, "; "));
    Component* c = nullptr;
    if (alive == 0 && (expected > 0 || t.workers_size() == 0)) {
      c = Add(&status, "workers", v1::HEALTH_DOWN,
              absl::StrCat("0", expected ? absl::StrCat(" of ", expected) : "",
                           " workers alive: no worker pinged the core in the "
                           "last minute",
                           which),
              now);
    } else if (expected == 0 || alive >= expected) {
      if (!not_answering.empty()) {
        c = Add(
            &status, "workers", v1::HEALTH_DEGRADED,
            absl::StrCat(alive, expected ? absl::StrCat(" of ", expected) : "",
                         " workers alive by the core's count (a worker "
                         "counts for 1 min after its last ping), but ",
                         absl::StrJoin(not_answering, "; ")),
            now);
      } else {
        c = Add(&status, "workers", v1::HEALTH_OK,
                expected == 0 ? Plural(alive, "worker alive", "workers alive")
                : alive > expected
                    ? absl::StrCat(alive, " workers alive (", expected,
                                   " expected)")
                    : absl::StrCat(alive, " of ", expected, " workers alive"),
                now);
      }
    } else {
      c = Add(&status, "workers", v1::HEALTH_DEGRADED,
              absl::StrCat(alive, " of ", expected, " workers alive",
                           which.empty()
                               ? std::string(" (the core counts them; it does "
                                             "not say which are missing)")
                               : which),
              now);
    }
    (*c->mutable_values())["aliveWorkers"] = absl::StrCat(alive);
    (*c->mutable_values())["expectedWorkers"] = absl::StrCat(expected);
    if (!obs.worker_health.empty()) {
      (*c->mutable_values())["answeringWorkers"] = absl::StrCat(answering);
    }
  } else if (obs.core_metrics) {
    Add(&status, "workers", v1::HEALTH_DEGRADED,
        absl::StrCat("unknown: the core's /metrics is unavailable (", expected,
                     " expected)"),
        now, /*known=*/false);
  }

  // --- blockchain adapter
  if (obs.adapter) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.adapter, &probe, now);
    Component* c = nullptr;
    bool config_path = absl::EndsWith(obs.adapter->url, "/config/chain");
    if (!v.ok) {
      c = Add(&status, "blockchain-adapter", v1::HEALTH_DOWN, v.reason, now);
    } else if (config_path) {
      absl::StatusOr<AdapterChainConfig> cc =
          ParseAdapterChainConfig(obs.adapter->response.body);
      if (!cc.ok()) {
        ParseFailed(&probe);
        c = Add(&status, "blockchain-adapter", v1::HEALTH_DOWN,
                absl::StrCat(obs.adapter->url, ": ", cc.status().message()),
                now);
      } else if (!obs.chain_id.empty() &&
                 absl::StrCat(cc->chain_id) != obs.chain_id) {
        c = Add(&status, "blockchain-adapter", v1::HEALTH_DEGRADED,
                absl::StrCat("adapter serves chain ", cc->chain_id,
                             " but the pool's chain is ", obs.chain_id,
                             ": workers would get the wrong chain"),
                now);
      } else {
        c = Add(&status, "blockchain-adapter", v1::HEALTH_OK,
                absl::StrCat("adapter answers for chain ", cc->chain_id,
                             cc->sidechain ? " (sidechain)" : "", ", hub ",
                             cc->hub.substr(0, 42)),
                now);
      }
      if (cc.ok()) {
        (*c->mutable_values())["chainId"] = absl::StrCat(cc->chain_id);
        (*c->mutable_values())["hub"] = cc->hub.substr(0, 42);
      }
    } else {
      absl::StatusOr<std::string> s =
          ParseActuatorHealth(obs.adapter->response.body);
      if (!s.ok()) {
        ParseFailed(&probe);
        c = Add(&status, "blockchain-adapter", v1::HEALTH_DOWN,
                absl::StrCat(obs.adapter->url, ": ", s.status().message()),
                now);
      } else {
        c = Add(&status, "blockchain-adapter",
                *s == "UP" ? v1::HEALTH_OK : v1::HEALTH_DOWN,
                absl::StrCat("adapter health ", *s), now);
      }
    }
    *c->add_probes() = std::move(probe);
  }

  // --- grafana (dashboards only: never takes the pool down)
  if (obs.grafana) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.grafana, &probe, now);
    Component* c = nullptr;
    if (!v.ok) {
      c = Add(&status, "grafana", v1::HEALTH_DEGRADED, v.reason, now);
    } else if (absl::StatusOr<GrafanaHealth> g =
                   ParseGrafanaHealth(obs.grafana->response.body);
               !g.ok()) {
      ParseFailed(&probe);
      c = Add(&status, "grafana", v1::HEALTH_DEGRADED,
              absl::StrCat(obs.grafana->url, ": ", g.status().message()), now);
    } else if (g->database != "ok") {
      c = Add(&status, "grafana", v1::HEALTH_DEGRADED,
              absl::StrCat("grafana database ", g->database), now);
    } else {
      c = Add(&status, "grafana", v1::HEALTH_OK,
              absl::StrCat("grafana ", g->version, " answers, database ok"),
              now);
    }
    *c->add_probes() = std::move(probe);
  }

  // --- market: the pool's open workerpool orders
  std::optional<OrderbookSummary> book;
  if (obs.market) {
    ProbeResult probe;
    HttpVerdict v = CheckHttp(*obs.market, &probe, now);
    Component* c = nullptr;
    if (!v.ok) {
      c = Add(&status, "market", v1::HEALTH_DEGRADED,
              absl::StrCat("orderbook unknown: ", v.reason), now,
              /*known=*/false);
    } else if (absl::StatusOr<OrderbookSummary> s =
                   ParseOrderbook(obs.market->response.body);
               !s.ok()) {
      ParseFailed(&probe);
      c = Add(&status, "market", v1::HEALTH_DEGRADED,
              absl::StrCat("orderbook unknown: ", s.status().message()), now,
              /*known=*/false);
    } else {
      book = *s;
      std::string more =
          s->more_pages ? std::string(" (volume of the first page)") : "";
      if (s->count == 0) {
        c = Add(&status, "market", v1::HEALTH_DEGRADED,
                "no open workerpool order on the market: the pool takes no "
                "deals (is the publisher running, are CPUs available?)",
                now);
      } else {
        c = Add(&status, "market", v1::HEALTH_OK,
                absl::StrCat(Plural(s->count, "open order", "open orders"),
                             ", open volume ", s->open_volume, more),
                now);
      }
      auto& values = *c->mutable_values();
      values["openOrders"] = absl::StrCat(s->count);
      values["openVolume"] = absl::StrCat(s->open_volume);
      values["requiredStake"] = absl::StrCat(s->required_stake);
    }
    *c->add_probes() = std::move(probe);
  } else if (!obs.market_unknown.empty()) {
    Add(&status, "market", v1::HEALTH_DEGRADED,
        absl::StrCat("orderbook unknown: ", obs.market_unknown), now,
        /*known=*/false);
  }

  // --- chain head and the core's lag behind it
  if (obs.head) {
    ProbeResult probe;
    probe.mutable_spec()->set_prober(v1::ProbeSpec::PROBER_HTTP);
    probe.mutable_spec()->set_target(obs.rpc);
    probe.set_probed_at(Rfc3339(now));
    probe.set_probe_duration_seconds(absl::ToDoubleSeconds(obs.head_duration));
    Component* c = nullptr;
    if (!obs.head->ok()) {
      probe.set_probe_failed_due_to(
          absl::IsDeadlineExceeded(obs.head->status()) ? "timeout" : "rpc");
      c = Add(&status, "chain", v1::HEALTH_DOWN,
              absl::StrCat("chain node not answering: ",
                           obs.head->status().message()),
              now);
    } else {
      probe.set_probe_success(true);
      uint64_t head = **obs.head;
      uint32_t max_lag = t.max_head_lag_blocks() ? t.max_head_lag_blocks()
                                                 : kDefaultMaxHeadLagBlocks;
      std::string lag_text;
      Health h = v1::HEALTH_OK;
      if (core && core->latest_block) {
        uint64_t lag =
            head > *core->latest_block ? head - *core->latest_block : 0;
        lag_text = absl::StrCat("; the core is ", lag, " blocks behind");
        if (lag > max_lag) {
          h = v1::HEALTH_DEGRADED;
          absl::StrAppend(&lag_text, " (more than ", max_lag,
                          ": it may miss new deals)");
        }
        (*probe.mutable_values())["headLag"] = absl::StrCat(lag);
      } else if (core) {
        lag_text = absl::StrCat("; the core's own block is not known (core ",
                                core->generation,
                                " /metrics do not carry it; 9.x do)");
      }
      c = Add(&status, "chain", h, absl::StrCat("head block ", head, lag_text),
              now);
      (*c->mutable_values())["headBlock"] = absl::StrCat(head);
      if (auto lag = probe.values().find("headLag");
          lag != probe.values().end()) {
        (*c->mutable_values())["headLag"] = lag->second;
      }
    }
    *c->add_probes() = std::move(probe);
  } else if (!obs.chain_unknown.empty()) {
    Add(&status, "chain", v1::HEALTH_DEGRADED,
        absl::StrCat("chain unknown: ", obs.chain_unknown), now,
        /*known=*/false);
  }

  // --- wallets: balances and stake against what the pool needs
  for (const v1::WalletTarget& w : t.wallets()) {
    std::string name = absl::StrCat("wallet/", w.name());
    auto it = obs.balances.find(w.name());
    if (it == obs.balances.end()) continue;
    if (!it->second.ok()) {
      const absl::Status& s = it->second.status();
      std::string why =
          absl::IsUnimplemented(s)
              ? "chain-gateway does not serve balances yet (UNIMPLEMENTED)"
          : absl::IsUnavailable(s)
              ? absl::StrCat("chain-gateway unavailable: ", s.message())
              : std::string(s.message());
      Component* unknown =
          Add(&status, name, v1::HEALTH_DEGRADED,
              absl::StrCat("balances unknown: ", why), now, /*known=*/false);
      (*unknown->mutable_values())["role"] = w.role();
      continue;
    }
    const Balances& b = *it->second;
    std::vector<std::string> problems;
    if (!w.min_stake().empty() && CompareDecimal(b.stake, w.min_stake()) < 0) {
      problems.push_back(absl::StrCat("stake ", b.stake, " nRLC is below the ",
                                      w.min_stake(), " nRLC floor"));
    }
    if (!w.min_native().empty() &&
        CompareDecimal(b.native, w.min_native()) < 0) {
      problems.push_back(absl::StrCat("native balance ", b.native,
                                      " wei is below the ", w.min_native(),
                                      " wei floor (gas)"));
    }
    std::string required;
    if (w.role() == "scheduler" && book) {
      required = absl::StrCat(book->required_stake);
      if (CompareDecimal(b.stake, required) < 0) {
        problems.push_back(absl::StrCat(
            "stake ", b.stake, " nRLC does not cover the ", required,
            " nRLC (30 % of the price) the open orders need: they cannot "
            "match"));
      }
    }
    Component* c = Add(
        &status, name, problems.empty() ? v1::HEALTH_OK : v1::HEALTH_DEGRADED,
        problems.empty()
            ? absl::StrCat(w.role(), " wallet ", b.address, ": stake ", b.stake,
                           " nRLC (", b.locked, " locked), ", b.rlc, " nRLC, ",
                           b.native, " wei",
                           required.empty()
                               ? ""
                               : absl::StrCat("; open orders need ", required,
                                              " nRLC staked"))
            : absl::StrJoin(problems, "; "),
        now);
    auto& values = *c->mutable_values();
    values["address"] = b.address;
    values["role"] = w.role();  // what /metrics labels by, not the name
    values["native"] = b.native;
    values["rlc"] = b.rlc;
    values["stake"] = b.stake;
    values["locked"] = b.locked;
    if (!required.empty()) values["requiredStake"] = required;
  }

  // HTTPS endpoints whose certificate is close to expiry.
  for (Component& c : *status.mutable_components()) {
    for (const ProbeResult& p : c.probes()) {
      if (p.probe_ssl_earliest_cert_expiry() == 0) continue;
      absl::Duration left =
          absl::FromUnixSeconds(p.probe_ssl_earliest_cert_expiry()) - now;
      if (left >= kCertExpiryWarning) continue;
      c.set_status(Worst(c.status(), v1::HEALTH_DEGRADED));
      absl::StrAppend(c.mutable_detail(), "; the TLS certificate of ",
                      p.spec().target(), " expires in ",
                      absl::ToInt64Hours(left) / 24, " days");
    }
  }

  // People read the summary before the details: workers, then each worker.
  auto rank = [](const Component* c) {
    const std::string& n = c->name();
    if (n == "core") return 0;
    if (n == "core/health") return 1;
    if (n == "workers") return 2;
    if (absl::StartsWith(n, "worker/")) return 3;
    return 4;  // the rest keep the order they were added in
  };
  std::stable_sort(status.mutable_components()->pointer_begin(),
                   status.mutable_components()->pointer_end(),
                   [&](const Component* a, const Component* b) {
                     return rank(a) < rank(b);
                   });

  Health overall = v1::HEALTH_OK;
  for (const Component& c : status.components()) {
    overall = Worst(overall, c.status());
  }
  status.set_overall(overall);
  return status;
}

}  // namespace poolops::monitor
