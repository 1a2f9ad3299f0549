// poolctl status [POOL] and poolctl monitor ...: the monitor's view of the
// pools (CLI.md), and the targets it probes.
//
//   status [POOL]                     {"pool","overall","components":[...]}
//   monitor watch POOL [--every-round] [--count N]
//                                     a line (JSON line with --json) per change
//   monitor add-pool POOL --core URL [--worker NAME[=HEALTH_URL]]...
//       [--grafana URL] [--adapter URL] [--config-server URL]
//       [--chain NAME] [--rpc URL]
//       [--market URL] [--chain-id N] [--workerpool ADDR]
//       [--wallet NAME[:ROLE[:MIN_STAKE]]]... | --from-file FILE
//   monitor remove-pool POOL / monitor pools
//   monitor probe TARGET [--tcp|--grpc] [--field F]... (with its debug log)
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/rpc_call.h"
#include "libs/common/bounded_json.h"
#include "libs/common/files.h"
#include "libs/common/status_grpc.h"
#include "libs/common/terminal_text.h"
#include "poolops/monitor/v1/monitor.grpc.pb.h"
#include "proto/poolops/monitor/v1/health_name.h"

namespace poolops::cli {
namespace {

namespace mv1 = ::poolops::monitor::v1;
using json = nlohmann::json;

using MonitorStub = mv1::Monitor::Stub;
using mv1::HealthName;
constexpr std::chrono::seconds kMonitorTimeout{30};

// Any proto message in its JSON mapping (camelCase, defaults printed).
json ProtoJson(const google::protobuf::Message& m) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(m, &text, options);
  absl::StatusOr<json> j = ParseBoundedJson(text, "");
  return j.ok() ? *j : json::object();
}

json StatusJson(const mv1::PoolStatus& s) {
  json components = json::array();
  for (const mv1::Component& c : s.components()) {
    json values = json::object();
    for (const auto& [k, v] : c.values()) values[k] = v;
    components.push_back({{"name", c.name()},
                          {"status", HealthName(c.status())},
                          {"detail", c.detail()},
                          {"known", c.known()},
                          {"checkedAt", c.checked_at()},
                          {"values", values}});
  }
  return {{"pool", s.pool()},
          {"overall", HealthName(s.overall())},
          {"components", components},
          {"updatedAt", s.updated_at()},
          {"round", s.round()}};
}

std::string StatusHuman(const mv1::PoolStatus& s) {
  std::string out =
      absl::StrCat("pool ", s.pool(), ": ", HealthName(s.overall()),
                   " (probed ", s.updated_at(), ")\n");
  for (const mv1::Component& c : s.components()) {
    std::string state = HealthName(c.status());
    std::string name = c.name();
    absl::StrAppend(&out, "  ", state,
                    std::string(state.size() < 10 ? 10 - state.size() : 1, ' '),
                    name,
                    std::string(name.size() < 20 ? 20 - name.size() : 1, ' '),
                    c.detail(), "\n");
    // A swarm stack: where each of its services runs, and in what state.
    if (absl::StartsWith(name, "swarm/")) {
      for (const auto& [service, where] : std::map<std::string, std::string>(
               c.values().begin(), c.values().end())) {
        if (service == "role") continue;
        absl::StrAppend(&out, std::string(12, ' '), service, ": ", where, "\n");
      }
    }
  }
  return out;
}

// One line per change for `monitor watch`: the overall state and what is
// not ok.
std::string WatchLine(const mv1::PoolStatus& s) {
  std::string line =
      absl::StrCat(s.updated_at(), " ", s.pool(), " ", HealthName(s.overall()));
  for (const mv1::Component& c : s.components()) {
    if (c.status() == mv1::HEALTH_OK) continue;
    absl::StrAppend(&line, " | ", c.name(), " ", HealthName(c.status()), ": ",
                    c.detail());
  }
  return line;
}

void AddStatus(CLI::App& app, Context& ctx, int* exit_code) {
  auto pool = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "status", "The status of a pool (ok / degraded / down, with reasons)");
  cmd->add_option("POOL", *pool, "Pool name (optional with one pool)");
  // main.cc passes `status NAME` here when NAME is also a command's name.
  cmd->add_option("--pool", *pool, "Pool name (as POOL)")->group("");
  cmd->callback([&ctx, exit_code, pool] {
    mv1::GetStatusRequest req;
    req.set_pool(*pool);
    *exit_code =
        Reply(ctx,
              CallOnce<mv1::Monitor>(ctx, POOLOPS_RPC(mv1::Monitor, GetStatus),
                                     req, kMonitorTimeout),
              [&](const mv1::PoolStatus& status) {
                return ctx.Ok(StatusJson(status), StatusHuman(status));
              });
  });
}

