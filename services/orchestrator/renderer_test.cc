// Rendering: golden comparison of the README example with the reference
// stacks (services, published ports, volumes, variable names written down
// here as facts), file modes and secrets, and `docker-compose config -q` on
// every stack version x feature x network combination.
#include "services/orchestrator/renderer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/spec_validator.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::UnorderedElementsAreArray;

using Names = std::vector<std::string>;

using test::FindBundle;
using test::FindFile;
using test::List;

Names EnvNames(const std::string& env) {
  Names out;
  for (absl::string_view line : absl::StrSplit(env, '\n', absl::SkipEmpty())) {
    out.emplace_back(line.substr(0, line.find('=')));
  }
  return out;
}

std::string EnvValue(const std::string& env, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(env, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, name + "=")) {
      return std::string(line.substr(name.size() + 1));
    }
  }
  return "<unset>";
}

YAML::Node Yaml(const Bundle& b, const std::string& file) {
  return YAML::Load(FindFile(b, file)->content);
}

Names Keys(const YAML::Node& map) {
  Names out;
  if (!map || !map.IsMap()) return out;
  for (auto it = map.begin(); it != map.end(); ++it)
    out.push_back(it->first.Scalar());
  return out;
}

Names EnvKeys(const YAML::Node& service) {
  Names out;
  for (const std::string& e : List(service["environment"])) {
    out.push_back(e.substr(0, e.find('=')));
  }
  return out;
}

std::vector<Bundle> RenderExample(const std::string& name) {
  ParsedSpec p = test::LoadExample(name);
  absl::StatusOr<Renderer> r = Renderer::Create();
  EXPECT_TRUE(r.ok()) << r.status();
  absl::StatusOr<std::vector<Bundle>> out = r->Render(test::FakeInput(p.spec));
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<Bundle>{};
}

// ------------------------------------------------------------- golden ----

