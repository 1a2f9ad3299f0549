// POOLOPS_SIM_STACK=v9.3: every role reads the 9.x names and refuses the v8
// ones (each listed here by hand, so dropping one from the code fails) and
// the values the 9.x services would trip on.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "devnet/simulators/adapter_v9.h"
#include "devnet/simulators/core_simulator.h"
#include "devnet/simulators/sim_stack.h"
#include "devnet/simulators/worker_simulator.h"
#include "devnet/simulators/worker_v9.h"

namespace poolops::sim {
namespace {

const char kPool[] = "0x365E7BABAa85eC61Dffe5b520763062e6C29dA27";
const char kZero[] = "0x0000000000000000000000000000000000000000";

Env CoreEnv() {
  return {{"POOLOPS_SIM_STACK", "v9.3"},
          {"POOL_ADDRESS", kPool},
          {"IEXEC_BLOCKCHAIN_NODE_ADDRESS", "http://127.0.0.1:8545"},
          {"IEXEC_CONFIG_SERVER_URL", "http://127.0.0.1:8888"}};
}

Env WorkerEnv() {
  return {{"POOLOPS_SIM_STACK", "v9.3"},
          {"IEXEC_CORE_URL", "http://127.0.0.1:13000"},
          {"POOL_ADDRESS", kPool}};
}

Env AdapterEnv() { return {{"POOLOPS_SIM_STACK", "v9.3"}}; }

Env With(Env env, const std::string& name, const std::string& value) {
  env[name] = value;
  return env;
}

// The status is an error whose message names every `parts`.
void ExpectRefused(const absl::Status& status,
                   const std::vector<std::string>& parts) {
  ASSERT_FALSE(status.ok()) << parts[0];
  for (const std::string& part : parts) {
    EXPECT_TRUE(absl::StrContains(status.message(), part))
        << "'" << status.message() << "' lacks '" << part << "'";
  }
}

TEST(SimStackTest, DefaultsToV71AndRefusesOthers) {
  EXPECT_EQ(*StackFromEnv({}), SimStack::kV71);
  EXPECT_EQ(*StackFromEnv({{"POOLOPS_SIM_STACK", ""}}), SimStack::kV71);
  EXPECT_EQ(*StackFromEnv({{"POOLOPS_SIM_STACK", "v8.3"}}), SimStack::kV83);
  EXPECT_EQ(*StackFromEnv({{"POOLOPS_SIM_STACK", "v9.3"}}), SimStack::kV93);
  ExpectRefused(StackFromEnv({{"POOLOPS_SIM_STACK", "9.3"}}).status(),
                {"POOLOPS_SIM_STACK", "v9.3"});
  EXPECT_FALSE(CoreConfigFromEnv({{"POOLOPS_SIM_STACK", "v10"}}).ok());
}

TEST(CoreV9ConfigTest, ReadsThe93Variables) {
  Env env = CoreEnv();
  env["IEXEC_CORE_PORT"] = "7001";
  env["IEXEC_CORE_CHAIN_ADAPTER_URL"] = "http://127.0.0.1:13010";
  env["IEXEC_RESULT_REPOSITORY_URL"] = "https://result.v8-bellecour.iex.ec";
  env["IEXEC_ASK_REPLICATE_PERIOD"] = "30000";
  env["IEXEC_CORE_REQUIRED_WORKER_VERSION"] = "v9.2.0";
  env["IEXEC_GAS_PRICE_MULTIPLIER"] = "1.5";
  env["IEXEC_START_BLOCK_NUMBER"] = "42";
  env["IEXEC_CORE_CHAIN_ADAPTER_USERNAME"] = "admin";  // still a 9.3 name
  auto c = CoreConfigFromEnv(env);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stack, SimStack::kV93);
  EXPECT_EQ(c->port, 7001);
  EXPECT_EQ(c->version, "9.3.0");
  EXPECT_EQ(c->pool_address, kPool);
  EXPECT_EQ(c->blockchain_node_address, "http://127.0.0.1:8545");
  EXPECT_EQ(c->config_server_url, "http://127.0.0.1:8888");
  EXPECT_EQ(c->chain_adapter_url, "http://127.0.0.1:13010");
  EXPECT_EQ(c->result_repository_url, "https://result.v8-bellecour.iex.ec");
  EXPECT_EQ(c->ask_replicate_period_ms, 30000);
  EXPECT_EQ(c->required_worker_version, "v9.2.0");
  EXPECT_EQ(c->gas_price_multiplier, 1.5);
  EXPECT_EQ(c->start_block_number, 42);
  auto defaults = CoreConfigFromEnv(CoreEnv());
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->chain_adapter_url, "http://localhost:13010");
  EXPECT_EQ(defaults->result_repository_url, "http://localhost:13200");
  EXPECT_EQ(defaults->ask_replicate_period_ms, 5000);
  EXPECT_EQ(defaults->start_block_number, 0);
}

