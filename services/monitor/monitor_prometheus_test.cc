// A real Prometheus server (Debian's `prometheus`, started by the test on a
// free loopback port, stopped by its PID) scrapes the monitor's /metrics, as
// the service serves it (libs/common RunServer's exposer); the test reads
// the pool's gauges back through Prometheus' HTTP API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "libs/common/missing_tool_test_support.h"
#include "libs/common/server.h"
#include "nlohmann/json.hpp"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/integration_test_support.h"
#include "services/monitor/monitor.h"
#include "services/monitor/monitor_service.h"

namespace poolops::monitor {
namespace {

using namespace poolops::monitor::testing;

std::string FindPrometheus() {
  for (const char* p : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// The value of `query`'s first sample, or "" while Prometheus has none.
std::string Query(int port, const std::string& query) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(2, 0);
  httplib::Params params = {{"query", query}};
  auto res = client.Get("/api/v1/query", params, httplib::Headers());
  if (!res || res->status != 200) return "";
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded() || !j.contains("data")) return "";
  const auto& result = j["data"]["result"];
  if (!result.is_array() || result.empty()) return "";
  return result[0]["value"][1].get<std::string>();
}

TEST(MonitorPrometheusTest, PrometheusScrapesThePoolsGauges) {
  std::string prometheus = FindPrometheus();
  if (prometheus.empty()) {
    POOLOPS_MISSING_TOOL(
        "prometheus not installed (scripts/lib.sh installs it)");
  }
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "mon-prom";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "home");

  // A core with two workers (simulators).
  int core_port = FreePort();
  pid_t core =
      StartSim("core", {"IEXEC_CORE_PORT=" + std::to_string(core_port)});
  pid_t w1 = StartWorker(dir.string(), core_port, 1, FreePort());
  pid_t w2 = StartWorker(dir.string(), core_port, 2, FreePort());

  // The monitor, served as the binary serves it.
  EndpointsStore store(dir / "home" / "monitor" / "targets.json");
  auto http = NewCurlHttpProber();
  FakeChainHeads heads;
  FakeChainResolver chains;
  FakeBalanceSource balances;
  auto registry = std::make_shared<prometheus::Registry>();
  MonitorMetrics metrics(registry);
  MonitorOptions options;
  options.interval = absl::Milliseconds(500);
  options.probe_timeout = absl::Milliseconds(300);
  auto monitor = Monitor::Create(options, {&store, http.get(), &heads, &chains,
                                           &balances, Clock::Real(), &metrics});
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  PoolEndpoints t;
  t.set_pool("prom");
  t.set_core("http://127.0.0.1:" + std::to_string(core_port));
  t.set_expected_workers(2);
  ASSERT_TRUE((*monitor)->SetPool(t).ok());
  (*monitor)->Start();
  MonitorServiceImpl service(monitor->get(), dir / "home");
  ServerOptions server_options;
  server_options.service_name = "monitor";
  server_options.home = (dir / "home").string();
  server_options.handle_signals = false;
  ServerControl control;
  std::thread server([&] {
    absl::Status s = RunServer(server_options, {&service}, registry, &control);
    EXPECT_TRUE(s.ok()) << s;
  });
  ASSERT_TRUE(control.WaitUntilServing(absl::Seconds(10)));
  std::string metrics_url =
      control.metrics_url();  // http://127.0.0.1:P/metrics
  std::string target = metrics_url.substr(7, metrics_url.find("/metrics") - 7);

  // Prometheus, scraping every second.
  int prom_port = FreePort();
  std::ofstream(dir / "prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "scrape_configs:\n  - job_name: poolops-monitor\n"
      << "    static_configs:\n      - targets: ['" << target << "']\n";
  pid_t prom =
      Spawn({prometheus, "--config.file=" + (dir / "prometheus.yml").string(),
             "--storage.tsdb.path=" + (dir / "tsdb").string(),
             "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
            {}, (dir / "prometheus.log").string());
  ASSERT_GT(prom, 0);

  std::string workers, up, success, status;
  bool seen = WaitFor(
      [&] {
        workers = Query(prom_port, "iexec_core_workers{pool=\"prom\"}");
        return workers == "2";
      },
      std::chrono::seconds(60));
  up = Query(prom_port, "up{job=\"poolops-monitor\"}");
  success = Query(prom_port, "probe_success{pool=\"prom\",component=\"core\"}");
  status = Query(prom_port, "poolops_monitor_pool_status{pool=\"prom\"}");
  std::string cpus = Query(prom_port, "iexec_core_cpus{pool=\"prom\"}");
  std::string info = Query(prom_port, "poolops_service_info");

  Stop(prom);
  control.Stop();
  server.join();
  (*monitor)->Stop();
  Stop(w1);
  Stop(w2);
  Stop(core);

  ASSERT_TRUE(seen) << "Prometheus never saw iexec_core_workers; log in "
                    << (dir / "prometheus.log").string();
  EXPECT_EQ(up, "1");
  EXPECT_EQ(success, "1");
  EXPECT_EQ(status, "0");
  EXPECT_EQ(cpus, "4");
  EXPECT_EQ(info, "1");
}

}  // namespace
}  // namespace poolops::monitor