TEST(RendererGoldenTest, ReadmeCoreMatchesTheReferenceStack) {
  std::vector<Bundle> bundles = RenderExample("readme-v7.1.yaml");
  ASSERT_EQ(bundles.size(), 2u);
  const Bundle* core = FindBundle(bundles, "core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->compose_files, Names{"docker-compose.yml"});
  YAML::Node y = Yaml(*core, "docker-compose.yml");
  EXPECT_THAT(Keys(y["services"]),
              UnorderedElementsAreArray(
                  Names{"core", "mongo", "mongo_ui", "grafana", "mongodb-proxy",
                        "blockchain-adapter", "blockchain-adapter-mongo",
                        "blockchain-adapter-mongo-ui", "order-publisher-std"}));
  Names ports;
  for (const std::string& s : Keys(y["services"])) {
    for (const std::string& p : List(y["services"][s]["ports"])) {
      ports.push_back(s + " " + p);
    }
  }
  EXPECT_THAT(ports, UnorderedElementsAreArray(Names{
                         "core 7001:13000", "mongo_ui 7002:13003",
                         "grafana 7000:3000", "blockchain-adapter 13010:13010",
                         "blockchain-adapter-mongo-ui 13013:13013"}));
  EXPECT_THAT(Keys(y["volumes"]),
              UnorderedElementsAreArray(Names{"mongodb-data"}));
  Names mounts;
  for (const std::string& s : Keys(y["services"])) {
    for (const std::string& v : List(y["services"][s]["volumes"])) {
      mounts.push_back(s + " " + v);
    }
  }
  EXPECT_THAT(mounts,
              UnorderedElementsAreArray(Names{
                  "core ./wallet.json:/iexec-wallet/encrypted-wallet.json",
                  "mongo mongodb-data:/data/db",
                  "blockchain-adapter ./wallet.json:/wallet.json",
                  "order-publisher-std ./wallet.json:/wallets/wallet.json"}));
  EXPECT_THAT(
      EnvKeys(y["services"]["core"]),
      UnorderedElementsAreArray(Names{"IEXEC_CORE_WALLET_PATH",
                                      "IEXEC_CORE_WALLET_PASSWORD",
                                      "IEXEC_CORE_MANAGEMENT_ACTUATORS",
                                      "IEXEC_CORE_REQUIRED_WORKER_VERSION",
                                      "MONGO_HOST",
                                      "TZ",
                                      "IEXEC_PRIVATE_CHAIN_ADDRESS",
                                      "IEXEC_PUBLIC_CHAIN_ADDRESS",
                                      "IEXEC_CHAIN_ID",
                                      "IEXEC_IS_SIDECHAIN",
                                      "IEXEC_HUB_ADDRESS",
                                      "POOL_ADDRESS",
                                      "REVEAL_TIMEOUT_PERIOD",
                                      "IEXEC_RESULT_REPOSITORY_HOST",
                                      "IEXEC_RESULT_REPOSITORY_PORT",
                                      "IEXEC_RESULT_REPOSITORY_PROTOCOL",
                                      "IEXEC_SMS_HOST",
                                      "IEXEC_SMS_PORT",
                                      "IEXEC_SMS_PROTOCOL",
                                      "IEXEC_CORE_CHAIN_ADAPTER_HOST",
                                      "IEXEC_CORE_CHAIN_ADAPTER_PROTOCOL",
                                      "IEXEC_CORE_CHAIN_ADAPTER_PORT",
                                      "IEXEC_CORE_CHAIN_ADAPTER_PASSWORD",
                                      "IEXEC_ASK_REPLICATE_PERIOD",
                                      "IEXEC_START_BLOCK_NUMBER",
                                      "IEXEC_GAS_PRICE_MULTIPLIER",
                                      "IEXEC_GAS_PRICE_CAP"}));
  EXPECT_THAT(EnvKeys(y["services"]["order-publisher-std"]),
              UnorderedElementsAreArray(Names{"CORE_URL",
                                              "MARKET_URL",
                                              "CHAIN",
                                              "PUBLISH_PERIOD",
                                              "CHECK_SLEEP_TIME",
                                              "WALLETPASSWORD",
                                              "DAEMONIZE",
                                              "IS_GPU_POOL",
                                              "MAX_ORDER_NUMBER",
                                              "WORKERPOOL",
                                              "WORKERPOOL_PRICE",
                                              "WORKERPOOL_PRICE_MIN",
                                              "WORKERPOOL_PRICE_MAX",
                                              "VOLUME",
                                              "CATEGORY",
                                              "TRUST",
                                              "TAG",
                                              "APP_RESTRICT",
                                              "DATASET_RESTRICT",
                                              "REQUESTER_RESTRICT"}));
  EXPECT_EQ(EnvKeys(y["services"]["grafana"]).size(), 24u);
  EXPECT_EQ(EnvKeys(y["services"]["blockchain-adapter"]).size(), 11u);
  // Core-only variables: the README's core and common parts, without the
  // worker part (and without STACK, which no compose file reads).
  const std::string& env = FindFile(*core, ".env")->content;
  EXPECT_THAT(EnvNames(env), UnorderedElementsAreArray(
                                 Names{"CHAIN",
                                       "CHAIN_URL",
                                       "DOCKER_REGISTRY",
                                       "GAS_PRICE_CAP",
                                       "GAS_PRICE_MULTIPLIER",
                                       "WORKER_TAG",
                                       "BLOCKCHAIN_ADAPTER_TAG",
                                       "CHAIN_BLOCK_TIME",
                                       "CHAIN_HUB_ADDRESS",
                                       "CHAIN_ID",
                                       "CHAIN_IS_SIDECHAIN",
                                       "CHAIN_LAST_BLOCK",
                                       "CORE_TAG",
                                       "GRAFANA_TAG",
                                       "MARKET_API_HOST",
                                       "ORDER_PUBLISHER_REQUESTER_RESTRICT",
                                       "ORDER_PUBLISHER_TAG",
                                       "PROD_CHAIN_ADAPTER_HOST",
                                       "PROD_CHAIN_ADAPTER_PASSWORD",
                                       "PROD_CORE_WALLET_PASSWORD",
                                       "PROD_GRAFANA_ADMIN_PASSWORD",
                                       "PROD_MONGO_PASSWORD",
                                       "PROD_POOL_ADDRESS",
                                       "PROD_SMS_HOST",
                                       "PUBLIC_CHAIN_URL",
                                       "RESULT_HOST",
                                       "WORKERPOOL_PRICE",
                                       "GRAFANA_HOME_NAME"}))
      << env;
  // Values from the spec and the Bellecour preset.
  EXPECT_EQ(EnvValue(env, "CHAIN"), "bellecour");
  EXPECT_EQ(EnvValue(env, "CHAIN_ID"), "134");
  EXPECT_EQ(EnvValue(env, "CHAIN_URL"), "https://bellecour.iex.ec");
  EXPECT_EQ(EnvValue(env, "CHAIN_HUB_ADDRESS"),
            "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  EXPECT_EQ(EnvValue(env, "CHAIN_IS_SIDECHAIN"), "true");
  EXPECT_EQ(EnvValue(env, "CORE_TAG"), "7.1.0");
  EXPECT_EQ(EnvValue(env, "BLOCKCHAIN_ADAPTER_TAG"), "7.1.1");
  EXPECT_EQ(EnvValue(env, "ORDER_PUBLISHER_TAG"), "7.1.0-p001");
  EXPECT_EQ(EnvValue(env, "MARKET_API_HOST"), "v7.api.market.iex.ec");
  EXPECT_EQ(EnvValue(env, "PROD_CHAIN_ADAPTER_HOST"),
            "v7.chain-proxy.prod-main-pool.bellecour.yourdomain");
  EXPECT_EQ(EnvValue(env, "PROD_POOL_ADDRESS"),
            "0x1111111111111111111111111111111111111111");
  EXPECT_EQ(EnvValue(env, "GRAFANA_HOME_NAME"), "'My workerpool description'");
  EXPECT_EQ(EnvValue(env, "PROD_MONGO_PASSWORD"),
            "mongopw0000000000000000000000000000000003");
  EXPECT_NE(FindFile(*core, "wallet.json"), nullptr);
}

TEST(RendererGoldenTest, ReadmeWorkerMatchesTheReferenceStack) {
  std::vector<Bundle> bundles = RenderExample("readme-v7.1.yaml");
  const Bundle* w = FindBundle(bundles, "worker0");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->role, "worker");
  EXPECT_EQ(w->target, "ssh://root@worker.yourdomain/opt");
  YAML::Node y = Yaml(*w, "docker-compose.yml");
  EXPECT_EQ(Keys(y["services"]), Names{"worker"});
  EXPECT_TRUE(List(y["services"]["worker"]["ports"]).empty());
  EXPECT_THAT(List(y["services"]["worker"]["volumes"]),
              UnorderedElementsAreArray(
                  Names{"/var/run/docker.sock:/var/run/docker.sock",
                        "$RESULTS_DIR/$WORKER_NAME:$RESULTS_DIR/$WORKER_NAME",
                        "./$WALLET:/$WALLET:rw"}));
  EXPECT_EQ(Keys(y["networks"]), Names{"worker-net"});
  EXPECT_THAT(
      EnvKeys(y["services"]["worker"]),
      UnorderedElementsAreArray(Names{
          "IEXEC_DEVELOPER_LOGGER_ENABLED", "IEXEC_WORKER_DOCKER_NETWORK_NAME",
          "IEXEC_CORE_HOST", "IEXEC_CORE_PORT", "IEXEC_CORE_PROTOCOL",
          "IEXEC_WORKER_WALLET_PATH", "IEXEC_WORKER_WALLET_PASSWORD",
          "IEXEC_WORKER_NAME", "IEXEC_WORKER_BASE_DIR",
          "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS",
          "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT",
          "IEXEC_CORE_GRAYLOG_HOST", "IEXEC_WORKER_GPU_ENABLED",
          "IEXEC_GAS_PRICE_MULTIPLIER", "IEXEC_GAS_PRICE_CAP",
          "IEXEC_WORKER_SGX_DRIVER_MODE",
          "IEXEC_WORKER_DOCKER_REGISTRY_ADDRESS_1",
          "IEXEC_WORKER_DOCKER_REGISTRY_USERNAME_1",
          "IEXEC_WORKER_DOCKER_REGISTRY_PASSWORD_1"}));
  YAML::Node worker = y["services"]["worker"];
  Names env = List(worker["environment"]);
  EXPECT_THAT(env, ::testing::Contains("IEXEC_CORE_PORT=7001"));
  const std::string& dotenv = FindFile(*w, ".env")->content;
  EXPECT_THAT(EnvNames(dotenv),
              UnorderedElementsAreArray(
                  Names{"CHAIN_URL", "DOCKER_REGISTRY", "GAS_PRICE_CAP",
                        "GAS_PRICE_MULTIPLIER", "PROD_CORE_HOST", "WORKER_TAG",
                        "PROD_WALLET_PASSWORD", "RESULTS_DIR", "WALLET",
                        "WORKER_AVAILABLE_CPU", "WORKER_NAME"}))
      << dotenv;
  EXPECT_EQ(EnvValue(dotenv, "WALLET"), "wallet-0.json");
  EXPECT_EQ(EnvValue(dotenv, "WORKER_NAME"), "worker0");
  EXPECT_EQ(EnvValue(dotenv, "WORKER_AVAILABLE_CPU"), "2");
  EXPECT_EQ(EnvValue(dotenv, "RESULTS_DIR"), "/tmp/results");
  EXPECT_EQ(EnvValue(dotenv, "PROD_CORE_HOST"),
            "v7.core.prod-main-pool.bellecour.yourdomain");
  EXPECT_NE(FindFile(*w, "wallet-0.json"), nullptr);
}

// --------------------------------------------------------- modes/secrets --

TEST(RendererTest, SecretsOnlyInOwnerOnlyFiles) {
  for (const char* example :
       {"readme-v7.1.yaml", "full-featured.yaml", "devnet-pool.yaml",
        "devnet-pool-v9.yaml", "arbitrum-sepolia-v9.yaml"}) {
    ParsedSpec p = test::LoadExample(example);
    RenderInput in = test::FakeInput(p.spec);
    std::vector<std::string> secrets;
    for (const auto& [k, v] : in.secrets.values) secrets.push_back(v);
    for (const auto& [k, v] : in.secrets.wallet_passwords) secrets.push_back(v);
    auto r = Renderer::Create();
    auto bundles = r->Render(in);
    ASSERT_TRUE(bundles.ok()) << example << bundles.status();
    std::set<std::string> wallet_files;
    for (const Bundle& b : *bundles) {
      for (const BundleFile& f : b.files) {
        bool secret_file =
            f.path == ".env" || absl::StartsWith(f.path, "wallet");
        EXPECT_EQ(f.mode, secret_file ? 0600u : 0644u)
            << b.name << "/" << f.path;
        if (absl::StartsWith(f.path, "wallet")) wallet_files.insert(f.content);
        if (f.mode == 0600) continue;
        for (const std::string& s : secrets) {
          EXPECT_FALSE(absl::StrContains(f.content, s))
              << example << ": secret in " << b.name << "/" << f.path;
        }
      }
    }
    // Each worker and the core: a wallet of its own.
    EXPECT_EQ(wallet_files.size(),
              static_cast<size_t>(p.spec.workers_size() + 1))
        << example;
  }
}

TEST(RendererTest, MissingWalletOrPasswordIsAPrecondition) {
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  RenderInput in = test::FakeInput(p.spec);
  in.wallets.erase("worker");
  auto r = Renderer::Create();
  auto out = r->Render(in);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(out.status()));
  EXPECT_THAT(std::string(out.status().message()),
              ::testing::HasSubstr("workers[0].wallet"));
  in = test::FakeInput(p.spec);
  in.secrets.wallet_passwords.erase("core");
  out = r->Render(in);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()),
              ::testing::HasSubstr("workerpool.owner_wallet"));
}