void AddWatch(CLI::App* monitor, Context& ctx, int* exit_code) {
  struct Opts {
    std::string pool;
    bool every_round = false;
    int count = 0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = monitor->add_subcommand(
      "watch", "A line per status change of POOL (a JSON line with --json)");
  cmd->add_option("POOL", o->pool, "Pool name")->required();
  cmd->add_flag("--every-round", o->every_round,
                "A line after every round of probes, not only on changes");
  cmd->add_option("--count", o->count, "Stop after N lines (0: never)");
  cmd->callback([&ctx, exit_code, o] {
    *exit_code = WithStub<mv1::Monitor>(ctx, [&](MonitorStub& stub) {
      mv1::WatchRequest req;
      req.set_pool(o->pool);
      req.set_every_round(o->every_round);
      grpc::ClientContext context;
      std::unique_ptr<grpc::ClientReader<mv1::PoolStatus>> reader =
          stub.Watch(&context, req);
      mv1::PoolStatus status;
      int lines = 0;
      while (reader->Read(&status)) {
        if (ctx.json) {
          PrintJson(std::cout, StatusJson(status));
        } else {
          // One line per change, whatever the probed services answered.
          PrintText(std::cout, SanitizeForTerminal(WatchLine(status)));
        }
        ++lines;
        if (o->count > 0 && lines >= o->count) {
          context.TryCancel();
          while (reader->Read(&status)) {
          }
          (void)reader->Finish();
          return 0;
        }
      }
      grpc::Status s = reader->Finish();
      if (s.ok()) return 0;
      // Lines already went to stdout: the error goes on stderr only.
      if (lines == 0) return ctx.Fail(FromGrpc(s));
      PrintText(std::cerr, "error: " + s.error_message());
      return ExitCodeFor(FromGrpc(s));
    });
  });
}

// "NAME" or "NAME=URL".
mv1::WorkerTarget WorkerFlag(const std::string& text) {
  mv1::WorkerTarget w;
  size_t eq = text.find('=');
  w.set_name(text.substr(0, eq));
  if (eq != std::string::npos) w.set_health_url(text.substr(eq + 1));
  return w;
}

// "NAME", "NAME:ROLE" or "NAME:ROLE:MIN_STAKE".
mv1::WalletTarget WalletFlag(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  mv1::WalletTarget w;
  w.set_name(parts[0]);
  if (parts.size() > 1) w.set_role(parts[1]);
  if (parts.size() > 2) w.set_min_stake(parts[2]);
  return w;
}

void AddAddPool(CLI::App* monitor, Context& ctx, int* exit_code) {
  struct Opts {
    std::string pool, from_file, core, core_health, grafana, adapter,
        adapter_path, config_server, rpc, market, chain_id, workerpool;
    std::vector<std::string> workers, wallets;
    uint32_t expected_workers = 0, max_head_lag = 0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = monitor->add_subcommand(
      "add-pool",
      "Monitor a pool (or replace its targets); kept in "
      "<home>/monitor/targets.json");
  cmd->add_option("POOL", o->pool, "Pool name (or the file's \"pool\")");
  cmd->add_option(
      "--from-file", o->from_file,
      "JSON targets: {\"pool\",\"core\",\"coreHealth\","
      "\"workers\":[{\"name\",\"healthUrl\"}],\"expectedWorkers\","
      "\"grafana\",\"adapter\",\"adapterPath\",\"configServer\","
      "\"chain\",\"rpc\","
      "\"market\",\"chainId\",\"workerpool\",\"wallets\":[{\"name\","
      "\"role\",\"minStake\",\"minNative\"}],\"maxHeadLagBlocks\"}");
  cmd->add_option("--core", o->core,
                  "Core base URL (GET /metrics), e.g. "
                  "http://host:7001");
  cmd->add_option("--core-health", o->core_health,
                  "Core health URL (default <core>/actuator/health; none: "
                  "not probed, cores 7.0-7.2)");
  cmd->add_option("--worker", o->workers,
                  "A worker: NAME or NAME=HEALTH_URL (repeat)");
  cmd->add_option("--expected-workers", o->expected_workers,
                  "Workers the pool should have (default: the --worker "
                  "count)");
  cmd->add_option("--grafana", o->grafana, "Grafana base URL (/api/health)");
  cmd->add_option("--adapter", o->adapter, "Blockchain adapter base URL");
  cmd->add_option("--adapter-path", o->adapter_path,
                  "/config/chain (<= 8.x, default) or /actuator/health (9.x)");
  cmd->add_option("--config-server", o->config_server,
                  "Config server base URL of a 9.x pool (GET /config/chain: "
                  "the chain its core and workers read), e.g. "
                  "http://host:8888");
  cmd->add_option("--rpc", o->rpc,
                  "Chain JSON-RPC URL (default: the --chain's, from "
                  "chain-gateway)");
  cmd->add_option("--market", o->market,
                  "Market API URL (default: the --chain's)");
  cmd->add_option("--chain-id", o->chain_id,
                  "Chain id (default: the --chain's)");
  cmd->add_option("--workerpool", o->workerpool,
                  "Workerpool address (its orderbook on the market)");
  cmd->add_option("--wallet", o->wallets,
                  "A wallet: NAME[:scheduler|worker[:MIN_STAKE_NRLC]] "
                  "(repeat; balances through chain-gateway on --chain)");
  cmd->add_option("--max-head-lag", o->max_head_lag,
                  "Core blocks behind the head before degraded (default 20)");
  cmd->footer(
      "The global --chain NAME names the pool's chain as chain-gateway knows "
      "it.\nExample: poolctl monitor add-pool mypool --core "
      "http://10.0.0.2:7001 --worker w1 --worker w2=http://10.0.0.3:13100/"
      "actuator/health --adapter http://10.0.0.2:13010 --grafana "
      "http://10.0.0.2:3000 --chain bellecour --workerpool 0x... --wallet "
      "core:scheduler");
  cmd->callback([&ctx, exit_code, o] {
    mv1::PoolTargets t;
    if (!o->from_file.empty()) {
      absl::StatusOr<std::string> text = files::ReadFile(o->from_file, 1 << 20);
      if (!text.ok()) {
        *exit_code = ctx.Fail(text.status());
        return;
      }
      auto s = google::protobuf::util::JsonStringToMessage(*text, &t);
      if (!s.ok()) {
        *exit_code = ctx.Fail(absl::InvalidArgumentError(
            absl::StrCat(o->from_file, ": ", std::string(s.message()))));
        return;
      }
    }
    if (!o->pool.empty()) t.set_pool(o->pool);
    auto set = [](const std::string& v, std::string* field) {
      if (!v.empty()) *field = v;
    };
    set(o->core, t.mutable_core());
    set(o->core_health, t.mutable_core_health());
    set(o->grafana, t.mutable_grafana());
    set(o->adapter, t.mutable_adapter());
    set(o->adapter_path, t.mutable_adapter_path());
    set(o->config_server, t.mutable_config_server());
    set(ctx.chain, t.mutable_chain());
    set(o->rpc, t.mutable_rpc());
    set(o->market, t.mutable_market());
    set(o->chain_id, t.mutable_chain_id());
    set(o->workerpool, t.mutable_workerpool());
    for (const std::string& w : o->workers) *t.add_workers() = WorkerFlag(w);
    for (const std::string& w : o->wallets) *t.add_wallets() = WalletFlag(w);
    if (o->expected_workers) t.set_expected_workers(o->expected_workers);
    if (o->max_head_lag) t.set_max_head_lag_blocks(o->max_head_lag);
    if (t.source().empty())
      t.set_source(o->from_file.empty() ? "manual" : "file");
    if (t.pool().empty()) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "POOL is required (or \"pool\" in --from-file)"));
      return;
    }
    *exit_code = WithLink<mv1::Monitor>(ctx, [&](ServiceLink& link) {
      absl::StatusOr<mv1::PoolTargets> stored =
          Unary(link, POOLOPS_RPC(mv1::Monitor, SetPoolTargets), t,
                std::chrono::seconds(60));
      if (!stored.ok()) return ctx.Fail(stored.status());
      mv1::GetStatusRequest req;
      req.set_pool(stored->pool());
      // The first round may not have run yet: the status is a bonus.
      absl::StatusOr<mv1::PoolStatus> status = Unary(
          link, POOLOPS_RPC(mv1::Monitor, GetStatus), req, kMonitorTimeout);
      json out = {{"pool", stored->pool()}, {"targets", ProtoJson(*stored)}};
      std::string human =
          absl::StrCat("monitoring pool ", stored->pool(), "\n");
      if (status.ok()) {
        out["overall"] = HealthName(status->overall());
        absl::StrAppend(&human, StatusHuman(*status));
      }
      return ctx.Ok(out, human);
    });
  });
}

