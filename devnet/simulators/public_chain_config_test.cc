// The chain config as the 9.x core and workers read it, the config-server
// simulator's file check, the wait for a service to answer (on a fake
// clock), and the 9.x worker's start-up reads (fake HTTP).
#include "devnet/simulators/public_chain_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "devnet/simulators/answer_wait.h"
#include "devnet/simulators/config_server_simulator.h"
#include "devnet/simulators/worker_v9.h"

namespace poolops::sim {
namespace {

const char kWorkerPool[] = "0x365E7BABAa85eC61Dffe5b520763062e6C29dA27";

nlohmann::json GoodConfig() {
  return {
      {"chainId", 65535},
      {"sidechain", true},
      {"chainNodeUrl", "http://127.0.0.1:8545"},
      {"iexecHubContractAddress", "0xc4b11f41746D3Ad8504da5B383E1aB9aa969AbC7"},
      {"blockTime", "PT0.25S"}};
}

std::string Without(const std::string& field) {
  nlohmann::json j = GoodConfig();
  j.erase(field);
  return j.dump();
}

std::string WithField(const std::string& field, const nlohmann::json& value) {
  nlohmann::json j = GoodConfig();
  j[field] = value;
  return j.dump();
}

void ExpectBadField(const std::string& json, const std::string& field) {
  auto c = ParsePublicChainConfig(json);
  ASSERT_FALSE(c.ok()) << json;
  EXPECT_TRUE(absl::StrContains(c.status().message(), field))
      << c.status().message();
}

TEST(PublicChainConfigTest, ParsesTheFiveFields) {
  auto c = ParsePublicChainConfig(GoodConfig().dump());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->chain_id, 65535);
  EXPECT_TRUE(c->sidechain);
  EXPECT_EQ(c->chain_node_url, "http://127.0.0.1:8545");
  EXPECT_EQ(c->hub_address, "0xc4b11f41746D3Ad8504da5B383E1aB9aa969AbC7");
  EXPECT_EQ(c->block_time, absl::Milliseconds(250));
  EXPECT_EQ(ParsePublicChainConfig(WithField("blockTime", "PT5S"))->block_time,
            absl::Seconds(5));
  EXPECT_EQ(ParsePublicChainConfig(WithField("blockTime", "PT1S"))->block_time,
            absl::Seconds(1));
}

TEST(PublicChainConfigTest, NamesTheMissingOrMistypedField) {
  for (const char* field : {"chainId", "sidechain", "chainNodeUrl",
                            "iexecHubContractAddress", "blockTime"}) {
    ExpectBadField(Without(field), field);
  }
  ExpectBadField(WithField("chainId", "65535"), "chainId");
  ExpectBadField(WithField("chainId", 0), "chainId");
  ExpectBadField(WithField("sidechain", "true"), "sidechain");
  ExpectBadField(WithField("chainNodeUrl", 8545), "chainNodeUrl");
  ExpectBadField(WithField("chainNodeUrl", "127.0.0.1:8545"), "chainNodeUrl");
  ExpectBadField(WithField("iexecHubContractAddress", "0x12"),
                 "iexecHubContractAddress");
  ExpectBadField(WithField("iexecHubContractAddress",
                           "0x0000000000000000000000000000000000000000"),
                 "iexecHubContractAddress");
  ExpectBadField(WithField("blockTime", 5), "blockTime");
  ExpectBadField(WithField("blockTime", "5"), "blockTime");
  ExpectBadField(WithField("blockTime", "PT0.05S"), "blockTime");
  ExpectBadField(WithField("blockTime", "PT21S"), "blockTime");
  EXPECT_FALSE(ParsePublicChainConfig("[]").ok());
  EXPECT_FALSE(ParsePublicChainConfig("not json").ok());
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigServerTest, ChecksTheFileAndServesItsBytes) {
  EXPECT_EQ(ConfigServerFile({}), "/usr/share/nginx/html/config/chain");
  EXPECT_EQ(ConfigServerFile({{"POOLOPS_SIM_CONFIG_FILE", "/c.json"}}),
            "/c.json");
  // The bytes as written, spacing included (nginx does not re-encode).
  std::string text = GoodConfig().dump(2) + "\n";
  std::string good = WriteFile("chain-good.json", text);
  auto checked = CheckConfigServerFile(good);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->chain_id, 65535);
  HttpResponse r =
      HandleConfigServer(good, {"GET", "/config/chain", "", {}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, text);
  EXPECT_EQ(HandleConfigServer(good, {"GET", "/config", "", {}, ""}).status,
            404);
  EXPECT_EQ(
      HandleConfigServer(good, {"POST", "/config/chain", "", {}, ""}).status,
      404);
  EXPECT_EQ(HandleConfigServer("/nonexistent/chain",
                               {"GET", "/config/chain", "", {}, ""})
                .status,
            404);

  std::string bad = WriteFile("chain-bad.json", WithField("blockTime", "5"));
  auto refused = CheckConfigServerFile(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StrContains(refused.status().message(), bad));
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "blockTime"));
  auto missing = CheckConfigServerFile("/nonexistent/chain");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(
      absl::StrContains(missing.status().message(), "POOLOPS_SIM_CONFIG_FILE"));
}

