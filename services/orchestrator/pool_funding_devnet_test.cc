// examples/devnet-pool-v9.yaml's chain steps for real, without docker: the
// built poolctl in a temp home starts the arbitrum devnet (PoCo 6.1.0, RLC
// token, EIP-1559) and the local suite, then `pool up`. No docker is
// reachable (DOCKER_HOST names a socket nothing listens on), so `up` stops
// at deploy-core, after its chain steps ran against the chain: the wallets
// created in the vault, funded from the devnet's accounts, the workerpool
// registered and 1 RLC staked by its owner, each paying its own gas. A
// second `up` registers and stakes nothing new and funds only what the
// owner spent. There is no docker-free mode of `pool up`: its first steps
// have no undo and are what this test is about.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/containers/exec.h"

namespace {

namespace fs = std::filesystem;
using ::poolops::test::Result;
using ::poolops::test::Slurp;
using ::testing::HasSubstr;

// A decimal string as a number (amounts here fit 64 bits: < 1.8e19).
unsigned long long Dec(const nlohmann::json& j) {
  return j.is_string() ? std::stoull(j.get<std::string>()) : 0;
}

class PoolFundingDevnet : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-fund-XXXXXX";  // short: socket paths
    home_ = ::mkdtemp(tmpl.data());
    ::setenv("POOLOPS_BIN_DIR", POOLOPS_BIN_DIR_PATH, 1);
    ::unsetenv("POOLOPS_HOME");
    // The suite poolctl starts inherits it: no compose reaches a daemon.
    ::setenv(
        "DOCKER_HOST",
        absl::StrCat("unix://", (home_ / "no-docker.sock").string()).c_str(),
        1);
  }
  void TearDown() override {
    Run("services down");
    Run("devnet reset");
    ::unsetenv("DOCKER_HOST");
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  // poolctl in the temp home; `args` split on spaces (no argument here has
  // one), run without a shell.
  Result Run(const std::string& args) {
    std::vector<std::string> argv = {POOLCTL_PATH, "--home", home_.string()};
    for (absl::string_view a : absl::StrSplit(args, ' ', absl::SkipEmpty())) {
      argv.emplace_back(a);
    }
    return poolops::test::Exec(home_, argv);
  }

  // The example in the temp home (its local: targets land there), with
  // `chain` instead of the devnet when given.
  fs::path Spec(const std::string& chain = "devnet") {
    std::string text = Slurp(fs::path(POOLOPS_SOURCE_DIR) / "examples" /
                             "devnet-pool-v9.yaml");
    text = absl::StrReplaceAll(
        text, {{"\nchain: devnet\n", absl::StrCat("\nchain: ", chain, "\n")}});
    fs::path p = home_ / "spec" / absl::StrCat(chain, ".yaml");
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

  fs::path home_;
};

TEST_F(PoolFundingDevnet, UpFundsRegistersAndStakesOnTheArbitrumDevnet) {
  Result r = Run("--json devnet up --flavour arbitrum");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_EQ(r.json["poco"], "6.1.0") << r.out;
  const fs::path spec = Spec();
  r = Run(absl::StrCat("--json pool validate -f ", spec.string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  r = Run(absl::StrCat("--json pool up -f ", spec.string()));
  // Without docker the core cannot start: the first step that needs it.
  EXPECT_NE(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("fund-wallets devnet: done"));
  EXPECT_THAT(r.err, HasSubstr("devnet-v9-core: topped up"));
  EXPECT_THAT(r.err, HasSubstr("register-workerpool devnet: done registered"));
  EXPECT_THAT(r.err, HasSubstr("ensure-stake devnet: done"));
  EXPECT_THAT(r.err, HasSubstr("deploy "));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("ensure-stake devnet: FAILED")));

  // On chain: the owner's stake (GetAccount) and its workerpool, the
  // workers' funds.
  r = Run("--json account show devnet-v9-core");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_GE(Dec(r.json["stake"]), 1'000'000'000ull) << r.out;
  r = Run("--json workerpool list --owner devnet-v9-core");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_EQ(r.json["workerpools"].size(), 1u) << r.out;
  EXPECT_EQ(r.json["workerpools"][0]["description"], "poolops devnet v9 pool");
  for (const char* worker : {"devnet-v9-worker0", "devnet-v9-worker1"}) {
    r = Run(absl::StrCat("--json wallet show ", worker));
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_GE(Dec(r.json["native"]), 1'000'000'000'000'000'000ull) << r.out;
    EXPECT_GE(Dec(r.json["rlc"]), 10'000'000'000ull) << r.out;
  }
  // The owner paid its gas (EIP-1559) from the ETH it was given.
  r = Run("--json wallet show devnet-v9-core");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_LT(Dec(r.json["native"]), 1'000'000'000'000'000'000ull) << r.out;
  EXPECT_GT(Dec(r.json["native"]), 0ull) << r.out;
  EXPECT_EQ(Dec(r.json["rlc"]), 9'000'000'000ull) << r.out;

  // Again: the workers hold their funds already (nothing sent); the owner
  // gets back to 1 ETH and 10 RLC (what it spent on gas and staked); it is
  // registered and staked already.
  r = Run(absl::StrCat("--json pool up -f ", spec.string()));
  EXPECT_NE(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("devnet-v9-core: topped up"));
  EXPECT_THAT(r.err, HasSubstr("devnet-v9-worker0: funded already"));
  EXPECT_THAT(r.err, HasSubstr("devnet-v9-worker1: funded already"));
  EXPECT_THAT(r.err, HasSubstr("register-workerpool devnet: skipped"));
  r = Run("--json wallet show devnet-v9-core");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(Dec(r.json["native"]), 1'000'000'000'000'000'000ull) << r.out;
  EXPECT_EQ(Dec(r.json["rlc"]), 10'000'000'000ull) << r.out;
  r = Run("--json account show devnet-v9-core");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(Dec(r.json["stake"]), 1'000'000'000ull) << r.out;
  r = Run("--json workerpool list --owner devnet-v9-core");
  EXPECT_EQ(r.json["workerpools"].size(), 1u) << r.out;

  // Anywhere else funding is refused: by `pool validate` for the spec, by
  // chain-gateway for `devnet fund`.
  r = Run(absl::StrCat("--json pool validate -f ",
                       Spec("arbitrum-sepolia-testnet").string()));
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("funding: devnet only")) << r.out;
  r =
      Run("--json --chain arbitrum-mainnet devnet fund --wallet "
          "devnet-v9-core");
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_EQ(r.json["error"]["code"], "FAILED_PRECONDITION") << r.out;
}

}  // namespace