void AddRemoveAndList(CLI::App* monitor, Context& ctx, int* exit_code) {
  auto pool = std::make_shared<std::string>();
  CLI::App* remove =
      monitor->add_subcommand("remove-pool", "Stop monitoring a pool");
  remove->add_option("POOL", *pool, "Pool name")->required();
  remove->callback([&ctx, exit_code, pool] {
    mv1::RemovePoolRequest req;
    req.set_pool(*pool);
    *exit_code =
        Reply(ctx,
              CallOnce<mv1::Monitor>(ctx, POOLOPS_RPC(mv1::Monitor, RemovePool),
                                     req, kMonitorTimeout),
              [&](const mv1::RemovePoolResponse&) {
                return ctx.Ok(
                    {{"pool", *pool}, {"removed", true}},
                    absl::StrCat("pool ", *pool, " is no longer monitored"));
              });
  });

  CLI::App* list = monitor->add_subcommand("pools", "The monitored pools");
  list->callback([&ctx, exit_code] {
    absl::StatusOr<mv1::ListPoolsResponse> outcome =
        CallOnce<mv1::Monitor>(ctx, POOLOPS_RPC(mv1::Monitor, ListPools),
                               mv1::ListPoolsRequest(), kMonitorTimeout);
    *exit_code = Reply(ctx, outcome, [&](const mv1::ListPoolsResponse& resp) {
      json pools = json::array();
      std::string human;
      for (const mv1::PoolTargets& p : resp.pools()) {
        pools.push_back(ProtoJson(p));
        absl::StrAppend(&human, p.pool(), "  core ", p.core(), "  ",
                        p.workers_size(), " workers  (", p.source(), ")\n");
      }
      if (human.empty()) human = "no pool monitored (poolctl monitor add-pool)";
      return ctx.Ok({{"pools", pools}}, human);
    });
  });
}