// Answers each URL with its queue of results, then repeats the last one.
class FakeGet {
 public:
  void Add(const std::string& url, absl::StatusOr<HttpResponse> r) {
    answers_[url].push_back(std::move(r));
  }
  HttpGet AsGet() {
    return [this](const std::string& url) -> absl::StatusOr<HttpResponse> {
      calls.push_back(url);
      auto it = answers_.find(url);
      if (it == answers_.end()) return absl::UnavailableError("refused");
      if (it->second.size() > 1) {
        auto r = it->second.front();
        it->second.erase(it->second.begin());
        return r;
      }
      return it->second.front();
    };
  }
  std::vector<std::string> calls;

 private:
  std::map<std::string, std::vector<absl::StatusOr<HttpResponse>>> answers_;
};

TEST(AnswerWaitTest, RetriesEverySecondWhileNothingAnswers) {
  FakeClock clock;
  AnswerWait wait{absl::Seconds(30), absl::Seconds(1), &clock};
  FakeGet get;
  get.Add("http://c/x", absl::UnavailableError("refused"));
  get.Add("http://c/x", absl::DeadlineExceededError("slow"));
  get.Add("http://c/x", HttpResponse{503, "text/plain", "starting"});
  get.Add("http://c/x", HttpResponse{200, "application/json", "{}"});
  auto r = GetWhenAnswered("http://c/x", get.AsGet(), wait);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "{}");
  EXPECT_EQ(get.calls.size(), 4u);
  EXPECT_EQ(clock.sleeps(), std::vector<absl::Duration>(3, absl::Seconds(1)));
}

TEST(AnswerWaitTest, GivesUpAfterTheWaitAndNamesTheUrl) {
  FakeClock clock;
  AnswerWait wait{absl::Seconds(30), absl::Seconds(1), &clock};
  FakeGet get;
  auto r =
      GetWhenAnswered("http://config:8888/config/chain", get.AsGet(), wait);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnavailable(r.status()));
  EXPECT_TRUE(absl::StrContains(r.status().message(),
                                "http://config:8888/config/chain"));
  EXPECT_EQ(clock.slept(), absl::Seconds(30));
  // Wait 0: one attempt, no sleep.
  FakeClock once;
  AnswerWait none{absl::ZeroDuration(), absl::Seconds(1), &once};
  get.calls.clear();
  EXPECT_FALSE(GetWhenAnswered("http://c/y", get.AsGet(), none).ok());
  EXPECT_EQ(get.calls.size(), 1u);
  EXPECT_EQ(once.slept(), absl::ZeroDuration());
  // Not an unreachable service: no retry.
  get.Add("http://c/z", absl::InvalidArgumentError("bad url"));
  get.calls.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(
      GetWhenAnswered("http://c/z", get.AsGet(), wait).status()));
  EXPECT_EQ(get.calls.size(), 1u);
}

TEST(AnswerWaitTest, ReadsTheWaitFromEnv) {
  absl::Notification stop;
  EXPECT_EQ(AnswerWaitFromEnv({}, "core", &stop)->wait, absl::Seconds(30));
  EXPECT_EQ(
      AnswerWaitFromEnv({{"POOLOPS_SIM_CONFIG_WAIT_MS", "1500"}}, "core", &stop)
          ->wait,
      absl::Milliseconds(1500));
  EXPECT_FALSE(
      AnswerWaitFromEnv({{"POOLOPS_SIM_CONFIG_WAIT_MS", "-1"}}, "core", &stop)
          .ok());
}