TEST(RendererTest, FullFeaturedHasOverlaysAndPerWorkerFeatures) {
  std::vector<Bundle> bundles = RenderExample("full-featured.yaml");
  // cpu-0 and cpu-1 share a host: one bundle for both.
  ASSERT_EQ(bundles.size(), 4u);
  const Bundle* core = FindBundle(bundles, "core");
  EXPECT_EQ(core->compose_files,
            (Names{"docker-compose.yml", "docker-compose-rev-proxy-https.yml",
                   "docker-compose-tee.yml"}));
  YAML::Node base = Yaml(*core, "docker-compose.yml");
  // The proxy publishes 80/443: the direct ports of core, grafana and the
  // adapter are gone (the README's manual step).
  EXPECT_FALSE(base["services"]["core"]["ports"]);
  EXPECT_FALSE(base["services"]["grafana"]["ports"]);
  EXPECT_FALSE(base["services"]["blockchain-adapter"]["ports"]);
  Names pub = List(base["services"]["order-publisher-std"]["environment"]);
  EXPECT_THAT(pub, ::testing::Contains("VOLUME=4"));
  EXPECT_THAT(pub, ::testing::Contains("CATEGORY=2"));
  EXPECT_THAT(pub, ::testing::Contains("TRUST=5"));
  EXPECT_THAT(pub, ::testing::Contains("MAX_ORDER_NUMBER=8"));
  EXPECT_THAT(pub, ::testing::Contains("CHECK_SLEEP_TIME=60"));
  const std::string& env = FindFile(*core, ".env")->content;
  EXPECT_EQ(EnvValue(env, "LETSENCRYPT_ADMIN_EMAIL"), "ops@acme.example");
  EXPECT_EQ(EnvValue(env, "PROD_GRAFANA_HOST"), "grafana.acme.example");
  EXPECT_EQ(EnvValue(env, "WORKERPOOL_PRICE"), "100000000");

  const Bundle* tee = FindBundle(bundles, "tee-0");
  EXPECT_EQ(tee->compose_files,
            (Names{"docker-compose.yml", "docker-compose-rev-proxy-https.yml",
                   "docker-compose-tee.yml"}));
  const std::string& tenv = FindFile(*tee, ".env")->content;
  EXPECT_EQ(EnvValue(tenv, "SCONTAIN_REGISTRY_USERNAME"), "acme");
  EXPECT_NE(EnvValue(tenv, "SCONTAIN_REGISTRY_PASSWORD"), "<unset>");
  EXPECT_EQ(EnvValue(tenv, "REGISTRY_ADDRESS"), "registry.acme.example");
  const Bundle* cpu = FindBundle(bundles, "workers-cpu-0");
  ASSERT_NE(cpu, nullptr);
  const std::string& cenv = FindFile(*cpu, ".env")->content;
  EXPECT_EQ(EnvValue(cenv, "SCONTAIN_REGISTRY_PASSWORD"), "<unset>");
  EXPECT_EQ(EnvValue(cenv, "WORKER_NAME_CPU_0"), "cpu-0");
  EXPECT_EQ(EnvValue(cenv, "WORKER_NAME_CPU_1"), "cpu-1");
  EXPECT_EQ(EnvValue(cenv, "WALLET_CPU_1"), "wallet-1.json");
  EXPECT_EQ(EnvValue(cenv, "WORKER_AVAILABLE_CPU_CPU_0"), "7");
  EXPECT_EQ(EnvValue(cenv, "WORKER_NAME"), "<unset>");
  YAML::Node cy = Yaml(*cpu, "docker-compose.yml");
  EXPECT_THAT(Keys(cy["services"]),
              UnorderedElementsAreArray(Names{"cpu-0", "cpu-1"}));
  EXPECT_EQ(cy["services"]["cpu-1"]["container_name"].Scalar(),
            "$WORKER_NAME_CPU_1");
  EXPECT_THAT(List(cy["services"]["cpu-1"]["volumes"]),
              ::testing::Contains("./$WALLET_CPU_1:/$WALLET_CPU_1:rw"));
  EXPECT_NE(FindFile(*cpu, "wallet-0.json"), nullptr);
  EXPECT_NE(FindFile(*cpu, "wallet-1.json"), nullptr);
  const Bundle* gpu = FindBundle(bundles, "gpu-0");
  EXPECT_THAT(
      List(Yaml(*gpu,
                "docker-compose.yml")["services"]["worker"]["environment"]),
      ::testing::Contains("IEXEC_WORKER_GPU_ENABLED=True"));
  // No CPU override: the worker takes n-1.
  EXPECT_EQ(EnvValue(FindFile(*gpu, ".env")->content, "WORKER_AVAILABLE_CPU"),
            "<unset>");
}

