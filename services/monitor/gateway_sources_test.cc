// The chain-gateway clients over real gRPC: a gateway that does not serve
// GetBalances yet (the generated base class: UNIMPLEMENTED), one that does,
// and none at all.
#include "services/monitor/gateway_sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "libs/common/server.h"
#include "poolops/chain/v1/chain.grpc.pb.h"

namespace poolops::monitor {
namespace {

using ::testing::HasSubstr;
namespace cv1 = ::poolops::chain::v1;

class BalancesGateway final : public cv1::ChainGateway::Service {
 public:
  grpc::Status GetBalances(grpc::ServerContext*,
                           const cv1::GetBalancesRequest* req,
                           cv1::Balances* resp) override {
    if (req->wallet() != "core") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no wallet " + req->wallet());
    }
    resp->set_address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    resp->set_native("1");
    resp->set_rlc("2");
    resp->set_stake("3");
    resp->set_locked("4");
    return grpc::Status::OK;
  }
  grpc::Status GetChain(grpc::ServerContext*, const cv1::GetChainRequest* req,
                        cv1::Chain* resp) override {
    resp->set_name(req->name());
    resp->set_rpc("http://127.0.0.1:8545");
    resp->set_market("http://127.0.0.1:3000");
    resp->set_chain_id("65535");
    return grpc::Status::OK;
  }
};

// Serves `service` as chain-gateway in a fresh home; returns its run dir.
class Gateway {
 public:
  explicit Gateway(grpc::Service* service) {
    char tmpl[] = "/tmp/pmon-gw-XXXXXX";
    home_ = ::mkdtemp(tmpl);
    options_.service_name = "chain-gateway";
    options_.home = home_;
    options_.metrics_listen = "";
    options_.handle_signals = false;
    thread_ = std::thread([this, service] {
      EXPECT_TRUE(RunServer(options_, {service}, nullptr, &control_).ok());
    });
    EXPECT_TRUE(control_.WaitUntilServing(absl::Seconds(10)));
  }
  ~Gateway() {
    control_.Stop();
    thread_.join();
    std::filesystem::remove_all(home_);
  }
  std::filesystem::path run_dir() const {
    return std::filesystem::path(home_) / "run";
  }

 private:
  std::string home_;
  ServerOptions options_;
  ServerControl control_;
  std::thread thread_;
};

TEST(GatewaySourcesTest, UnimplementedGatewayIsReportedAsSuch) {
  cv1::ChainGateway::Service draft;  // every method UNIMPLEMENTED
  Gateway gateway(&draft);
  auto b = NewGatewayBalanceSource(gateway.run_dir())
               ->GetBalances("devnet", "core", absl::Seconds(5));
  EXPECT_TRUE(absl::IsUnimplemented(b.status())) << b.status();
  EXPECT_THAT(b.status().message(), HasSubstr("chain-gateway GetBalances"));
}

TEST(GatewaySourcesTest, BalancesAndChainsFromAServingGateway) {
  BalancesGateway service;
  Gateway gateway(&service);
  auto b = NewGatewayBalanceSource(gateway.run_dir())
               ->GetBalances("devnet", "core", absl::Seconds(5));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->stake, "3");
  EXPECT_EQ(b->locked, "4");
  auto missing = NewGatewayBalanceSource(gateway.run_dir())
                     ->GetBalances("devnet", "nobody", absl::Seconds(5));
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  auto chain = NewGatewayChainResolver(gateway.run_dir())
                   ->Resolve("devnet", absl::Seconds(5));
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(chain->chain_id, "65535");
  EXPECT_EQ(chain->market, "http://127.0.0.1:3000");
}

TEST(GatewaySourcesTest, NoGatewayRunningIsUnavailable) {
  auto b = NewGatewayBalanceSource("/nonexistent/run")
               ->GetBalances("devnet", "core", absl::Seconds(1));
  EXPECT_TRUE(absl::IsUnavailable(b.status()));
  EXPECT_THAT(b.status().message(), HasSubstr("chain-gateway is not running"));
}

}  // namespace
}  // namespace poolops::monitor
