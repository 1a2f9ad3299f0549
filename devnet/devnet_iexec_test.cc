// The chain.json that `devnet up` writes, read by the real iexec 8.24.0 CLI
// (npm): it finds the hub, sees a native chain, and reads dev balances.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "devnet/devnet.h"
#include "devnet/devnet_test_support.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"

namespace poolops::devnet {
namespace {
namespace fs = std::filesystem;

// The iexec 8.24.0 CLI by its package's path (node_modules/.bin/iexec is
// whichever installed CLI linked it last: 8.24.0 or 9.x).
fs::path IexecCli8() {
  return NpmDir() / "iexec" / "dist" / "esm" / "cli" / "cmd" / "iexec.js";
}
// iexec 9.0.1 (npm alias iexec9): Arbitrum only, strict chain.json.
fs::path IexecCli9() {
  return NpmDir() / "iexec9" / "dist" / "esm" / "cli" / "cmd" / "iexec.js";
}

// Runs the iexec CLI in `dir` (where chain.json is) on chain devnet and
// returns its --raw JSON (discarded when the output is not JSON).
nlohmann::json Iexec(const fs::path& dir, const std::string& args,
                     const fs::path& cli = IexecCli8()) {
  std::string command =
      absl::StrCat("cd '", dir.string(), "' && '", cli.string(), "' ", args,
                   " --raw --chain devnet 2>&1");
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    pclose(p);
  }
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "iexec " << args << ": " << out;
  EXPECT_TRUE(!j.is_discarded() && j.value("ok", false))
      << "iexec " << args << ": " << out;
  return j;
}

class DevnetIexecTest : public ::testing::Test {
 protected:
  void TearDown() override { (void)DevnetReset(home_.path()); }
  poolops::test::TempDir home_;
  poolops::test::TempDir work_;
};

TEST_F(DevnetIexecTest, TheIexecCliReadsTheChainJson) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  ASSERT_TRUE(fs::exists(IexecCli8()))
      << "the iexec 8.24.0 CLI is missing (run scripts/test or npm install "
         "in tests/interop)";
  DevnetOptions options;
  options.home = home_.path();
  absl::StatusOr<DevnetState> up = DevnetUp(options);
  ASSERT_TRUE(up.ok()) << up.status();

