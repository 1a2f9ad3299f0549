// Orders and the publisher on a real devnet (anvil + PoCo 5.5.0 + the local
// market, started in a temporary home): signatures the hub accepts, the
// market's book through the client, the stake rule, the on-chain cancel, and
// publisher rounds against the real market and chain with the core's
// /metrics scripted.
#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "services/chain/chains/devnet_gateway_test_support.h"
#include "services/chain/orders/orders.h"
#include "services/chain/publisher/publisher.h"

namespace poolops::chain {
namespace {

using ::testing::HasSubstr;

constexpr char kCoreMetrics[] = "http://core.test:13000/metrics";

// The market over libcurl; the core's /metrics from `cpus`.
class CoreAndMarket : public http::Client {
 public:
  absl::StatusOr<http::Response> Send(const http::Request& r) override {
    if (r.url == kCoreMetrics)
      return http::Response{200, "application/json",
                            nlohmann::json{{"aliveWorkers", 1},
                                           {"aliveTotalCpu", cpus.load()},
                                           {"aliveAvailableCpu", cpus.load()},
                                           {"aliveTotalGpu", 0},
                                           {"aliveAvailableGpu", 0}}
                                .dump()};
    return real_->Send(r);
  }
  std::atomic<int> cpus{0};

 private:
  std::unique_ptr<http::Client> real_ = http::NewCurlClient();
};

class OrdersDevnetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!devnet::testing::MissingAssets().empty()) return;
    net_ = new testing::DevnetGateway();
    absl::Status s = net_->Start();
    if (!s.ok()) {
      start_error_ = new absl::Status(s);
      return;
    }
    web_ = std::make_shared<CoreAndMarket>();
    OrdersOptions o;
    o.http = web_;
    orders_ = Orders::Create(&net_->gateway(), net_->home(), o)->release();
    absl::StatusOr<DeployOutcome> pool = net_->ops().DeployWorkerpool(
        "", "acct1", "orders-devnet-pool", nullptr);
    if (!pool.ok()) {
      start_error_ = new absl::Status(pool.status());
      return;
    }
    pool_ = new eth::Address(pool->workerpool);
    absl::StatusOr<StakeOutcome> dep =
        net_->ops().Deposit("", "acct1", eth::U256(10'000), nullptr);
    if (!dep.ok()) start_error_ = new absl::Status(dep.status());
  }
  static void TearDownTestSuite() {
    delete orders_;
    web_.reset();
    delete net_;
  }
  void SetUp() override {
    POOLOPS_REQUIRE_NPM_ASSETS();
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
  }
  OrderTermsInput Terms(std::string price, std::string volume) {
    OrderTermsInput t;
    t.workerpool = pool_->ToChecksum();
    t.price = std::move(price);
    t.volume = std::move(volume);
    return t;
  }
  uint64_t OpenVolume() {
    OrderbookFilter f;
    f.workerpool = *pool_;
    absl::StatusOr<OrderbookView> v = orders_->Orderbook("", f);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? v->open_volume.low64() : 0;
  }
  void ClearBook() {
    (void)orders_->Unpublish("", "acct1", UnpublishTarget::kAll,
                             pool_->ToChecksum(), "");
  }

  static testing::DevnetGateway* net_;
  static absl::Status* start_error_;
  static std::shared_ptr<CoreAndMarket> web_;
  static Orders* orders_;
  static eth::Address* pool_;
};

testing::DevnetGateway* OrdersDevnetTest::net_ = nullptr;
absl::Status* OrdersDevnetTest::start_error_ = nullptr;
std::shared_ptr<CoreAndMarket> OrdersDevnetTest::web_;
Orders* OrdersDevnetTest::orders_ = nullptr;
eth::Address* OrdersDevnetTest::pool_ = nullptr;

TEST_F(OrdersDevnetTest, SignatureAcceptedByTheHub) {
  absl::StatusOr<SignedWorkerpoolOrder> s =
      orders_->Sign("", "acct1", Terms("1000", "5"));
  ASSERT_TRUE(s.ok()) << s.status();
  eth::Hash32 hash;
  eth::Bytes h = *eth::FromHex(s->order_hash);
  std::copy(h.begin(), h.end(), hash.begin());
  absl::StatusOr<bool> valid = net_->session().poco().VerifySignature(
      net_->Address(1), hash, *eth::FromHex(s->order.sign));
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_TRUE(*valid);
  EXPECT_FALSE(*net_->session().poco().VerifySignature(
      net_->Address(2), hash, *eth::FromHex(s->order.sign)));
  EXPECT_THAT(orders_->Sign("", "acct2", Terms("1", "1")).status().message(),
              HasSubstr("must be the resource owner"));
}

TEST_F(OrdersDevnetTest, PublishUnpublishOrderbookOnTheLocalMarket) {
  ClearBook();
  absl::StatusOr<SignedWorkerpoolOrder> a =
      orders_->SignAndPublish("", "acct1", Terms("100", "3"));
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<SignedWorkerpoolOrder> b =
      orders_->SignAndPublish("", "acct1", Terms("200", "2"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(OpenVolume(), 5u);
  absl::StatusOr<MarketClient> market = orders_->Market("");
  ASSERT_TRUE(market.ok());
  EXPECT_EQ(market->GetOrder(a->order_hash)->remaining, 3u);
  absl::StatusOr<std::vector<std::string>> last = orders_->Unpublish(
      "", "acct1", UnpublishTarget::kLast, pool_->ToChecksum(), "");
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_THAT(*last, ::testing::ElementsAre(b->order_hash));
  EXPECT_EQ(OpenVolume(), 3u);
  absl::StatusOr<std::vector<std::string>> by_hash = orders_->Unpublish(
      "", "acct1", UnpublishTarget::kOrderHash, "", a->order_hash);
  ASSERT_TRUE(by_hash.ok()) << by_hash.status();
  EXPECT_EQ(OpenVolume(), 0u);
}

TEST_F(OrdersDevnetTest, InsufficientStakeIsRefusedWithWhatIsMissing) {
  // 10,000 nRLC staked; 30% of 40,000 nRLC × 1 = 12,000.
  absl::StatusOr<SignedWorkerpoolOrder> s =
      orders_->Sign("", "acct1", Terms("40000", "1"));
  ASSERT_TRUE(s.ok());
  absl::StatusOr<std::string> r = orders_->Publish("", "acct1", s->order);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("stake is too low to cover required workerpool lock"));
  EXPECT_THAT(r.status().message(), HasSubstr("12000 nRLC"));
  EXPECT_THAT(r.status().message(), HasSubstr("deposit 2000"));
}

TEST_F(OrdersDevnetTest, CancelOnChain) {
  absl::StatusOr<SignedWorkerpoolOrder> s =
      orders_->SignAndPublish("", "acct1", Terms("10", "4"));
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<TxProgress::Stage> stages;
  absl::StatusOr<TxOutcome> tx =
      orders_->Cancel("", "acct1", s->order,
                      [&](const TxProgress& p) { stages.push_back(p.stage); });
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_TRUE(tx->receipt.success);
  EXPECT_FALSE(stages.empty());
  eth::Bytes h = *eth::FromHex(s->order_hash);
  eth::Hash32 hash;
  std::copy(h.begin(), h.end(), hash.begin());
  EXPECT_EQ(*net_->session().poco().ViewConsumed(hash), eth::U256(4));
  absl::StatusOr<TxOutcome> again =
      orders_->Cancel("", "acct1", s->order, nullptr);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("already canceled"));
  // A cancelled order cannot be published again.
  (void)orders_->Unpublish("", "acct1", UnpublishTarget::kOrderHash, "",
                           s->order_hash);
  EXPECT_THAT(orders_->Publish("", "acct1", s->order).status().message(),
              HasSubstr("already consumed"));
}

TEST_F(OrdersDevnetTest, PublisherKeepsTheCapacityOnTheMarket) {
  ClearBook();
  PublishersOptions o;
  o.start_loops = false;
  absl::StatusOr<std::unique_ptr<Publishers>> pubs =
      Publishers::Create(&net_->gateway(), orders_, net_->home(), std::move(o));
  ASSERT_TRUE(pubs.ok()) << pubs.status();
  PublisherPolicy p;
  p.workerpool = pool_->ToChecksum();
  p.wallet = "acct1";
  p.core_metrics_url = kCoreMetrics;
  p.terms.price = "5000";  // 1,500 nRLC locked per task
  p.max_open_orders = 10;
  ASSERT_TRUE((*pubs)->Set(p).ok());
  web_->cpus = 3;
  PublisherState s = *(*pubs)->RunOnce("", p.workerpool);
  EXPECT_EQ(s.published_total, 3u) << s.last_error;
  EXPECT_EQ(OpenVolume(), 3u);
  // 10,000 nRLC cover 6 tasks: 8 free CPUs only get 3 more orders.
  web_->cpus = 8;
  s = *(*pubs)->RunOnce("", p.workerpool);
  EXPECT_EQ(s.published_total, 6u);
  EXPECT_THAT(s.last_error, HasSubstr("stake too low"));
  EXPECT_EQ(OpenVolume(), 6u);
  ClearBook();
}

}  // namespace
}  // namespace poolops::chain