WorkerConfig V9Worker() {
  return *WorkerConfigFromEnv({{"POOLOPS_SIM_STACK", "v9.3"},
                               {"IEXEC_CORE_URL", "http://core:13000"},
                               {"POOL_ADDRESS", kWorkerPool}},
                              2);
}

std::string WorkersConfig(const std::string& pool,
                          const std::string& config_server) {
  nlohmann::json j = {{"workerPoolAddress", pool},
                      {"schedulerPublicAddress", ""},
                      {"resultRepositoryURL", "http://localhost:13200"},
                      {"askForReplicatePeriod", 5000},
                      {"requiredWorkerVersion", ""}};
  if (!config_server.empty()) j["configServerUrl"] = config_server;
  return j.dump();
}

TEST(WorkerV9StartupTest, ReadsTheCoreThenTheConfigServerItNames) {
  FakeClock clock;
  AnswerWait wait{absl::Seconds(30), absl::Seconds(1), &clock};
  FakeGet get;
  get.Add("http://core:13000/workers/config",
          absl::UnavailableError("refused"));  // the core starts later
  get.Add("http://core:13000/workers/config",
          HttpResponse{200, "application/json",
                       WorkersConfig(absl::AsciiStrToLower(kWorkerPool),
                                     "http://config:8888")});
  get.Add("http://config:8888/config/chain",
          HttpResponse{200, "application/json", GoodConfig().dump()});
  auto chain = WorkerV9Startup(V9Worker(), get.AsGet(), wait);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(chain->chain_id, 65535);
  EXPECT_EQ(get.calls,
            (std::vector<std::string>{"http://core:13000/workers/config",
                                      "http://core:13000/workers/config",
                                      "http://config:8888/config/chain"}));
}

TEST(WorkerV9StartupTest, RefusesAnotherPoolNamingBoth) {
  const std::string other = "0x00000000000000000000000000000000000000f1";
  FakeClock clock;
  AnswerWait wait{absl::Seconds(30), absl::Seconds(1), &clock};
  FakeGet get;
  get.Add("http://core:13000/workers/config",
          HttpResponse{200, "application/json",
                       WorkersConfig(other, "http://config:8888")});
  auto chain = WorkerV9Startup(V9Worker(), get.AsGet(), wait);
  ASSERT_FALSE(chain.ok());
  EXPECT_TRUE(absl::StrContains(chain.status().message(), kWorkerPool));
  EXPECT_TRUE(absl::StrContains(chain.status().message(), other));
  EXPECT_EQ(get.calls.size(), 1u);  // the config server is not asked
}

TEST(WorkerV9StartupTest, RefusesA7xCoreAndABadChainConfig) {
  FakeClock clock;
  AnswerWait wait{absl::Seconds(30), absl::Seconds(1), &clock};
  FakeGet get;
  get.Add(
      "http://core:13000/workers/config",
      HttpResponse{200, "application/json", WorkersConfig(kWorkerPool, "")});
  auto old_core = WorkerV9Startup(V9Worker(), get.AsGet(), wait);
  ASSERT_FALSE(old_core.ok());
  EXPECT_TRUE(
      absl::StrContains(old_core.status().message(), "configServerUrl"));

  FakeGet bad;
  bad.Add("http://core:13000/workers/config",
          HttpResponse{200, "application/json",
                       WorkersConfig(kWorkerPool, "http://config:8888")});
  bad.Add(
      "http://config:8888/config/chain",
      HttpResponse{200, "application/json", WithField("blockTime", "PT21S")});
  auto chain = WorkerV9Startup(V9Worker(), bad.AsGet(), wait);
  ASSERT_FALSE(chain.ok());
  EXPECT_TRUE(absl::StrContains(chain.status().message(), "blockTime"));
  EXPECT_TRUE(absl::StrContains(chain.status().message(),
                                "http://config:8888/config/chain"));
}

}  // namespace
}  // namespace poolops::sim
