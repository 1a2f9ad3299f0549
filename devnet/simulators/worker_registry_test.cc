#include "devnet/simulators/worker_registry.h"

#include <gtest/gtest.h>

namespace poolops::sim {
namespace {

const char kA[] = "0x00000000000000000000000000000000000000aa";
const char kB[] = "0x00000000000000000000000000000000000000bb";

TEST(WorkerRegistryTest, AliveForLessThanOneMinuteAfterPing) {
  FakeClock clock;
  WorkerRegistry registry(&clock);
  registry.Ping({kA, 2, false});
  EXPECT_TRUE(registry.IsAlive(kA));
  clock.Advance(absl::Seconds(59));
  EXPECT_TRUE(registry.IsAlive(kA));
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(registry.IsAlive(kA));
  EXPECT_EQ(registry.Metrics().alive_workers, 0);
}

TEST(WorkerRegistryTest, PingsRefreshAndCpusAddUp) {
  FakeClock clock;
  WorkerRegistry registry(&clock);
  registry.Ping({kA, 2, false});
  clock.Advance(absl::Seconds(50));
  registry.Ping({kB, 3, false});
  registry.Ping({kA, 2, false});  // same worker: counted once
  PlatformMetric m = registry.Metrics();
  EXPECT_EQ(m.alive_workers, 2);
  EXPECT_EQ(m.alive_total_cpu, 5);
  EXPECT_EQ(m.alive_available_cpu, 5);
  clock.Advance(absl::Seconds(61));
  EXPECT_EQ(registry.Metrics().alive_workers, 0);
}

TEST(WorkerRegistryTest, GpuWorkersCountAsGpusNotCpus) {
  FakeClock clock;
  WorkerRegistry registry(&clock);
  registry.Ping({kA, 4, true});
  registry.Ping({kB, 2, false});
  PlatformMetric m = registry.Metrics();
  EXPECT_EQ(m.alive_workers, 2);
  EXPECT_EQ(m.alive_total_cpu, 2);
  EXPECT_EQ(m.alive_total_gpu, 1);
  EXPECT_EQ(m.alive_available_gpu, 1);
}

TEST(PlatformMetricJsonTest, HasThe7xFieldsInOrder) {
  EXPECT_EQ(PlatformMetricJson({1, 2, 2, 0, 0, 0}),
            R"({"aliveWorkers":1,"aliveTotalCpu":2,"aliveAvailableCpu":2,)"
            R"("aliveTotalGpu":0,"aliveAvailableGpu":0,"completedTasks":0})");
}

TEST(WorkerPingTest, ParsesAndNormalizes) {
  auto ping = ParseWorkerPing(
      R"({"walletAddress":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","cpuNb":3})");
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(ping->wallet_address, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  EXPECT_EQ(ping->cpu_nb, 3);
  EXPECT_FALSE(ping->gpu_enabled);
  auto again = ParseWorkerPing(WorkerPingJson(*ping));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->wallet_address, ping->wallet_address);
}

TEST(WorkerPingTest, RejectsBadBodies) {
  for (
      const char* body :
      {"", "[]", "not json", R"({"cpuNb":2})",
       R"({"walletAddress":"0x12","cpuNb":2})",
       R"({"walletAddress":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"})",
       R"({"walletAddress":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","cpuNb":0})",
       R"({"walletAddress":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","cpuNb":"2"})",
       R"({"walletAddress":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","cpuNb":2,"gpuEnabled":"no"})"}) {
    EXPECT_FALSE(ParseWorkerPing(body).ok()) << body;
  }
}

}  // namespace
}  // namespace poolops::sim