TEST(RendererTest, DevnetUsesSimulatorsOnTheHostNetwork) {
  std::vector<Bundle> bundles = RenderExample("devnet-pool.yaml");
  ASSERT_EQ(bundles.size(), 2u);  // the core, and both workers (one host)
  const Bundle* core = FindBundle(bundles, "core");
  YAML::Node y = Yaml(*core, "docker-compose.yml");
  // poolops' publisher: no order-publisher container.
  EXPECT_FALSE(y["services"]["order-publisher-std"]);
  for (const std::string& s : Keys(y["services"])) {
    YAML::Node svc = y["services"][s];
    EXPECT_EQ(svc["network_mode"].Scalar(), "host") << s;
    EXPECT_EQ(svc["init"].Scalar(), "true") << s;
    EXPECT_TRUE(absl::StartsWith(svc["image"].Scalar(), "poolops-sim/")) << s;
    EXPECT_TRUE(absl::EndsWith(svc["image"].Scalar(), ":dev")) << s;
    EXPECT_FALSE(svc["ports"]) << s;
    EXPECT_FALSE(svc["entrypoint"]) << s;
  }
  EXPECT_THAT(List(y["services"]["core"]["environment"]),
              ::testing::Contains("IEXEC_CORE_PORT=7001"));
  EXPECT_THAT(List(y["services"]["core"]["environment"]),
              ::testing::Contains("POOLOPS_SIM_BIND=127.0.0.1"));
  const std::string& env = FindFile(*core, ".env")->content;
  EXPECT_EQ(EnvValue(env, "CHAIN_ID"), "65535");
  EXPECT_EQ(EnvValue(env, "CHAIN_HUB_ADDRESS"),
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(EnvValue(env, "CHAIN_URL"), "http://127.0.0.1:8545");
  const Bundle* w1 = FindBundle(bundles, "workers-worker0");
  ASSERT_NE(w1, nullptr);
  EXPECT_EQ(w1->project, "devnet-workers-worker0");
  YAML::Node wy = Yaml(*w1, "docker-compose.yml");
  EXPECT_EQ(wy["services"]["worker1"]["image"].Scalar(),
            "poolops-sim/worker:dev");
  EXPECT_FALSE(wy["networks"]);
  EXPECT_THAT(List(wy["services"]["worker1"]["volumes"]),
              ::testing::Not(::testing::Contains(
                  "/var/run/docker.sock:/var/run/docker.sock")));
  EXPECT_EQ(EnvValue(FindFile(*w1, ".env")->content, "PROD_CORE_HOST"),
            "127.0.0.1");
  EXPECT_EQ(EnvValue(FindFile(*w1, ".env")->content, "WALLET_WORKER1"),
            "wallet-1.json");
}

TEST(RendererTest, V83StackHasItsServicesAndPlatformRegistry) {
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  p.spec.set_stack_version(v1::STACK_VERSION_V8_3);
  p.spec.mutable_core()->set_letsencrypt_email("ops@example.org");
  auto r = Renderer::Create();
  auto bundles = r->Render(test::FakeInput(p.spec));
  ASSERT_TRUE(bundles.ok()) << bundles.status();
  const Bundle* core = FindBundle(*bundles, "core");
  YAML::Node y = Yaml(*core, "docker-compose.yml");
  EXPECT_THAT(
      Keys(y["services"]),
      UnorderedElementsAreArray(Names{
          "core", "mongo", "mongo_ui", "grafana", "mongodb-proxy",
          "nginx-forbidden", "blockchain-adapter", "blockchain-adapter-mongo",
          "blockchain-adapter-mongo-ui", "platform-registry", "nginx-proxy",
          "letsencrypt", "order-publisher-std"}));
  EXPECT_NE(FindFile(*core, "platform-registry-config/application-134.yml"),
            nullptr);
  EXPECT_NE(FindFile(*core, "nginx_deny_all.conf"), nullptr);
  const std::string& env = FindFile(*core, ".env")->content;
  EXPECT_EQ(EnvValue(env, "CORE_TAG"), "8.3.0");
  EXPECT_EQ(EnvValue(env, "NGINX_PROXY_TAG"), "1.2");
  EXPECT_EQ(EnvValue(env, "MAX_ORDER_NUMBER"), "3");
  EXPECT_EQ(EnvValue(env, "WORKERPOOL_DESCRIPTION"),
            "'My workerpool description'");
  const Bundle* w = FindBundle(*bundles, "worker0");
  EXPECT_EQ(Keys(Yaml(*w, "docker-compose.yml")["services"]),
            Names{"worker_prod"});
  EXPECT_EQ(EnvValue(FindFile(*w, ".env")->content, "WORKER_ID"), "worker0");
}

TEST(RendererTest, V83OnTheSimulatorsDropsTheProxyAndSpeaksHttp) {
  ParsedSpec p = test::LoadExample("devnet-pool.yaml");
  p.spec.set_stack_version(v1::STACK_VERSION_V8_3);
  EXPECT_THAT(ValidateSpec(p.spec, SpecLocations(), test::ExamplesDir()),
              ::testing::IsEmpty());
  auto r = Renderer::Create();
  auto bundles = r->Render(test::FakeInput(p.spec));
  ASSERT_TRUE(bundles.ok()) << bundles.status();
  YAML::Node y = Yaml(*FindBundle(*bundles, "core"), "docker-compose.yml");
  for (const char* gone :
       {"nginx-proxy", "letsencrypt", "nginx-forbidden", "platform-registry"}) {
    EXPECT_FALSE(y["services"][gone]) << gone;
  }
  for (const std::string& s : Keys(y["services"])) {
    EXPECT_TRUE(
        absl::StartsWith(y["services"][s]["image"].Scalar(), "poolops-sim/"))
        << s;
  }
  Names core_env = List(y["services"]["core"]["environment"]);
  EXPECT_THAT(core_env,
              ::testing::Contains("IEXEC_CORE_CHAIN_ADAPTER_PROTOCOL=http"));
  EXPECT_THAT(core_env,
              ::testing::Contains("IEXEC_CORE_CHAIN_ADAPTER_HOST=127.0.0.1"));
  YAML::Node w =
      Yaml(*FindBundle(*bundles, "workers-worker0"), "docker-compose.yml");
  Names wenv = List(w["services"]["worker1"]["environment"]);
  EXPECT_THAT(wenv, ::testing::Contains("IEXEC_CORE_PROTOCOL=http"));
  EXPECT_THAT(wenv, ::testing::Contains("IEXEC_CORE_PORT=7001"));
}

TEST(RendererTest, CustomPortsInBridgeMode) {
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  p.spec.mutable_core()->set_core_port(8001);
  p.spec.mutable_core()->set_chain_adapter_port(8010);
  auto r = Renderer::Create();
  auto bundles = r->Render(test::FakeInput(p.spec));
  ASSERT_TRUE(bundles.ok());
  YAML::Node y = Yaml(*FindBundle(*bundles, "core"), "docker-compose.yml");
  EXPECT_EQ(List(y["services"]["core"]["ports"]), Names{"8001:13000"});
  EXPECT_EQ(List(y["services"]["blockchain-adapter"]["ports"]),
            Names{"8010:13010"});
  EXPECT_THAT(List(y["services"]["core"]["environment"]),
              ::testing::Contains("IEXEC_CORE_CHAIN_ADAPTER_PORT=8010"));
  YAML::Node w = Yaml(*FindBundle(*bundles, "worker0"), "docker-compose.yml");
  EXPECT_THAT(List(w["services"]["worker"]["environment"]),
              ::testing::Contains("IEXEC_CORE_PORT=8001"));
}

// ------------------------------------------------------------------ v9.3 --

// Facts of core 9.3.0 / adapter 9.0.5 / worker 9.2.0 (their application.yml):
// single-URL variables, the chain under IEXEC_ for the adapter, the config
// server for the core.
TEST(RendererV9Test, ArbitrumSepoliaExampleHasThe9xVariables) {
  std::vector<Bundle> bundles = RenderExample("arbitrum-sepolia-v9.yaml");
  ASSERT_EQ(bundles.size(), 3u);
  const Bundle* core = FindBundle(bundles, "core");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->compose_files, (Names{"docker-compose.yml",
                                        "docker-compose-rev-proxy-https.yml"}));
  YAML::Node y = Yaml(*core, "docker-compose.yml");
  EXPECT_THAT(Keys(y["services"]),
              UnorderedElementsAreArray(Names{
                  "core", "mongo", "config-server", "grafana", "mongodb-proxy",
                  "blockchain-adapter", "blockchain-adapter-mongo"}));
  EXPECT_THAT(
      EnvKeys(y["services"]["core"]),
      UnorderedElementsAreArray(
          Names{"IEXEC_CORE_WALLET_PATH", "IEXEC_CORE_WALLET_PASSWORD",
                "IEXEC_CORE_REQUIRED_WORKER_VERSION", "MONGO_HOST",
                "REVEAL_TIMEOUT_PERIOD", "IEXEC_ASK_REPLICATE_PERIOD",
                "IEXEC_BLOCKCHAIN_NODE_ADDRESS", "POOL_ADDRESS",
                "IEXEC_START_BLOCK_NUMBER", "IEXEC_GAS_PRICE_MULTIPLIER",
                "IEXEC_GAS_PRICE_CAP", "IEXEC_CORE_CHAIN_ADAPTER_URL",
                "IEXEC_CORE_CHAIN_ADAPTER_PASSWORD", "IEXEC_CONFIG_SERVER_URL",
                "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE"}));
  EXPECT_THAT(EnvKeys(y["services"]["blockchain-adapter"]),
              ::testing::IsSupersetOf(Names{
                  "IEXEC_BLOCKCHAIN_NODE_ADDRESS", "IEXEC_CHAIN_ID",
                  "IEXEC_IS_SIDECHAIN", "IEXEC_HUB_ADDRESS", "IEXEC_BLOCK_TIME",
                  "IEXEC_GAS_PRICE_MULTIPLIER", "IEXEC_GAS_PRICE_CAP"}));
  // The proxy publishes 80/443; the adapter stays on loopback.
  EXPECT_FALSE(y["services"]["core"]["ports"]);
  EXPECT_FALSE(y["services"]["config-server"]["ports"]);
  EXPECT_EQ(List(y["services"]["blockchain-adapter"]["ports"]),
            Names{"127.0.0.1:13010:13010"});
  const std::string& env = FindFile(*core, ".env")->content;
  EXPECT_EQ(EnvValue(env, "CHAIN_ID"), "421614");
  EXPECT_EQ(EnvValue(env, "CHAIN_HUB_ADDRESS"),
            "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E");
  EXPECT_EQ(EnvValue(env, "CHAIN_IS_SIDECHAIN"), "false");
  EXPECT_EQ(EnvValue(env, "CHAIN_BLOCK_TIME"), "PT1S");
  EXPECT_EQ(EnvValue(env, "GAS_PRICE_MULTIPLIER"), "1.0");
  EXPECT_EQ(EnvValue(env, "CORE_TAG"), "9.3.0");
  EXPECT_EQ(EnvValue(env, "BLOCKCHAIN_ADAPTER_TAG"), "9.0.5");
  EXPECT_EQ(EnvValue(env, "WORKER_TAG"), "9.2.0");
  EXPECT_EQ(EnvValue(env, "CONFIG_SERVER_URL"), "https://config.example.org");
  EXPECT_EQ(EnvValue(env, "PROD_CONFIG_SERVER_HOST"), "config.example.org");
  // The config server's document, as iexec-common's PublicChainConfig.
  const BundleFile* chain = FindFile(*core, "config-server/chain.json");
  ASSERT_NE(chain, nullptr);
  nlohmann::json j = nlohmann::json::parse(chain->content);
  EXPECT_EQ(j["chainId"], 421614);
  EXPECT_EQ(j["sidechain"], false);
  EXPECT_EQ(j["iexecHubContractAddress"],
            "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E");
  EXPECT_EQ(j["blockTime"], "PT1S");
  EXPECT_EQ(j["chainNodeUrl"], "https://sepolia-rollup.arbitrum.io/rpc");
  EXPECT_THAT(FindFile(*core, "config-server/nginx.conf")->content,
              ::testing::HasSubstr("listen 8888;"));

  const Bundle* w = FindBundle(bundles, "w1");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->compose_files, Names{"docker-compose.yml"});
  YAML::Node wy = Yaml(*w, "docker-compose.yml");
  Names wkeys = EnvKeys(wy["services"]["worker"]);
  EXPECT_THAT(wkeys,
              ::testing::IsSupersetOf(Names{"IEXEC_CORE_URL", "POOL_ADDRESS"}));
  for (const char* v8 : {"IEXEC_CORE_HOST", "IEXEC_CORE_PORT",
                         "IEXEC_CORE_PROTOCOL", "IEXEC_CORE_GRAYLOG_HOST"}) {
    EXPECT_THAT(wkeys, ::testing::Not(::testing::Contains(v8)));
  }
  const std::string& wenv = FindFile(*w, ".env")->content;
  EXPECT_EQ(EnvValue(wenv, "CORE_URL"), "https://core.example.org");
  EXPECT_EQ(EnvValue(wenv, "PROD_POOL_ADDRESS"),
            "0x1111111111111111111111111111111111111111");
}

