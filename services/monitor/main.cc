// poolops-monitor: probes the pools' targets every interval and serves the
// monitor API (proto/poolops/monitor/v1) with the common bootstrap (health,
// reflection, unix socket or TLS), the pools' gauges on /metrics.
//
// Own flags (before the common ones are parsed): --interval (default 15s),
// --probe-timeout (default 5s, shorter than the interval), --max-body-bytes
// (default 1048576).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/common/home.h"
#include "libs/common/service_main.h"
#include "prometheus/registry.h"
#include "services/monitor/dashboard/dashboard_server.h"
#include "services/monitor/gateway_sources.h"
#include "services/monitor/monitor.h"
#include "services/monitor/monitor_service.h"
#include "spdlog/spdlog.h"

namespace {

struct MonitorFlags {
  std::string interval = "15s";
  std::string probe_timeout = "5s";
  std::string max_body_bytes = "1048576";
  std::string dashboard_listen = "127.0.0.1:0";
  bool dashboard_public = false;
};

// Takes the monitor's own flags out of argv (--flag VALUE or --flag=VALUE)
// so the common parser sees only its own.
std::vector<char*> TakeFlags(int argc, char** argv, MonitorFlags* flags,
                             bool* help) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool taken = false;
    for (auto [name, value] : {std::pair<std::string_view, std::string*>{
                                   "--interval", &flags->interval},
                               {"--probe-timeout", &flags->probe_timeout},
                               {"--max-body-bytes", &flags->max_body_bytes},
                               {"--dashboard-listen",
                                &flags->dashboard_listen}}) {
      if (arg == name && i + 1 < argc) {
        *value = argv[++i];
        taken = true;
      } else if (arg.size() > name.size() + 1 &&
                 arg.substr(0, name.size()) == name &&
                 arg[name.size()] == '=') {
        *value = std::string(arg.substr(name.size() + 1));
        taken = true;
      }
    }
    if (arg == "--dashboard-public") {
      flags->dashboard_public = true;
      taken = true;
    }
    if (arg == "--help" || arg == "-h") *help = true;
    if (!taken) rest.push_back(argv[i]);
  }
  rest.push_back(nullptr);
  return rest;
}

}  // namespace

int main(int argc, char** argv) {
  MonitorFlags flags;
  bool help = false;
  std::vector<char*> rest = TakeFlags(argc, argv, &flags, &help);
  if (help) {
    std::printf(
        "poolops-monitor: probes pools (core, workers, adapter, grafana, "
        "market, chain, wallets)\n"
        "Monitor flags:\n"
        "  --interval DURATION        time between rounds of probes (15s)\n"
        "  --probe-timeout DURATION   per probe, shorter than the interval "
        "(5s)\n"
        "  --max-body-bytes N         bodies are read up to N bytes "
        "(1048576)\n"
        "  --dashboard-listen HOST:PORT  the status page (127.0.0.1:0: any "
        "free port; empty: off)\n"
        "  --dashboard-public         allow a non-loopback --dashboard-listen\n"
        "Targets: <home>/monitor/targets.json (poolctl monitor add-pool).\n\n");
  }
  poolops::monitor::MonitorOptions options;
  uint64_t max_body = 0;
  if (!absl::ParseDuration(flags.interval, &options.interval) ||
      !absl::ParseDuration(flags.probe_timeout, &options.probe_timeout) ||
      !absl::SimpleAtoi(flags.max_body_bytes, &max_body) || max_body == 0) {
    std::fprintf(stderr,
                 "poolops-monitor: --interval/--probe-timeout want durations "
                 "(15s, 500ms), --max-body-bytes a positive number\n");
    return 2;
  }
  options.max_body_bytes = max_body;

  return poolops::ServiceMain(
      static_cast<int>(rest.size() - 1), rest.data(), "monitor",
      [&](const poolops::ServerOptions& server) -> absl::Status {
        using namespace poolops::monitor;
        absl::StatusOr<poolops::Home> home =
            poolops::Home::Open(poolops::Home::Resolve(server.home));
        if (!home.ok()) return home.status();
        EndpointsStore store(home->root() / "monitor" / "targets.json");
        std::unique_ptr<HttpProber> http = NewCurlHttpProber();
        std::unique_ptr<ChainHeadSource> heads = NewRpcChainHeadSource();
        std::unique_ptr<ChainResolver> chains =
            NewGatewayChainResolver(home->run_dir());
        std::unique_ptr<BalanceSource> balances =
            NewGatewayBalanceSource(home->run_dir());
        auto registry = std::make_shared<prometheus::Registry>();
        MonitorMetrics metrics(registry);
        MonitorDeps deps;
        deps.store = &store;
        deps.http = http.get();
        deps.heads = heads.get();
        deps.chains = chains.get();
        deps.balances = balances.get();
        deps.metrics = &metrics;
        DockerSwarmSource swarm(poolops::proc::ProcessRunner::Real());
        deps.swarm = &swarm;
        absl::StatusOr<std::unique_ptr<HistoryReader>> history =
            NewRpcHistoryReader(home->root() / "monitor" / "history.db");
        if (!history.ok()) return history.status();
        deps.history = history->get();
        absl::StatusOr<std::unique_ptr<Monitor>> monitor =
            Monitor::Create(options, deps);
        if (!monitor.ok()) return monitor.status();
        spdlog::info("monitor: {} pools from {}, every {}, probe timeout {}",
                     (*monitor)->ListPools().size(), store.file().string(),
                     absl::FormatDuration(options.interval),
                     absl::FormatDuration(options.probe_timeout));
        MonitorServiceImpl service(monitor->get(), home->root());
        std::unique_ptr<RevisionSource> revisions =
            NewOrchestratorRevisionSource(home->run_dir());
        std::unique_ptr<DashboardServer> dashboard;
        poolops::ServerOptions with_page = server;
        if (!flags.dashboard_listen.empty()) {
          DashboardOptions page;
          page.listen = flags.dashboard_listen;
          page.allow_public = flags.dashboard_public;
          absl::StatusOr<std::unique_ptr<DashboardServer>> started =
              DashboardServer::Start(monitor->get(), revisions.get(), page);
          if (!started.ok()) return started.status();
          dashboard = *std::move(started);
          with_page.dashboard_url = dashboard->url();
          spdlog::info("monitor: status page on {}", dashboard->url());
        }
        (*monitor)->Start();
        absl::Status s = poolops::RunServer(with_page, {&service}, registry);
        if (dashboard) dashboard->Stop();
        (*monitor)->Stop();
        return s;
      });
}