TEST(CoreV9ConfigTest, RefusesEachV8OnlyNameEvenEmpty) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"IEXEC_PRIVATE_CHAIN_ADDRESS", "IEXEC_BLOCKCHAIN_NODE_ADDRESS"},
      {"IEXEC_CORE_CHAIN_ADAPTER_PROTOCOL", "IEXEC_CORE_CHAIN_ADAPTER_URL"},
      {"IEXEC_CORE_CHAIN_ADAPTER_HOST", "IEXEC_CORE_CHAIN_ADAPTER_URL"},
      {"IEXEC_CORE_CHAIN_ADAPTER_PORT", "IEXEC_CORE_CHAIN_ADAPTER_URL"},
      {"IEXEC_RESULT_REPOSITORY_PROTOCOL", "IEXEC_RESULT_REPOSITORY_URL"},
      {"IEXEC_RESULT_REPOSITORY_HOST", "IEXEC_RESULT_REPOSITORY_URL"},
      {"IEXEC_RESULT_REPOSITORY_PORT", "IEXEC_RESULT_REPOSITORY_URL"},
      {"IEXEC_CHAIN_HEALTH_POLLING_INTERVAL_IN_BLOCKS", "removed"},
      {"IEXEC_CHAIN_HEALTH_OUT_OF_SERVICE_THRESHOLD",
       "CHAIN_OUTOFSERVICETHRESHOLD"},
      {"IEXEC_SMS_PROTOCOL", "SMS_SCONE"},
      {"IEXEC_SMS_HOST", "SMS_SCONE"},
      {"IEXEC_SMS_PORT", "SMS_SCONE"},
  };
  for (const auto& [name, instead] : cases) {
    ExpectRefused(CoreConfigFromEnv(With(CoreEnv(), name, "")).status(),
                  {"iexec-core 9.3", name, instead, "POOLOPS_SIM_STACK=v9.3"});
    // v7.1 and v8.3 read them as before.
    Env v8 = With(CoreEnv(), name, "");
    v8["POOLOPS_SIM_STACK"] = "v8.3";
    EXPECT_TRUE(CoreConfigFromEnv(v8).ok()) << name;
  }
  // Several at once: all of them are named.
  Env both = With(With(CoreEnv(), "IEXEC_SMS_HOST", "sms"),
                  "IEXEC_PRIVATE_CHAIN_ADDRESS", "http://chain:8545");
  ExpectRefused(CoreConfigFromEnv(both).status(),
                {"IEXEC_SMS_HOST", "IEXEC_PRIVATE_CHAIN_ADDRESS"});
}

TEST(CoreV9ConfigTest, RefusesBadValues) {
  ExpectRefused(
      CoreConfigFromEnv(With(CoreEnv(), "IEXEC_GAS_PRICE_MULTIPLIER", "0"))
          .status(),
      {"IEXEC_GAS_PRICE_MULTIPLIER", "greater than 0"});
  Env no_pool = CoreEnv();
  no_pool.erase("POOL_ADDRESS");
  ExpectRefused(CoreConfigFromEnv(no_pool).status(),
                {"POOL_ADDRESS", "required"});
  ExpectRefused(
      CoreConfigFromEnv(With(CoreEnv(), "POOL_ADDRESS", kZero)).status(),
      {"POOL_ADDRESS", "zero address"});
  ExpectRefused(
      CoreConfigFromEnv(With(CoreEnv(), "POOL_ADDRESS", "0x12")).status(),
      {"POOL_ADDRESS", "not an address"});
  Env no_node = CoreEnv();
  no_node.erase("IEXEC_BLOCKCHAIN_NODE_ADDRESS");
  ExpectRefused(CoreConfigFromEnv(no_node).status(),
                {"IEXEC_BLOCKCHAIN_NODE_ADDRESS", "required"});
  Env no_config_server = CoreEnv();
  no_config_server.erase("IEXEC_CONFIG_SERVER_URL");
  ExpectRefused(CoreConfigFromEnv(no_config_server).status(),
                {"IEXEC_CONFIG_SERVER_URL", "required"});
  ExpectRefused(CoreConfigFromEnv(With(CoreEnv(), "IEXEC_CONFIG_SERVER_URL",
                                       "https://config:8888"))
                    .status(),
                {"IEXEC_CONFIG_SERVER_URL", "plain http"});
  ExpectRefused(
      CoreConfigFromEnv(With(CoreEnv(), "IEXEC_CORE_CHAIN_ADAPTER_URL",
                             "blockchain-adapter:13010"))
          .status(),
      {"IEXEC_CORE_CHAIN_ADAPTER_URL"});
  ExpectRefused(
      CoreConfigFromEnv(With(CoreEnv(), "IEXEC_START_BLOCK_NUMBER", "-1"))
          .status(),
      {"IEXEC_START_BLOCK_NUMBER"});
}