TEST(RendererV9Test, DevnetPoolRunsSimulatorsAsV93OnTheHostNetwork) {
  std::vector<Bundle> bundles = RenderExample("devnet-pool-v9.yaml");
  ASSERT_EQ(bundles.size(), 2u);
  const Bundle* core = FindBundle(bundles, "core");
  YAML::Node y = Yaml(*core, "docker-compose.yml");
  for (const std::string& s : Keys(y["services"])) {
    EXPECT_THAT(List(y["services"][s]["environment"]),
                ::testing::Contains("POOLOPS_SIM_STACK=v9.3"))
        << s;
  }
  EXPECT_EQ(y["services"]["config-server"]["image"].Scalar(),
            "poolops-sim/config-server:dev");
  Names core_env = List(y["services"]["core"]["environment"]);
  EXPECT_THAT(core_env,
              ::testing::Contains(
                  "IEXEC_CORE_CHAIN_ADAPTER_URL=http://127.0.0.1:13010"));
  EXPECT_THAT(core_env, ::testing::Contains("IEXEC_CORE_PORT=7001"));
  // The operator's override, through .env.
  EXPECT_THAT(core_env,
              ::testing::Contains("IEXEC_CORE_REQUIRED_WORKER_VERSION=${"
                                  "POOLOPS_OVERRIDE_IEXEC_CORE_REQUIRED_"
                                  "WORKER_VERSION}"));
  // No result proxy on the chain: the core's default, not an empty URL.
  EXPECT_THAT(
      EnvKeys(y["services"]["core"]),
      ::testing::Not(::testing::Contains("IEXEC_RESULT_REPOSITORY_URL")));
  const std::string& env = FindFile(*core, ".env")->content;
  EXPECT_EQ(EnvValue(env, "CONFIG_SERVER_URL"), "http://127.0.0.1:8888");
  EXPECT_EQ(EnvValue(env, "CHAIN_IS_SIDECHAIN"), "false");
  const Bundle* w = FindBundle(bundles, "workers-worker0");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(EnvValue(FindFile(*w, ".env")->content, "CORE_URL"),
            "http://127.0.0.1:7001");
}