  // The SDK's chain.json shape; devnet is the home's default chain.
  absl::StatusOr<std::string> text = files::ReadFile(up->chain_json);
  ASSERT_TRUE(text.ok());
  nlohmann::json doc = nlohmann::json::parse(*text);
  EXPECT_EQ(doc["default"], "devnet");
  const nlohmann::json& chain = doc["chains"]["devnet"];
  EXPECT_EQ(chain["id"], "65535");  // a string, as the SDK wants
  EXPECT_EQ(chain["host"], up->rpc);
  EXPECT_EQ(chain["hub"], "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(chain["native"], true);
  EXPECT_EQ(chain["useGas"], false);
  EXPECT_EQ(chain.contains("iexecGateway"), !up->market.empty());
  EXPECT_EQ(*files::ReadFile(home_.path() / "chains" / "default"), "devnet\n");

  fs::copy_file(up->chain_json, work_.path() / "chain.json");
  nlohmann::json info = Iexec(work_.path(), "info");
  EXPECT_EQ(info["hubAddress"], "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(info["useNative"], true);
  EXPECT_EQ(info["workerpoolRegistryAddress"],
            "0xf5059a5D33d5853360D16C683c16e67980206f36");

  // A funded dev account: 10,000 coins = 10,000 RLC = 1e13 nRLC, no stake.
  ASSERT_GE(up->accounts.size(), 2u);
  std::string address = up->accounts[1].address.ToChecksum();
  nlohmann::json wallet = Iexec(work_.path(), "wallet show " + address);
  EXPECT_EQ(wallet["balance"]["nRLC"], "10000000000000") << wallet.dump();
  nlohmann::json account = Iexec(work_.path(), "account show " + address);
  EXPECT_EQ(account["balance"]["stake"], "0") << account.dump();
  nlohmann::json category = Iexec(work_.path(), "category show 4");
  EXPECT_EQ(category["category"]["name"], "XL") << category.dump();

  // The key file is the account's key, readable by the owner only.
  struct stat st;
  ASSERT_EQ(stat(up->accounts[1].private_key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// The token flavour (as Arbitrum): the SDK sees a token chain and reads the
// dev accounts' RLC on the deployed token.
TEST_F(DevnetIexecTest, TokenFlavourIsATokenChainForTheIexecCli) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetOptions options;
  options.home = home_.path();
  options.flavour = Flavour::kToken;
  absl::StatusOr<DevnetState> up = DevnetUp(options);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->flavour, "token");
  nlohmann::json doc = nlohmann::json::parse(*files::ReadFile(up->chain_json));
  EXPECT_FALSE(doc["chains"]["devnet"].contains("native"));

  fs::copy_file(up->chain_json, work_.path() / "chain.json");
  nlohmann::json info = Iexec(work_.path(), "info");
  EXPECT_EQ(info["hubAddress"], "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(info["useNative"], false);
  EXPECT_EQ(info["rlcAddress"], up->deployment.token.ToChecksum())
      << info.dump();
  std::string address = up->accounts[1].address.ToChecksum();
  nlohmann::json wallet = Iexec(work_.path(), "wallet show " + address);
  EXPECT_EQ(wallet["balance"]["nRLC"], "10000000000000") << wallet.dump();

  // Down and up: the token chain comes back as saved, not redeployed; an up
  // asking for the native flavour redeploys.
  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  absl::StatusOr<DevnetState> warm = DevnetUp(options);
  ASSERT_TRUE(warm.ok()) << warm.status();
  EXPECT_FALSE(warm->deployed_now);
  EXPECT_EQ(warm->deployment.token, up->deployment.token);
  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  options.flavour = Flavour::kNative;
  absl::StatusOr<DevnetState> native = DevnetUp(options);
  ASSERT_TRUE(native.ok()) << native.status();
  EXPECT_TRUE(native->deployed_now);
  EXPECT_EQ(native->flavour, "native");
}

// The arbitrum flavour (PoCo 6.1.0 as on Arbitrum): SDK 9 reads its strict
// chain.json, SDK 8 its own, and both see the same hub, RLC and balances.
TEST_F(DevnetIexecTest, ArbitrumFlavourIsReadByIexec9AndIexec8) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  ASSERT_TRUE(fs::exists(IexecCli9()))
      << "the iexec 9.0.1 CLI is missing (run scripts/test)";
  DevnetOptions options;
  options.home = home_.path();
  options.flavour = Flavour::kArbitrum;
  absl::StatusOr<DevnetState> up = DevnetUp(options);
  ASSERT_TRUE(up.ok()) << up.status();
  ASSERT_FALSE(up->chain_json9.empty());
  const std::string hub = "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";
  const std::string address = up->accounts[1].address.ToChecksum();

  poolops::test::TempDir sdk9;
  fs::copy_file(up->chain_json9, sdk9.path() / "chain.json");
  nlohmann::json info9 = Iexec(sdk9.path(), "info", IexecCli9());
  EXPECT_EQ(info9["hubAddress"], hub) << info9.dump();
  EXPECT_EQ(info9["rlcAddress"], up->deployment.token.ToChecksum())
      << info9.dump();
  nlohmann::json wallet9 =
      Iexec(sdk9.path(), "wallet show " + address, IexecCli9());
  EXPECT_EQ(wallet9["balance"]["nRLC"], "10000000000000") << wallet9.dump();
  nlohmann::json account9 =
      Iexec(sdk9.path(), "account show " + address, IexecCli9());
  EXPECT_EQ(account9["balance"]["stake"], "0") << account9.dump();

  fs::copy_file(up->chain_json, work_.path() / "chain.json");
  nlohmann::json info8 = Iexec(work_.path(), "info");
  EXPECT_EQ(info8["hubAddress"], hub) << info8.dump();
  EXPECT_EQ(info8["useNative"], false);
  nlohmann::json wallet8 = Iexec(work_.path(), "wallet show " + address);
  EXPECT_EQ(wallet8["balance"]["nRLC"], "10000000000000") << wallet8.dump();
}

}  // namespace
}  // namespace poolops::devnet