namespace poolops::chain {
namespace {

// The token flavours, PoCo 5.5.0 with RLC and PoCo 6.1.0 as on Arbitrum:
// orders do not depend on them, the stake behind them comes from
// approveAndCall; on PoCo 6 the Diamond verifies, the market takes and the
// hub cancels the same order.
class OrdersTokenDevnetTest : public ::testing::TestWithParam<devnet::Flavour> {
};

TEST_P(OrdersTokenDevnetTest, SignPublishCancel) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  testing::DevnetGateway net;
  absl::Status started = net.Start(GetParam());
  ASSERT_TRUE(started.ok()) << started;
  std::unique_ptr<Orders> orders = *Orders::Create(&net.gateway(), net.home());
  absl::StatusOr<DeployOutcome> pool =
      net.ops().DeployWorkerpool("", "acct2", "token-pool", nullptr);
  ASSERT_TRUE(pool.ok()) << pool.status();
  OrderTermsInput t;
  t.workerpool = pool->workerpool.ToChecksum();
  t.price = "1000";
  t.volume = "2";
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "acct2", t);
  ASSERT_TRUE(s.ok()) << s.status();
  eth::Bytes b = *eth::FromHex(s->order_hash);
  eth::Hash32 hash;
  std::copy(b.begin(), b.end(), hash.begin());
  absl::StatusOr<bool> valid = net.session().poco().VerifySignature(
      net.Address(2), hash, *eth::FromHex(s->order.sign));
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_TRUE(*valid) << "the hub does not verify the order poolops signed";
  EXPECT_THAT(orders->Publish("", "acct2", s->order).status().message(),
              HasSubstr("stake is too low"));
  ASSERT_TRUE(net.ops().Deposit("", "acct2", eth::U256(600), nullptr).ok());
  absl::StatusOr<std::string> h = orders->Publish("", "acct2", s->order);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, s->order_hash);
  ASSERT_TRUE(orders->Cancel("", "acct2", s->order, nullptr).ok());
  EXPECT_EQ(*net.session().poco().ViewConsumed(hash), eth::U256(2));
}

