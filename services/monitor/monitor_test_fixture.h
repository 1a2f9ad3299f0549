// A Monitor over fakes (fake_monitor_sources.h), for the tests of the monitor
// and of what serves it (the status page): a store in a temp dir named for
// the running test, and a core at http://core:7001 whose /metrics (7.x: 2
// workers, 4 CPUs) and health answer. Derived fixtures add their pools.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "services/monitor/endpoints_store.h"
#include "services/monitor/fake_monitor_sources.h"
#include "services/monitor/monitor.h"

namespace poolops::monitor {

inline constexpr char kCoreMetrics7x[] =
    R"({"aliveWorkers":2,"aliveTotalCpu":4,"aliveAvailableCpu":4,)"
    R"("aliveTotalGpu":0,"aliveAvailableGpu":0,"completedTasks":0})";

class MonitorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    store_ =
        std::make_unique<EndpointsStore>(dir_ / "monitor" / "targets.json");
    http_.Set("http://core:7001/metrics", Answer(200, kCoreMetrics7x));
    http_.Set("http://core:7001/actuator/health",
              Answer(200, R"({"status":"UP"})"));
  }

  // A round every 10 s, probes of 1 s; `metrics` may be null.
  std::unique_ptr<Monitor> NewMonitor(MonitorMetrics* metrics) {
    MonitorOptions options;
    options.interval = absl::Seconds(10);
    options.probe_timeout = absl::Seconds(1);
    MonitorDeps deps{store_.get(), &http_,  &heads_, &chains_,
                     &balances_,   &clock_, metrics};
    deps.history = &history_;
    auto m = Monitor::Create(options, deps);
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? std::move(*m) : nullptr;
  }

  std::filesystem::path dir_;
  FakeHttpProber http_;
  FakeChainHeads heads_;
  FakeChainResolver chains_;
  FakeBalanceSource balances_;
  FakeHistoryReader history_;
  FakeClock clock_;
  std::unique_ptr<EndpointsStore> store_;
};

}  // namespace poolops::monitor
