// anvil for real: started Bellecour-like, on the port asked for or a free
// one, its state dumped on SIGTERM and loaded on the next start.
#include "devnet/anvil_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devnet/devnet_test_support.h"
#include "gtest/gtest.h"

namespace poolops::devnet {
namespace {

using testing::ScopedAnvil;

TEST(AnvilProcessTest, StartsArbitrumLike) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  ScopedAnvil anvil;
  ASSERT_TRUE(anvil.Start(65535, {}, chain::AnvilLaunch::Kind::kArbitrum).ok());
  absl::StatusOr<nlohmann::json> block = anvil.client().Call(
      "eth_getBlockByNumber", nlohmann::json::array({"latest", false}));
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_EQ((*block)["gasLimit"], "0x1e84800");  // 32,000,000
  // EIP-1559: the block has a base fee, and gas costs something.
  absl::StatusOr<eth::U256> base = anvil.api().LatestBaseFee();
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_FALSE(base->IsZero());
}

TEST(AnvilProcessTest, StartsBellecourLike) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  ScopedAnvil anvil;
  ASSERT_TRUE(anvil.Start(/*chain_id=*/134).ok());
  EXPECT_TRUE(proc::ProcessRuns(anvil.instance().pid, "anvil"));
  EXPECT_EQ(anvil.api().ChainId()->low64(), 134u);
  EXPECT_EQ(anvil.api().GasPrice()->low64(), 0u);
  absl::StatusOr<nlohmann::json> block = anvil.client().Call(
      "eth_getBlockByNumber", nlohmann::json::array({"latest", false}));
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_EQ((*block)["gasLimit"], "0x663be0");  // 6,700,000
  // Loopback only, in its own session (outlives the caller's terminal).
  EXPECT_EQ(anvil.instance().rpc_url.rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(getsid(anvil.instance().pid), anvil.instance().pid);
  pid_t pid = anvil.instance().pid;
  ASSERT_TRUE(proc::StopProcess(pid, kStopGrace).ok());
  EXPECT_FALSE(proc::ProcessAlive(pid));
}

TEST(AnvilProcessTest, RequestedPortInUseIsAClearError) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  uint16_t port = ntohs(addr.sin_port);

  chain::AnvilLaunch launch;
  launch.port = port;
  absl::StatusOr<chain::LaunchedAnvil> instance = StartAnvil(launch);
  close(fd);
  if (instance.ok()) (void)proc::StopProcess(instance->pid, kStopGrace);
  ASSERT_EQ(instance.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(instance.status().message().find(std::to_string(port)),
            std::string::npos);
  EXPECT_NE(instance.status().message().find("--port"), std::string::npos);
}

TEST(AnvilProcessTest, MissingBinarySaysHowToInstallIt) {
  chain::AnvilLaunch launch;
  launch.binary = "/nonexistent/node_modules/anvil";
  absl::Status s = StartAnvil(launch).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("npm install in tests/interop"),
            std::string::npos);
  EXPECT_NE(s.message().find("POOLOPS_NPM_DIR"), std::string::npos);
}

TEST(AnvilProcessTest, StateIsDumpedOnStopAndLoadedOnStart) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  poolops::test::TempDir dir;
  std::filesystem::path state = dir.path() / "state.json";
  eth::Address contract;
  {
    ScopedAnvil anvil;
    ASSERT_TRUE(anvil.Start(65535, state).ok());
    // Creation code of a contract whose runtime returns 42.
    absl::StatusOr<chain::Receipt> receipt = testing::SendFromDeployer(
        anvil.api(), 65535, std::nullopt,
        *eth::FromHex("0x600a600c600039600a6000f3602a60005260206000f3"));
    ASSERT_TRUE(receipt.ok()) << receipt.status();
    ASSERT_TRUE(receipt->success);
    contract = *receipt->contract_address;
    anvil.Stop();  // SIGTERM: anvil writes the state file on its way out
  }
  ASSERT_TRUE(std::filesystem::exists(state));
  ScopedAnvil again;
  ASSERT_TRUE(again.Start(65535, state).ok());
  absl::StatusOr<eth::Bytes> code = again.api().GetCode(contract);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(eth::ToHex(*code), "0x602a60005260206000f3");
  EXPECT_EQ(*again.api().GetTransactionCount(
                *eth::Address::Parse(testing::kDeployer)),
            1u);
}

}  // namespace
}  // namespace poolops::devnet