TEST(RendererV9Test, TdxFeatureAddsThePlatformRegistryAndTdxWorkers) {
  ParsedSpec p = test::LoadExample("arbitrum-sepolia-v9.yaml");
  p.spec.mutable_core()->add_features(v1::FEATURE_TDX);
  p.spec.mutable_images()->set_worker_tag("9.3.0-tdx");
  p.spec.mutable_workers(0)->set_tee(true);
  p.spec.mutable_orders()->set_tag("tee,tdx");
  EXPECT_THAT(ValidateSpec(p.spec, SpecLocations(), test::ExamplesDir()),
              ::testing::IsEmpty());
  auto r = Renderer::Create();
  auto bundles = r->Render(test::FakeInput(p.spec));
  ASSERT_TRUE(bundles.ok()) << bundles.status();
  const Bundle* core = FindBundle(*bundles, "core");
  EXPECT_THAT(core->compose_files,
              ::testing::Contains("docker-compose-tdx.yml"));
  const BundleFile* reg =
      FindFile(*core, "platform-registry-config/application-421614.yml");
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->content,
            "sms:\n  tdx: https://sms.arbitrum-sepolia-testnet.iex.ec\n");
  EXPECT_EQ(FindBundle(*bundles, "w1")->compose_files,
            (Names{"docker-compose.yml", "docker-compose-tdx.yml"}));
  EXPECT_EQ(FindBundle(*bundles, "w2")->compose_files,
            Names{"docker-compose.yml"});
}