TEST(AdapterV9ConfigTest, ReadsTheChainUnderIexecNames) {
  Env env = AdapterEnv();
  env["IEXEC_BLOCKCHAIN_ADAPTER_API_PORT"] = "13010";
  env["IEXEC_BLOCKCHAIN_ADAPTER_API_MAX_ALLOWED_TX_PER_BLOCK"] = "2";
  env["IEXEC_CHAIN_ID"] = "65535";
  env["IEXEC_BLOCKCHAIN_NODE_ADDRESS"] = "http://127.0.0.1:8545";
  env["IEXEC_IS_SIDECHAIN"] = "false";
  env["IEXEC_HUB_ADDRESS"] = "0xc4b11f41746D3Ad8504da5B383E1aB9aa969AbC7";
  env["IEXEC_BLOCK_TIME"] = "PT0.25S";
  env["IEXEC_GAS_PRICE_MULTIPLIER"] = "1.0";
  env["IEXEC_GAS_PRICE_CAP"] = "0";
  auto c = AdapterV9ConfigFromEnv(env);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->chain_id, 65535);
  EXPECT_FALSE(c->sidechain);
  EXPECT_EQ(c->block_time, absl::Milliseconds(250));
  EXPECT_EQ(c->max_allowed_tx_per_block, 2);
  EXPECT_EQ(c->gas_price_cap, 0);
  auto defaults = AdapterV9ConfigFromEnv(AdapterEnv());
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->port, 13010);
  EXPECT_EQ(defaults->block_time, absl::Seconds(5));
  EXPECT_EQ(defaults->chain_id, 134);
}

TEST(AdapterV9ConfigTest, RefusesEachV8OnlyNameEvenEmpty) {
  for (const char* part :
       {"NODE_ADDRESS", "CHAIN_ID", "IS_SIDECHAIN", "HUB_ADDRESS", "BLOCK_TIME",
        "GAS_PRICE_MULTIPLIER", "GAS_PRICE_CAP"}) {
    std::string name = std::string("IEXEC_BLOCKCHAIN_ADAPTER_API_") + part;
    ExpectRefused(AdapterV9ConfigFromEnv(With(AdapterEnv(), name, "")).status(),
                  {"iexec-blockchain-adapter-api 9.0.5", name,
                   std::string("use IEXEC_") + part});
  }
}

TEST(AdapterV9ConfigTest, RefusesBadValues) {
  ExpectRefused(
      AdapterV9ConfigFromEnv(With(AdapterEnv(), "IEXEC_BLOCK_TIME", "5"))
          .status(),
      {"IEXEC_BLOCK_TIME=5", "5 ms", "PT5S"});
  ExpectRefused(
      AdapterV9ConfigFromEnv(With(AdapterEnv(), "IEXEC_BLOCK_TIME", "PT0.05S"))
          .status(),
      {"IEXEC_BLOCK_TIME", "100ms..20s"});
  ExpectRefused(
      AdapterV9ConfigFromEnv(With(AdapterEnv(), "IEXEC_BLOCK_TIME", "PT21S"))
          .status(),
      {"IEXEC_BLOCK_TIME", "100ms..20s"});
  ExpectRefused(AdapterV9ConfigFromEnv(
                    With(AdapterEnv(), "IEXEC_GAS_PRICE_MULTIPLIER", "0"))
                    .status(),
                {"IEXEC_GAS_PRICE_MULTIPLIER"});
  ExpectRefused(
      AdapterV9ConfigFromEnv(
          With(AdapterEnv(),
               "IEXEC_BLOCKCHAIN_ADAPTER_API_MAX_ALLOWED_TX_PER_BLOCK", "9"))
          .status(),
      {"MAX_ALLOWED_TX_PER_BLOCK", "1..8"});
  ExpectRefused(
      AdapterV9ConfigFromEnv(With(AdapterEnv(), "IEXEC_HUB_ADDRESS", kZero))
          .status(),
      {"IEXEC_HUB_ADDRESS", "zero address"});
  ExpectRefused(
      AdapterV9ConfigFromEnv(With(AdapterEnv(), "IEXEC_CHAIN_ID", "0"))
          .status(),
      {"IEXEC_CHAIN_ID"});
}

