// poolctl pool validate|render|plan end to end: the built poolctl against a
// temp home (it starts the local suite: the real vault creates the wallets),
// the CLI.md --json contract and exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
  nlohmann::json json;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PoolCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = "/tmp/poolops-pcli-XXXXXX";
    home_ = ::mkdtemp(tmpl.data());
    ::setenv("POOLOPS_BIN_DIR", POOLOPS_BIN_DIR_PATH, 1);
    ::unsetenv("POOLOPS_HOME");
  }
  static void TearDownTestSuite() {
    Run("--json services down");
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  static Result Run(const std::string& args) {
    fs::path out = home_ / ".out", err = home_ / ".err";
    std::string cmd =
        absl::StrCat(POOLCTL_PATH, " --home ", home_.string(), " ", args, " >",
                     out.string(), " 2>", err.string());
    int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    r.json = nlohmann::json::parse(r.out, nullptr, false);
    return r;
  }

  // Not running (reaped, or a zombie its parent has not reaped yet).
  static bool Exited(int pid) {
    std::string stat = Slurp(fs::path("/proc") / std::to_string(pid) / "stat");
    size_t paren = stat.rfind(')');
    return paren == std::string::npos || stat.substr(paren + 2, 1) == "Z";
  }

  static std::string Example(const std::string& name) {
    return (fs::path(POOLOPS_SOURCE_DIR) / "examples" / name).string();
  }

  inline static fs::path home_;
};

TEST_F(PoolCliTest, ValidateExamples) {
  for (const char* name : {"readme-v7.1.yaml", "full-featured.yaml"}) {
    Result r = Run(absl::StrCat("--json pool validate -f ", Example(name)));
    EXPECT_EQ(r.code, 0) << name << r.out << r.err;
    EXPECT_EQ(r.json, nlohmann::json({{"ok", true}})) << r.out;
  }
}

TEST_F(PoolCliTest, ValidateNamesEveryBadFieldWithItsLine) {
  fs::path spec = home_ / "bad.yaml";
  std::ofstream(spec)
      << "name: Bad Name\n"
         "chain: bellecour\n"
         "workerpool: {owner_wallet: core, description: d}\n"
         "core:\n"
         "  target: ftp://nowhere\n"
         "  host: core.example\n"
         "workers:\n"
         "  - {name: w0, target: 'local:/tmp/x', wallet: core}\n";
  Result r = Run(absl::StrCat("--json pool validate -f ", spec.string()));
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  ASSERT_TRUE(r.json.is_object()) << r.out;
  EXPECT_EQ(r.json["error"]["code"], "INVALID_ARGUMENT");
  std::string msg = r.json["error"]["message"];
  EXPECT_THAT(msg, ::testing::HasSubstr(spec.string() + ":1 name:"));
  EXPECT_THAT(msg, ::testing::HasSubstr(spec.string() + ":5 core.target:"));
  EXPECT_THAT(msg, ::testing::HasSubstr("workers[0].wallet"));
  // A YAML syntax error, and a missing file.
  std::ofstream(home_ / "syntax.yaml") << "name: [\n";
  r = Run(absl::StrCat("--json pool validate -f ",
                       (home_ / "syntax.yaml").string()));
  EXPECT_EQ(r.code, 2) << r.out;
  r = Run("--json pool validate -f /nonexistent.yaml");
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(r.json.contains("error")) << r.out;
}