// TEE tags by the chain's PoCo, read from the hub: on PoCo 6 (arbitrum)
// TDX orders (trust >= 1) and standard ones are signed and the Diamond
// verifies them, SGX is refused saying why; PoCo 5.5 (token) keeps SGX.
TEST_P(OrdersTokenDevnetTest, TeeTagsFollowTheHubsPoco) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  const bool v9 = GetParam() == devnet::Flavour::kArbitrum;
  testing::DevnetGateway net;
  absl::Status started = net.Start(GetParam());
  ASSERT_TRUE(started.ok()) << started;
  std::unique_ptr<Orders> orders = *Orders::Create(&net.gateway(), net.home());
  absl::StatusOr<DeployOutcome> pool =
      net.ops().DeployWorkerpool("", "acct2", "tee-pool", nullptr);
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_TRUE(net.ops().Deposit("", "acct2", eth::U256(10'000), nullptr).ok());
  auto terms = [&](std::string tag, std::string trust) {
    OrderTermsInput t;
    t.workerpool = pool->workerpool.ToChecksum();
    t.price = "1000";
    t.tag = std::move(tag);
    t.trust = std::move(trust);
    return t;
  };
  // Signed, verified by the hub, taken by the market.
  auto accepted = [&](const OrderTermsInput& t) {
    absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "acct2", t);
    EXPECT_TRUE(s.ok()) << t.tag << ": " << s.status();
    if (!s.ok()) return std::string();
    eth::Bytes b = *eth::FromHex(s->order_hash);
    eth::Hash32 hash;
    std::copy(b.begin(), b.end(), hash.begin());
    absl::StatusOr<bool> valid = net.session().poco().VerifySignature(
        net.Address(2), hash, *eth::FromHex(s->order.sign));
    EXPECT_TRUE(valid.ok() && *valid) << t.tag << ": " << valid.status();
    absl::StatusOr<std::string> h = orders->Publish("", "acct2", s->order);
    EXPECT_TRUE(h.ok()) << t.tag << ": " << h.status();
    return s->order.tag;
  };
  EXPECT_EQ(accepted(terms("", "")), "0x" + std::string(64, '0'));
  EXPECT_EQ(accepted(terms("tee,tdx", "1")), kTdxTag);
  EXPECT_EQ(accepted(terms(kTdxTag, "2")), kTdxTag);

  absl::StatusOr<SignedWorkerpoolOrder> sgx =
      orders->Sign("", "acct2", terms("tee,scone", "1"));
  absl::StatusOr<SignedWorkerpoolOrder> tdx0 =
      orders->Sign("", "acct2", terms("tee,tdx", "0"));
  if (v9) {
    EXPECT_EQ(sgx.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(sgx.status().message(),
                HasSubstr(absl::StrCat(
                    "tag tee,scone: SGX (scone, gramine) is gone from iExec "
                    "v9 / PoCo 6 chains (hub ",
                    net.state().deployment.hub.ToChecksum(),
                    " is a PoCo 6 Diamond); use tee,tdx")));
    EXPECT_THAT(tdx0.status().message(), HasSubstr("trust >= 1"));
  } else {
    EXPECT_TRUE(sgx.ok()) << sgx.status();
    EXPECT_TRUE(tdx0.ok()) << tdx0.status();
    EXPECT_EQ(accepted(terms("tee,scone", "")),
              "0x" + std::string(63, '0') + "3");
  }
}

INSTANTIATE_TEST_SUITE_P(Flavours, OrdersTokenDevnetTest,
                         ::testing::Values(devnet::Flavour::kToken,
                                           devnet::Flavour::kArbitrum),
                         [](const auto& info) {
                           return std::string(devnet::FlavourName(info.param));
                         });

}  // namespace
}  // namespace poolops::chain