void AddProbe(CLI::App* monitor, Context& ctx, int* exit_code) {
  struct Opts {
    std::string target, regexp, grpc_service, content_type;
    bool tcp = false, grpc = false, tls = false, suite_tls = false;
    std::vector<std::string> fields;
    std::vector<uint32_t> codes;
    uint32_t timeout_ms = 0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = monitor->add_subcommand(
      "probe", "Probe one target now and show the probe's debug log");
  cmd->add_option("TARGET", o->target, "URL (http), or HOST:PORT (tcp, grpc)")
      ->required();
  cmd->add_flag("--tcp", o->tcp, "TCP connect probe");
  cmd->add_flag("--grpc", o->grpc, "grpc.health.v1 probe");
  cmd->add_flag("--tls", o->tls, "gRPC over TLS (the system's roots)");
  cmd->add_flag("--suite-tls", o->suite_tls,
                "gRPC over the suite's mutual TLS (a poolops service on TCP)");
  cmd->add_option("--grpc-service", o->grpc_service, "Health service name");
  cmd->add_option("--field", o->fields, "JSON field to read (repeat)");
  cmd->add_option("--expect-status", o->codes, "Valid HTTP status (repeat)");
  cmd->add_option("--regexp", o->regexp, "The body must match (RE2)");
  cmd->add_option("--content-type", o->content_type,
                  "Expected Content-Type prefix");
  cmd->add_option("--timeout-ms", o->timeout_ms, "Probe timeout");
  cmd->callback([&ctx, exit_code, o] {
    mv1::ProbeRequest req;
    mv1::ProbeSpec* spec = req.mutable_spec();
    spec->set_prober(o->grpc  ? mv1::ProbeSpec::PROBER_GRPC
                     : o->tcp ? mv1::ProbeSpec::PROBER_TCP
                              : mv1::ProbeSpec::PROBER_HTTP);
    spec->set_target(o->target);
    spec->set_timeout_ms(o->timeout_ms);
    for (uint32_t c : o->codes) spec->add_valid_status_codes(c);
    spec->set_fail_if_body_not_matches_regexp(o->regexp);
    for (const std::string& f : o->fields) spec->add_json_fields(f);
    spec->set_grpc_service(o->grpc_service);
    spec->set_tls(o->tls);
    spec->set_suite_tls(o->suite_tls);
    spec->set_valid_content_type(o->content_type);
    absl::StatusOr<mv1::ProbeResult> outcome = CallOnce<mv1::Monitor>(
        ctx, POOLOPS_RPC(mv1::Monitor, Probe), req, std::chrono::seconds(90));
    *exit_code = Reply(ctx, outcome, [&](const mv1::ProbeResult& result) {
      std::string human = absl::StrCat(
          result.probe_success() ? "success" : "failure",
          result.probe_failed_due_to().empty()
              ? ""
              : absl::StrCat(" (", result.probe_failed_due_to(), ")"),
          result.probe_http_status_code()
              ? absl::StrCat(", HTTP ", result.probe_http_status_code())
              : "",
          ", ", static_cast<int64_t>(result.probe_duration_seconds() * 1000),
          " ms\n");
      for (const auto& [k, v] : result.values()) {
        absl::StrAppend(&human, "  ", k, " = ", v, "\n");
      }
      absl::StrAppend(&human, result.debug_log());
      return ctx.Ok(ProtoJson(result), human);
    });
  });
}

}  // namespace

void AddStatusCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddStatus(app, ctx, exit_code);
  AddGroup(app, "monitor", "The monitor: watch pools, manage what it probes",
           [&ctx, exit_code](CLI::App* monitor) {
             AddWatch(monitor, ctx, exit_code);
             AddAddPool(monitor, ctx, exit_code);
             AddRemoveAndList(monitor, ctx, exit_code);
             AddProbe(monitor, ctx, exit_code);
           });
}

}  // namespace poolops::cli