TEST_F(PoolCliTest, RenderWritesBundlesWithSafeModesThenPlan) {
  fs::path out = home_ / "rendered";
  Result r =
      Run(absl::StrCat("--json pool render -f ", Example("readme-v7.1.yaml"),
                       " --out ", out.string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_TRUE(r.json.contains("files")) << r.out;
  std::vector<std::string> files = r.json["files"];
  EXPECT_THAT(files, ::testing::Contains((out / "core/.env").string()));
  EXPECT_THAT(files, ::testing::Contains((out / "core/wallet.json").string()));
  EXPECT_THAT(files,
              ::testing::Contains((out / "worker0/wallet-0.json").string()));
  EXPECT_THAT(files, ::testing::Contains(
                         (out / "worker0/docker-compose.yml").string()));
  struct stat st;
  ASSERT_EQ(::stat((out / "core/.env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((out / "worker0/wallet-0.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Render hands back no secret the caller did not send: the keystore
  // stays in the vault, the generated passwords in the orchestrator's home.
  nlohmann::json ks =
      nlohmann::json::parse(Slurp(out / "core/wallet.json"), nullptr, false);
  EXPECT_FALSE(ks.contains("crypto") || ks.contains("Crypto")) << ks.dump();
  EXPECT_THAT(ks.value("redacted", ""), ::testing::HasSubstr("wallet export"));
  std::string env = Slurp(out / "core/.env");
  EXPECT_THAT(env, ::testing::HasSubstr("CHAIN_ID=134\n"));
  nlohmann::json stored = nlohmann::json::parse(
      Slurp(home_ / "pools/readme/secrets.json"), nullptr, false);
  ASSERT_TRUE(stored.is_object() && stored.contains("PROD_MONGO_PASSWORD"))
      << stored.dump();
  for (const auto& [key, value] : stored.items()) {
    std::string secret = value;
    EXPECT_EQ(env.find(secret), std::string::npos) << key;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << key;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << key;
  }
  EXPECT_THAT(env, ::testing::HasSubstr("PROD_MONGO_PASSWORD='(redacted)"));
  // Rendering again gives the same files.
  Result again =
      Run(absl::StrCat("--json pool render -f ", Example("readme-v7.1.yaml"),
                       " --out ", (home_ / "again").string()));
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_EQ(Slurp(home_ / "again/core/.env"), env);

  Result plan =
      Run(absl::StrCat("--json pool plan -f ", Example("readme-v7.1.yaml")));
  ASSERT_EQ(plan.code, 0) << plan.out << plan.err;
  std::vector<std::string> steps;
  for (const auto& a : plan.json["actions"]) {
    steps.push_back(a["step"]);
    EXPECT_TRUE(a.contains("target") && a.contains("detail"));
  }
  EXPECT_THAT(steps, ::testing::Contains("register-workerpool"));
  EXPECT_THAT(steps, ::testing::Contains("compose-up"));
  EXPECT_THAT(steps, ::testing::Contains("wait-workers-alive"));
  EXPECT_THAT(steps, ::testing::Not(::testing::Contains("create-wallet")));
}

// poolctl reads the spec's secret files and sends them: those (and only
// those) come back in the render.
TEST_F(PoolCliTest, RenderCarriesTheSecretsTheClientSent) {
  fs::path out = home_ / "full";
  Result r =
      Run(absl::StrCat("--json pool render -f ", Example("full-featured.yaml"),
                       " --out ", out.string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::string core_env = Slurp(out / "core/.env");
  EXPECT_THAT(
      core_env,
      ::testing::HasSubstr(
          "PROD_GRAFANA_ADMIN_PASSWORD=example-grafana-password-change-me"));
  EXPECT_THAT(
      core_env,
      ::testing::HasSubstr(
          "PROD_CORE_WALLET_PASSWORD=example-owner-password-change-me"));
  EXPECT_THAT(core_env,
              ::testing::HasSubstr("PROD_MONGO_PASSWORD='(redacted)"));
}

// A symlink planted in --out is refused, not followed.
TEST_F(PoolCliTest, RenderDoesNotFollowASymlinkInsideOut) {
  fs::path out = home_ / "planted", outside = home_ / "outside";
  fs::create_directories(out);
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, out / "core");
  Result r =
      Run(absl::StrCat("--json pool render -f ", Example("readme-v7.1.yaml"),
                       " --out ", out.string()));
  EXPECT_NE(r.code, 0) << r.out << r.err;
  ASSERT_TRUE(r.json.is_object()) << r.out;
  EXPECT_EQ(r.json["error"]["code"], "FAILED_PRECONDITION") << r.out;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_F(PoolCliTest, HostileSpecsAreRefusedNamingTheFile) {
  struct Case {
    std::string name, text, want;
  };
  std::string bomb =
      "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    absl::StrAppend(&bomb, "a", i, ": &a", i, " [");
    for (int k = 0; k < 10; ++k)
      absl::StrAppend(&bomb, k ? ", " : "", "*a", i - 1);
    absl::StrAppend(&bomb, "]\n");
  }
  std::string many =
      "name: p\nchain: bellecour\nworkerpool: {owner_wallet: o, description: "
      "d}\ncore: {target: 'local:/x', host: h.example}\nworkers:\n";
  for (int i = 0; i <= 1000; ++i) {
    absl::StrAppend(&many, "  - {name: w", i, ", target: 'local:/x', wallet: w",
                    i, "}\n");
  }
  const Case cases[] = {
      // Read by poolctl: never sent (proto strings are UTF-8).
      {"binary.yaml",
       std::string("\x7f"
                   "ELF\x02\x01\x01\0\0name: p\n",
                   17),
       ":1: control character 0x7f"},
      {"latin1.yaml", "name: p\nworkerpool: {description: caf\xe9}\n",
       ":2: not UTF-8 text"},
      // Checked by the orchestrator.
      {"bomb.yaml", bomb + "name: *a9\n", ": more than 100000 values"},
      {"dup.yaml",
       "name: p\nchain: bellecour\ncore: {host: a}\ncore: {host: b}\n",
       ":4 core: duplicate key 'core' at lines 3 and 4"},
      {"ssh.yaml",
       "name: p\nchain: bellecour\ncore: {target: "
       "'ssh://-oProxyCommand=id/srv', host: h}\n",
       ":3 core.target: target 'ssh://-oProxyCommand=id/srv'"},
      {"many.yaml", many, ":5 workers: 1001 workers; a pool has at most 1000"},
  };
  for (const Case& c : cases) {
    fs::path spec = home_ / c.name;
    std::ofstream(spec, std::ios::binary) << c.text;
    Result r = Run(absl::StrCat("--json pool validate -f ", spec.string()));
    EXPECT_EQ(r.code, 2) << c.name << r.out << r.err;
    ASSERT_TRUE(r.json.is_object()) << c.name << r.out;
    EXPECT_EQ(r.json["error"]["code"], "INVALID_ARGUMENT") << c.name << r.out;
    std::string msg = r.json["error"].value("message", "");
    EXPECT_THAT(msg, ::testing::HasSubstr(spec.string() + c.want)) << c.name;
  }
}

// The orchestrator asks chain-gateway for every chain that is not a preset:
// a chain added with `poolctl chain add` is valid at once; with the gateway
// gone, validate and render say so instead of "not found".
TEST_F(PoolCliTest, AChainAddedToTheGatewayIsSeenByValidateAndRender) {
  fs::path spec = home_ / "mine.yaml";
  std::string target = "local:" + (home_ / "mine-bundles").string();
  std::ofstream(spec) << absl::StrCat(
      "name: mine\nchain: mine\n",
      "workerpool: {owner_wallet: mine-core, description: d}\n",
      "core: {target: '", target, "', host: h.example}\n", "workers:\n",
      "  - {name: w0, target: '", target, "', wallet: mine-w0}\n");
  const std::string validate = "--json pool validate -f " + spec.string();
  Result r = Run(validate);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  std::string msg =
      r.json.is_object() ? r.json["error"].value("message", "") : "";
  EXPECT_THAT(msg,
              ::testing::HasSubstr(spec.string() +
                                   ":2 chain: chain 'mine' is not a preset"));
  EXPECT_THAT(msg,
              ::testing::HasSubstr("give chain_params.rpc, hub and chain_id"));

  const std::string add =
      "--json chain add mine --rpc http://127.0.0.1:8545 --hub "
      "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512 --chain-id 4242 --native "
      "--market http://127.0.0.1:3000";
  r = Run(add);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  r = Run(validate);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.json, nlohmann::json({{"ok", true}})) << r.out;
  fs::path out = home_ / "mine-rendered";
  r = Run(absl::StrCat("--json pool render -f ", spec.string(), " --out ",
                       out.string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::string env = Slurp(out / "core/.env");
  EXPECT_THAT(env, ::testing::HasSubstr("CHAIN_ID=4242\n"));
  EXPECT_THAT(env, ::testing::HasSubstr("CHAIN_URL=http://127.0.0.1:8545\n"));

  // The gateway stops (this test's suite, by its pid); the orchestrator
  // stays up, so poolctl starts nothing.
  nlohmann::json run = nlohmann::json::parse(
      Slurp(home_ / "run/chain-gateway.json"), nullptr, false);
  ASSERT_TRUE(run.is_object() && run.contains("pid")) << run.dump();
  const int pid = run["pid"].get<int>();
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  for (int i = 0; i < 200 && !Exited(pid); ++i) ::usleep(50 * 1000);
  ASSERT_TRUE(Exited(pid));
  r = Run(validate);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  msg = r.json.is_object() ? r.json["error"].value("message", "") : "";
  EXPECT_THAT(msg, ::testing::HasSubstr(
                       ":2 chain: chain 'mine' is not a preset (bellecour) and "
                       "chain-gateway, which holds the other chains, cannot be "
                       "reached: "));
  EXPECT_THAT(msg, ::testing::Not(::testing::HasSubstr("chain_params")));
  r = Run(absl::StrCat("--json pool render -f ", spec.string(), " --out ",
                       (home_ / "mine-again").string()));
  // Not the spec's fault: UNAVAILABLE (exit 6), so that a script retries.
  EXPECT_EQ(r.code, 6) << r.out << r.err;
  ASSERT_TRUE(r.json.is_object()) << r.out;
  EXPECT_EQ(r.json["error"]["code"], "UNAVAILABLE") << r.out;
  EXPECT_THAT(r.json["error"].value("message", ""),
              ::testing::HasSubstr("chain-gateway, which holds the other "
                                   "chains, cannot be reached: "));
  EXPECT_FALSE(fs::exists(home_ / "mine-again" / "core"));
  // Back for whatever runs next in this home.
  r = Run("--json services up");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

TEST_F(PoolCliTest, HistoryOfAnUnknownPoolIsNotFound) {
  Result r = Run("--json pool history nope");
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_EQ(r.json["error"]["code"], "NOT_FOUND");
}

}  // namespace