TEST(RendererV9Test, RefusesANativeChain) {
  ParsedSpec p = test::LoadExample("devnet-pool-v9.yaml");
  RenderInput in = test::FakeInput(p.spec);
  absl::StatusOr<ChainInfo> native =
      ResolveChain(p.spec, test::DevnetChainFacts());
  ASSERT_TRUE(native.ok());
  in.chain = *native;
  auto r = Renderer::Create();
  auto bundles = r->Render(in);
  ASSERT_FALSE(bundles.ok());
  EXPECT_THAT(bundles.status().message(), ::testing::HasSubstr("PoCo 6 token"));
}

// ------------------------------------------------- docker-compose config --

using test::HaveDockerCompose;

// Writes the bundle and runs `docker-compose -f ... config -q` in it (no
// daemon needed). Returns the output on failure.
std::string ComposeConfig(const Bundle& b, const fs::path& root) {
  fs::path dir = root / b.name;
  fs::create_directories(dir);
  for (const BundleFile& f : b.files) {
    fs::create_directories((dir / f.path).parent_path());
    std::ofstream(dir / f.path) << f.content;
  }
  std::string cmd = absl::StrCat("cd '", dir.string(), "' && docker-compose");
  for (const std::string& f : b.compose_files) absl::StrAppend(&cmd, " -f ", f);
  absl::StrAppend(&cmd, " config -q > .out 2>&1");
  int rc = std::system(cmd.c_str());
  if (rc == 0) return "";
  std::ifstream in(dir / ".out");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(RendererComposeTest, EveryCombinationPassesDockerComposeConfig) {
  if (!HaveDockerCompose())
    POOLOPS_MISSING_TOOL("docker-compose not installed");
  auto r = Renderer::Create();
  ASSERT_TRUE(r.ok());
  ParsedSpec base = test::LoadExample("full-featured.yaml");
  using F = v1::Feature;
  std::vector<std::vector<F>> feature_sets = {
      {},
      {v1::FEATURE_REV_PROXY_HTTP},
      {v1::FEATURE_REV_PROXY_HTTPS},
      {v1::FEATURE_TEE},
      {v1::FEATURE_REV_PROXY_HTTP, v1::FEATURE_TEE},
      {v1::FEATURE_REV_PROXY_HTTPS, v1::FEATURE_TEE},
      {v1::FEATURE_TDX},
      {v1::FEATURE_REV_PROXY_HTTPS, v1::FEATURE_TDX}};
  int checked = 0;
  for (v1::StackVersion version :
       {v1::STACK_VERSION_V7_1, v1::STACK_VERSION_V8_3,
        v1::STACK_VERSION_V9_3}) {
    for (const auto& features : feature_sets) {
      for (v1::NetworkMode net :
           {v1::NETWORK_MODE_BRIDGE, v1::NETWORK_MODE_HOST}) {
        for (bool sims : {false, true}) {
          for (v1::Publisher pub :
               {v1::PUBLISHER_IEXEC, v1::PUBLISHER_POOLOPS}) {
            v1::PoolSpec s = base.spec;
            s.set_stack_version(version);
            s.set_network_mode(net);
            s.mutable_images()->set_simulators(sims);
            s.mutable_images()->clear_core_tag();
            s.mutable_images()->clear_worker_tag();
            s.mutable_orders()->set_publisher(pub);
            s.mutable_core()->clear_features();
            bool tee = false;
            for (F f : features) {
              s.mutable_core()->add_features(f);
              tee |= f == v1::FEATURE_TEE || f == v1::FEATURE_TDX;
              if (f == v1::FEATURE_TDX) {
                s.mutable_images()->set_worker_tag("9.3.0-tdx");
              }
            }
            if (version == v1::STACK_VERSION_V9_3) {
              s.mutable_orders()->clear_tag();
              s.mutable_orders()->clear_max_open_orders();
            }
            for (auto& w : *s.mutable_workers())
              w.set_tee(tee && w.name() == "tee-0");
            if (!ValidateSpec(s, SpecLocations(), test::ExamplesDir())
                     .empty()) {
              continue;  // a combination poolops refuses, with a reason
            }
            std::string label = absl::StrCat(
                StackDir(version), " features=", features.size(),
                features.empty() ? "" : absl::StrCat(":", features[0]),
                " net=", net, " sims=", sims, " pub=", pub);
            auto bundles = r->Render(test::FakeInput(s));
            ASSERT_TRUE(bundles.ok()) << label << bundles.status();
            poolops::test::TempDir tmp;
            for (const Bundle& b : *bundles) {
              if (b.name == "cpu-1") continue;  // same shape as cpu-0
              std::string err = ComposeConfig(b, tmp.path());
              EXPECT_EQ(err, "") << label << " bundle " << b.name;
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 40);
}

TEST(RendererComposeTest, ExamplesPassDockerComposeConfig) {
  if (!HaveDockerCompose())
    POOLOPS_MISSING_TOOL("docker-compose not installed");
  for (const char* example :
       {"readme-v7.1.yaml", "full-featured.yaml", "devnet-pool.yaml",
        "devnet-pool-v9.yaml", "arbitrum-sepolia-v9.yaml"}) {
    std::vector<Bundle> bundles = RenderExample(example);
    poolops::test::TempDir tmp;
    for (const Bundle& b : bundles) {
      EXPECT_EQ(ComposeConfig(b, tmp.path()), "") << example << " " << b.name;
    }
  }
}

}  // namespace
}  // namespace poolops::orchestrator
