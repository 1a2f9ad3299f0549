// The devnet for real: anvil from npm, PoCo 5.5.0 and 6.1.0 deployed from
// the npm packages, saved and restored chain state, in a temporary home.
#include "devnet/devnet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "devnet/anvil_process.h"
#include "gtest/gtest.h"
#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"

namespace poolops::devnet {
namespace {

class DevnetTest : public ::testing::Test {
 protected:
  void TearDown() override { (void)DevnetReset(home_.path()); }
  DevnetOptions Options() {
    DevnetOptions o;
    o.home = home_.path();
    return o;
  }
  poolops::test::TempDir home_;
};

TEST_F(DevnetTest, DeploysSavesAndRestores) {
  absl::Time start = absl::Now();
  absl::StatusOr<DevnetState> up = DevnetUp(Options());
  ASSERT_TRUE(up.ok()) << up.status();
  absl::Duration cold = absl::Now() - start;
  EXPECT_TRUE(up->deployed_now);
  // Same deployer, same nonces: the addresses of a fresh Bellecour-like chain.
  EXPECT_EQ(up->deployment.hub.ToChecksum(),
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_EQ(up->deployment.app_registry.ToChecksum(),
            "0x1613beB3B2C4f22Ee086B2b38C1476A3cE7f78E8");
  EXPECT_EQ(up->deployment.dataset_registry.ToChecksum(),
            "0x851356ae760d987E095750cCeb3bC6014560891C");
  EXPECT_EQ(up->deployment.workerpool_registry.ToChecksum(),
            "0xf5059a5D33d5853360D16C683c16e67980206f36");
  EXPECT_EQ(up->deployment.transactions, 50);
  ASSERT_EQ(up->accounts.size(), 10u);
  struct stat st;
  ASSERT_EQ(stat(up->accounts[0].private_key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  std::ifstream chain_json(up->chain_json);
  nlohmann::json chain = nlohmann::json::parse(chain_json);
  EXPECT_EQ(chain["default"], "devnet");
  EXPECT_EQ(chain["chains"]["devnet"]["id"], "65535");
  EXPECT_EQ(chain["chains"]["devnet"]["native"], true);
  EXPECT_EQ(chain["chains"]["devnet"]["hub"],
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");

  // The local market runs beside the chain and is in the SDK's chain.json.
  ASSERT_FALSE(up->market.empty());
  EXPECT_TRUE(proc::ProcessAlive(up->market_pid));
  EXPECT_EQ(chain["chains"]["devnet"]["iexecGateway"], up->market);
  EXPECT_TRUE(PortInUse(static_cast<uint16_t>(
      std::stoi(up->market.substr(up->market.rfind(':') + 1)))));

  // Up again: the running devnet, untouched.
  absl::StatusOr<DevnetState> again = DevnetUp(Options());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->pid, up->pid);
  EXPECT_FALSE(again->deployed_now);

  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  EXPECT_FALSE(proc::ProcessAlive(up->pid));
  EXPECT_FALSE(proc::ProcessAlive(up->market_pid));
  EXPECT_FALSE(DevnetStatus(home_.path())->running);

  start = absl::Now();
  absl::StatusOr<DevnetState> warm = DevnetUp(Options());
  ASSERT_TRUE(warm.ok()) << warm.status();
  absl::Duration warm_time = absl::Now() - start;
  EXPECT_FALSE(warm->deployed_now)
      << "the saved state should have been restored";
  EXPECT_EQ(warm->deployment.hub, up->deployment.hub);
  std::printf("devnet up: cold %s (%llu gas), warm %s\n",
              absl::FormatDuration(cold).c_str(),
              static_cast<unsigned long long>(up->deployment.gas_used),
              absl::FormatDuration(warm_time).c_str());
}

TEST_F(DevnetTest, ArbitrumFlavourIsPoco6WithAnSdk9ChainJson) {
  DevnetOptions o = Options();
  o.flavour = Flavour::kArbitrum;
  absl::Time start = absl::Now();
  absl::StatusOr<DevnetState> up = DevnetUp(o);
  ASSERT_TRUE(up.ok()) << up.status();
  absl::Duration cold = absl::Now() - start;
  EXPECT_TRUE(up->deployed_now);
  EXPECT_EQ(up->flavour, "arbitrum");
  EXPECT_EQ(up->deployment.hub.ToChecksum(),
            "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0");

  // Only what SDK 9's strict chain.json schema allows.
  ASSERT_FALSE(up->chain_json9.empty());
  EXPECT_EQ(up->chain_json9.filename(), "chain.json");
  std::ifstream chain_json(up->chain_json9);
  nlohmann::json chain = nlohmann::json::parse(chain_json);
  std::set<std::string> keys;
  for (const auto& [k, v] : chain["chains"]["devnet"].items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "host", "hub", "iexecGateway"}));
  std::set<std::string> top;
  for (const auto& [k, v] : chain.items()) top.insert(k);
  EXPECT_EQ(top, (std::set<std::string>{"default", "chains"}));
  // SDK 8's: a token chain with priced gas (no native, no useGas).
  std::ifstream sdk8_file(up->chain_json);
  nlohmann::json sdk8 = nlohmann::json::parse(sdk8_file);
  EXPECT_FALSE(sdk8["chains"]["devnet"].contains("native"));
  EXPECT_FALSE(sdk8["chains"]["devnet"].contains("useGas"));
  // chain-gateway prices its transactions as on Arbitrum.
  std::ifstream extras_file(up->chain_json.parent_path() /
                            "devnet.poolops.json");
  nlohmann::json extras = nlohmann::json::parse(extras_file);
  EXPECT_EQ(extras["feeMode"], "eip1559");

  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  start = absl::Now();
  absl::StatusOr<DevnetState> warm = DevnetUp(o);
  ASSERT_TRUE(warm.ok()) << warm.status();
  absl::Duration warm_time = absl::Now() - start;
  EXPECT_FALSE(warm->deployed_now) << "the saved PoCo 6 chain was redeployed";
  std::printf(
      "arbitrum devnet up: cold %s (%d transactions, %llu gas), warm "
      "%s\n",
      absl::FormatDuration(cold).c_str(), up->deployment.transactions,
      static_cast<unsigned long long>(up->deployment.gas_used),
      absl::FormatDuration(warm_time).c_str());
}

TEST_F(DevnetTest, EndpointsAreKeptAcrossDownAndUp) {
  absl::StatusOr<DevnetState> up = DevnetUp(Options());
  ASSERT_TRUE(up.ok()) << up.status();
  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  absl::StatusOr<DevnetState> again = DevnetUp(Options());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rpc, up->rpc);
  EXPECT_EQ(again->market, up->market);

  // Taken meanwhile: a new port, said loudly.
  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(up->port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  std::vector<std::string> lines;
  DevnetOptions o = Options();
  o.progress = [&](std::string_view l) { lines.emplace_back(l); };
  absl::StatusOr<DevnetState> moved = DevnetUp(o);
  ::close(fd);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_NE(moved->port, up->port);
  bool said = false;
  for (const std::string& l : lines)
    said |= l.find(absl::StrCat("port ", up->port, " is taken")) !=
            std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(DevnetTest, CorruptSavedStateIsRedeployed) {
  ASSERT_TRUE(DevnetUp(Options()).ok());
  ASSERT_TRUE(DevnetDown(home_.path()).ok());
  std::ofstream(home_.path() / "devnet" / "state.json", std::ios::trunc)
      << "{garbage";
  std::vector<std::string> lines;
  DevnetOptions o = Options();
  o.progress = [&](std::string_view l) { lines.emplace_back(l); };
  absl::StatusOr<DevnetState> up = DevnetUp(o);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_TRUE(up->deployed_now);
  bool said = false;
  for (const std::string& l : lines)
    said |= l.find("redeploying") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(DevnetTest, PortInUseAndNothingRunningAreClearErrors) {
  EXPECT_EQ(DevnetDown(home_.path()).code(), absl::StatusCode::kNotFound);
  absl::StatusOr<DevnetState> first = DevnetUp(Options());
  ASSERT_TRUE(first.ok()) << first.status();
  poolops::test::TempDir other;
  DevnetOptions o;
  o.home = other.path();
  o.port = first->port;
  absl::StatusOr<DevnetState> clash = DevnetUp(o);
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(clash.status().message().find(std::to_string(first->port)),
            std::string::npos);
}

}  // namespace
}  // namespace poolops::devnet
