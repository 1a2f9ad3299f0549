#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devnet/simulators/adapter_simulator.h"
#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/host_resolver.h"
#include "devnet/simulators/roles.h"
#include "devnet/simulators/wallet_address.h"
#include "devnet/simulators/worker_simulator.h"

namespace poolops::sim {
namespace {

TEST(WorkerConfigTest, ReadsTheRealWorkerVariables) {
  Env env = {{"IEXEC_CORE_HOST", "127.0.0.1"},
             {"IEXEC_CORE_PORT", "7001"},
             {"IEXEC_CORE_PROTOCOL", "http"},
             {"IEXEC_WORKER_NAME", "worker0"},
             {"IEXEC_WORKER_WALLET_PATH", "/wallet-0.json"},
             {"IEXEC_WORKER_WALLET_PASSWORD", "changeme"},
             {"IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT", "2"},
             {"IEXEC_WORKER_GPU_ENABLED", "False"}};
  auto c = WorkerConfigFromEnv(env, 8);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->core_host, "127.0.0.1");
  EXPECT_EQ(c->core_port, 7001);
  EXPECT_EQ(c->name, "worker0");
  EXPECT_EQ(c->wallet_path, "/wallet-0.json");
  EXPECT_EQ(c->cpu_nb, 2);
  EXPECT_FALSE(c->gpu_enabled);
  EXPECT_EQ(c->ping_interval, absl::Seconds(10));
}

TEST(WorkerConfigTest, EmptyCpuOverrideMeansCpusMinusOne) {
  auto c = WorkerConfigFromEnv(
      {{"IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT", ""}}, 8);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cpu_nb, 7);
  EXPECT_EQ(WorkerConfigFromEnv({}, 1)->cpu_nb, 1);
  EXPECT_EQ(c->core_host, "localhost");
  EXPECT_EQ(c->core_port, 13000);
}

TEST(WorkerConfigTest, RejectsBadValues) {
  EXPECT_FALSE(WorkerConfigFromEnv({{"IEXEC_CORE_PORT", "x"}}, 2).ok());
  EXPECT_FALSE(WorkerConfigFromEnv({{"IEXEC_CORE_PROTOCOL", "https"}}, 2).ok());
  EXPECT_FALSE(WorkerConfigFromEnv(
                   {{"IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT", "0"}}, 2)
                   .ok());
  EXPECT_FALSE(
      WorkerConfigFromEnv({{"IEXEC_WORKER_GPU_ENABLED", "yes"}}, 2).ok());
  EXPECT_FALSE(
      WorkerConfigFromEnv({{"POOLOPS_SIM_PING_INTERVAL_MS", "0"}}, 2).ok());
}