TEST(WorkerV9ConfigTest, ReadsTheCoreUrlAndPool) {
  Env env = WorkerEnv();
  env["IEXEC_CORE_URL"] = "http://core.local:7001/";
  env["IEXEC_WORKER_NAME"] = "worker0";
  env["IEXEC_WORKER_WALLET_PATH"] = "/wallet.json";
  env["IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT"] = "2";
  env["IEXEC_WORKER_GPU_ENABLED"] = "true";
  env["IEXEC_GAS_PRICE_MULTIPLIER"] = "1.3";
  env["IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS"] = "http://node:8545";
  auto c = WorkerConfigFromEnv(env, 8);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stack, SimStack::kV93);
  EXPECT_EQ(c->core_url, "http://core.local:7001");
  EXPECT_EQ(c->core_host, "core.local");
  EXPECT_EQ(c->core_port, 7001);
  EXPECT_EQ(c->core_path, "");
  EXPECT_EQ(c->pool_address, kPool);
  EXPECT_EQ(c->name, "worker0");
  EXPECT_EQ(c->cpu_nb, 2);
  EXPECT_TRUE(c->gpu_enabled);
  EXPECT_EQ(c->override_blockchain_node_address, "http://node:8545");
  EXPECT_EQ(WorkerConfigFromEnv(WorkerEnv(), 8)->cpu_nb, 7);
}

TEST(WorkerV9ConfigTest, RefusesEachV8OnlyNameEvenEmpty) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"IEXEC_CORE_PROTOCOL", "IEXEC_CORE_URL"},
      {"IEXEC_CORE_HOST", "IEXEC_CORE_URL"},
      {"IEXEC_CORE_PORT", "IEXEC_CORE_URL"},
      {"IEXEC_CORE_GRAYLOG_HOST", "removed"},
  };
  for (const auto& [name, instead] : cases) {
    ExpectRefused(WorkerConfigFromEnv(With(WorkerEnv(), name, ""), 2).status(),
                  {"iexec-worker 9.2.0", name, instead});
  }
  // v8.3 still reads them.
  EXPECT_TRUE(WorkerConfigFromEnv({{"POOLOPS_SIM_STACK", "v8.3"},
                                   {"IEXEC_CORE_HOST", "127.0.0.1"},
                                   {"IEXEC_CORE_GRAYLOG_HOST", ""}},
                                  2)
                  .ok());
}

TEST(WorkerV9ConfigTest, RefusesBadValues) {
  Env no_pool = WorkerEnv();
  no_pool.erase("POOL_ADDRESS");
  ExpectRefused(WorkerConfigFromEnv(no_pool, 2).status(),
                {"POOL_ADDRESS", "must be filled in"});
  ExpectRefused(
      WorkerConfigFromEnv(With(WorkerEnv(), "POOL_ADDRESS", ""), 2).status(),
      {"POOL_ADDRESS", "must be filled in"});
  ExpectRefused(
      WorkerConfigFromEnv(With(WorkerEnv(), "POOL_ADDRESS", "0x0"), 2).status(),
      {"POOL_ADDRESS", "0x0"});
  ExpectRefused(
      WorkerConfigFromEnv(With(WorkerEnv(), "POOL_ADDRESS", kZero), 2).status(),
      {"POOL_ADDRESS", "zero address"});
  Env no_core = WorkerEnv();
  no_core.erase("IEXEC_CORE_URL");
  ExpectRefused(WorkerConfigFromEnv(no_core, 2).status(),
                {"IEXEC_CORE_URL", "required"});
  ExpectRefused(
      WorkerConfigFromEnv(
          With(WorkerEnv(), "IEXEC_CORE_URL", "https://core:13000"), 2)
          .status(),
      {"IEXEC_CORE_URL", "plain http"});
  ExpectRefused(WorkerConfigFromEnv(
                    With(WorkerEnv(), "IEXEC_GAS_PRICE_MULTIPLIER", "0"), 2)
                    .status(),
                {"IEXEC_GAS_PRICE_MULTIPLIER", "greater than 0"});
  ExpectRefused(
      WorkerConfigFromEnv(
          With(WorkerEnv(), "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS",
               "node:8545"),
          2)
          .status(),
      {"IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS"});
}

}  // namespace
}  // namespace poolops::sim