TEST(ChainConfigTest, ServesConfigChainFromEnv) {
  Env env = {
      {"IEXEC_BLOCKCHAIN_ADAPTER_API_NODE_ADDRESS", "http://127.0.0.1:8545"},
      {"IEXEC_BLOCKCHAIN_ADAPTER_API_CHAIN_ID", "134"},
      {"IEXEC_BLOCKCHAIN_ADAPTER_API_IS_SIDECHAIN", "true"},
      {"IEXEC_BLOCKCHAIN_ADAPTER_API_HUB_ADDRESS",
       "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"},
      {"IEXEC_BLOCKCHAIN_ADAPTER_API_BLOCK_TIME", "5"}};
  auto c = ChainConfigFromEnv(env);
  ASSERT_TRUE(c.ok()) << c.status();
  HttpResponse r = HandleAdapter(*c, {"GET", "/config/chain", "", {}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      r.body,
      R"({"chainId":134,"sidechain":true,"chainNodeUrl":"http://127.0.0.1:8545",)"
      R"("iexecHubContractAddress":"0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f",)"
      R"("blockTime":"PT5S"})");
  EXPECT_EQ(HandleAdapter(*c, {"GET", "/metrics", "", {}, ""}).status, 401);
  auto defaults = ChainConfigFromEnv({});
  EXPECT_EQ(defaults->chain_id, 65535);
  EXPECT_EQ(defaults->port, 13010);
  EXPECT_FALSE(
      ChainConfigFromEnv({{"IEXEC_BLOCKCHAIN_ADAPTER_API_IS_SIDECHAIN", "1"}})
          .ok());
}

TEST(WalletAddressTest, ReadsAddressOnly) {
  auto a = WalletAddressFromKeystore(
      R"({"address":"7e5f4552091a69125d5dfcb7b8c2659029395bdf","crypto":{},"version":3})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  EXPECT_FALSE(WalletAddressFromKeystore("{}").ok());
  EXPECT_FALSE(WalletAddressFromKeystore("nope").ok());
  EXPECT_FALSE(WalletAddressFromKeystore(R"({"address":"0x12"})").ok());
  EXPECT_FALSE(ReadWalletAddress("/nonexistent/wallet.json").ok());
}

TEST(RolesTest, RealPortsAndOverrides) {
  EXPECT_EQ(*RolePort(*FindRole("core"), {}), 13000);
  EXPECT_EQ(*RolePort(*FindRole("core"), {{"IEXEC_CORE_PORT", "7001"}}), 7001);
  EXPECT_EQ(*RolePort(*FindRole("blockchain-adapter"), {}), 13010);
  EXPECT_EQ(*RolePort(*FindRole("grafana"), {}), 3000);
  EXPECT_EQ(*RolePort(*FindRole("mongo"), {}), 13002);
  EXPECT_EQ(*RolePort(*FindRole("mongo-express"), {{"VCAP_APP_PORT", "13003"}}),
            13003);
  EXPECT_EQ(*RolePort(*FindRole("worker"), {}), 0);
  EXPECT_EQ(*RolePort(*FindRole("mongo"), {{"POOLOPS_SIM_PORT", "1234"}}),
            1234);
  EXPECT_FALSE(FindRole("nginx").ok());
}

TEST(HostResolverTest, LiteralsLocalhostAndHostsFile) {
  char buf[16];
  auto ip = ResolveIpv4("localhost", "");
  ASSERT_TRUE(ip.ok());
  EXPECT_STREQ(inet_ntop(AF_INET, &*ip, buf, sizeof(buf)), "127.0.0.1");
  ip = ResolveIpv4("core", "# c\n::1 core\n127.0.0.2\tfoo core  # x\n");
  ASSERT_TRUE(ip.ok());
  EXPECT_STREQ(inet_ntop(AF_INET, &*ip, buf, sizeof(buf)), "127.0.0.2");
  EXPECT_FALSE(ResolveIpv4("missing.example", "127.0.0.1 localhost\n").ok());
}

// As iexec-worker at registration: the core's requiredWorkerVersion must be
// the worker's own; a worker already running checks again when the core's
// session id changes (the core restarted with another configuration).
TEST(WorkerVersionTest,
     TheCoresRequiredVersionIsCheckedAtStartAndOnANewSession) {
  std::string required = "";
  std::string session = "s1";
  CoreCaller core = [&](const std::string& method, const std::string& path,
                        const std::string&) -> absl::StatusOr<HttpResponse> {
    if (method == "GET" && path == "/workers/config") {
      return HttpResponse{
          200, "application/json",
          nlohmann::json{{"requiredWorkerVersion", required}}.dump()};
    }
    return HttpResponse{200, "text/plain", session};
  };
  auto config = WorkerConfigFromEnv({{"POOLOPS_SIM_VERSION", "8.3.0"}}, 2);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->version, "8.3.0");
  WorkerSimulator worker(*config, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",
                         core);
  EXPECT_TRUE(worker.CheckRequiredVersion().ok());
  required = "8.3.0";
  EXPECT_TRUE(worker.CheckRequiredVersion().ok());
  EXPECT_TRUE(worker.PingOnce().ok());
  // The core now requires 9.2.0: nothing happens until its session changes.
  required = "9.2.0";
  EXPECT_TRUE(worker.PingOnce().ok());
  session = "s2";
  absl::Status refused = worker.PingOnce();
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_EQ(refused.message(),
            "Bad version! please upgrade your iexec-worker: the core requires "
            "9.2.0, this worker is 8.3.0");
  // Run refuses at once, without pinging.
  absl::Notification stop;
  EXPECT_TRUE(absl::IsFailedPrecondition(worker.Run(&stop)));
  // A core that cannot be asked is no refusal.
  WorkerSimulator offline(
      *config, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",
      [](const std::string&, const std::string&,
         const std::string&) -> absl::StatusOr<HttpResponse> {
        return absl::UnavailableError("connection refused");
      });
  EXPECT_TRUE(offline.CheckRequiredVersion().ok());
}

}  // namespace
}  // namespace poolops::sim
