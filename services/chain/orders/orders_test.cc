// Orders over a fake node and the devnet market's API in-process: signing
// with the hub's domain, and the publish pre-checks that answer before any
// HTTP call.
#include "services/chain/orders/orders.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "services/chain/orders/fake_order_world.h"

namespace poolops::chain {
namespace {

using testing::FakeOrderWorld;
using ::testing::HasSubstr;
namespace mt = market::testing;

class OrdersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(w.add_error.ok()) << w.add_error;
    OrdersOptions o;
    o.http = w.web;
    absl::StatusOr<std::unique_ptr<Orders>> created =
        Orders::Create(w.gateway.get(), w.home(), o);
    ASSERT_TRUE(created.ok()) << created.status();
    orders = *std::move(created);
  }
  OrderTermsInput Terms(std::string price = "1000", std::string volume = "5") {
    OrderTermsInput t;
    t.workerpool = mt::kWorkerpool;
    t.price = price;
    t.volume = volume;
    t.tag = "tee,scone";
    return t;
  }
  size_t MarketWrites() {
    size_t n = 0;
    for (const http::Request& r : w.web->sent())
      if (r.method != "GET" || r.url.find("/challenge") != std::string::npos)
        ++n;
    return n;
  }

  FakeOrderWorld w;
  std::unique_ptr<Orders> orders;
};

TEST_F(OrdersTest, SignsWithTheHubDomainAndAFreshSalt) {
  absl::StatusOr<SignedWorkerpoolOrder> a = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<SignedWorkerpoolOrder> b =
      orders->Sign("fake", "owner", Terms());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->order.salt, b->order.salt);
  EXPECT_NE(a->order_hash, b->order_hash);
  eth::Hash32 digest =
      *iexec::WorkerpoolOrderHash(a->order, mt::DevnetDomain());
  EXPECT_EQ(a->order_hash, eth::ToHex(digest));
  EXPECT_EQ(
      eth::RecoverAddress(digest, *eth::FromHex(a->order.sign))->ToChecksum(),
      mt::kOwner);
  EXPECT_EQ(a->order.sign.size(), 132u);
  EXPECT_EQ(*orders->OrderHash("", a->order), a->order_hash);
}

TEST_F(OrdersTest, OnlyTheOwnerSigns) {
  absl::StatusOr<SignedWorkerpoolOrder> r = orders->Sign("", "other", Terms());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("Invalid order signer, must be the resource owner"));
  EXPECT_THAT(r.status().message(), HasSubstr(mt::kOwner));
  w.Chain([](auto& p) { p.registered = false; });
  r = orders->Sign("", "owner", Terms());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(OrdersTest, BadTermsFailBeforeTheChain) {
  OrderTermsInput t = Terms();
  t.tag = "scone";
  int before = w.poco.eth_calls;
  absl::StatusOr<SignedWorkerpoolOrder> r = orders->Sign("", "owner", t);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(w.poco.eth_calls, before);
}

TEST_F(OrdersTest, PublishesAndReadsTheOrderbook) {
  absl::StatusOr<SignedWorkerpoolOrder> a =
      orders->SignAndPublish("", "owner", Terms("1000", "5"));
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<SignedWorkerpoolOrder> b =
      orders->SignAndPublish("", "owner", Terms("10", "2"));
  ASSERT_TRUE(b.ok()) << b.status();
  OrderbookFilter f;
  f.workerpool = mt::Addr(mt::kWorkerpool);
  absl::StatusOr<OrderbookView> book = orders->Orderbook("", f);
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(book->count, 2u);
  EXPECT_EQ(book->open_volume, eth::U256(7));
  absl::StatusOr<std::vector<std::string>> gone = orders->Unpublish(
      "", "owner", UnpublishTarget::kOrderHash, "", a->order_hash);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_THAT(*gone, ::testing::ElementsAre(a->order_hash));
  EXPECT_EQ(orders->Orderbook("", f)->open_volume, eth::U256(2));
  EXPECT_EQ(orders->Unpublish("", "owner", UnpublishTarget::kAll, "", "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// Each signature tells the vault which operation asks, for its audit log.
TEST_F(OrdersTest, SignaturesSayWhichOperationAsks) {
  ASSERT_TRUE(orders->Sign("", "owner", Terms()).ok());
  ASSERT_TRUE(orders->SignAndPublish("", "owner", Terms()).ok());
  std::vector<std::string> purposes = w.signer.purposes();
  const std::string pool = mt::kWorkerpool;
  EXPECT_THAT(purposes, ::testing::Contains("order sign " + pool));
  EXPECT_THAT(purposes, ::testing::Contains("order publish " + pool));
  EXPECT_THAT(purposes, ::testing::Contains("market challenge"));
}

TEST_F(OrdersTest, StakeTooLowIsRefusedBeforeAnyMarketWrite) {
  w.Chain([](auto& p) { p.stake = eth::U256(1499); });  // needs 300 × 5
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(s.ok());
  absl::StatusOr<std::string> r = orders->Publish("", "owner", s->order);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("stake is too low to cover required workerpool lock"));
  EXPECT_THAT(r.status().message(), HasSubstr("1499 nRLC"));
  EXPECT_THAT(r.status().message(), HasSubstr("1500 nRLC"));
  EXPECT_EQ(MarketWrites(), 0u);
  w.Chain([](auto& p) { p.stake = eth::U256(1500); });
  EXPECT_TRUE(orders->Publish("", "owner", s->order).ok());
}

TEST_F(OrdersTest, OtherPreChecks) {
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(s.ok());
  // Not the owner.
  absl::StatusOr<std::string> r = orders->Publish("", "other", s->order);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("only order signer"));
  // Changed after signing.
  iexec::WorkerpoolOrder changed = s->order;
  changed.volume = 6;
  r = orders->Publish("", "owner", changed);
  EXPECT_THAT(r.status().message(), HasSubstr("invalid sign"));
  // Nothing remaining.
  w.Chain([](auto& p) { p.consumed = eth::U256(5); });
  r = orders->Publish("", "owner", s->order);
  EXPECT_THAT(r.status().message(), HasSubstr("already consumed"));
  EXPECT_EQ(MarketWrites(), 0u);
  w.Chain([](auto& p) { p.consumed = eth::U256(0); });
  // A malformed signature.
  iexec::WorkerpoolOrder bad = s->order;
  bad.sign = "0x1234";
  EXPECT_EQ(orders->Publish("", "owner", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The on-chain rules are read in one JSON-RPC batch: one exchange with the
// node once the hub's domain and registry are cached.
TEST_F(OrdersTest, PreChecksAreOneBatch) {
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(s.ok()) << s.status();
  int posts = 0, calls = 0;
  w.Chain([&](auto& p) {
    posts = p.posts;
    calls = p.eth_calls;
  });
  absl::StatusOr<PublishCheck> c = orders->CheckPublish("", "owner", s->order);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->owner, mt::Addr(mt::kOwner));
  EXPECT_EQ(c->remaining, 5u);
  EXPECT_EQ(c->stake, eth::U256(1'000'000));
  EXPECT_EQ(c->required, eth::U256(1500));
  w.Chain([&](auto& p) {
    EXPECT_EQ(p.posts - posts, 1);
    EXPECT_EQ(p.eth_calls - calls, 5);
  });
}

// Batched, the rules still fail in the market's order: the first broken one
// is reported, whatever else the batch found.
TEST_F(OrdersTest, PreChecksReportTheFirstBrokenRule) {
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(s.ok()) << s.status();
  // A read that reverts is reported when the rules before it hold...
  w.Chain([](auto& p) { p.reverting = "viewAccount(address)"; });
  absl::StatusOr<std::string> r = orders->Publish("", "owner", s->order);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("fake revert"));
  // ...and not when an earlier rule fails.
  r = orders->Publish("", "other", s->order);
  EXPECT_THAT(r.status().message(), HasSubstr("only order signer"));
  w.Chain([](auto& p) {
    p.reverting.clear();
    p.consumed = eth::U256(5);
    p.stake = eth::U256(0);
  });
  r = orders->Publish("", "owner", s->order);
  EXPECT_THAT(r.status().message(), HasSubstr("already consumed"));
  w.Chain([](auto& p) { p.registered = false; });
  r = orders->Publish("", "owner", s->order);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr(absl::StrCat("no workerpool registered at ", mt::kWorkerpool)));
  EXPECT_EQ(MarketWrites(), 0u);
}

TEST_F(OrdersTest, FiftyOpenOrdersPerWallet) {
  OrdersOptions o;
  o.http = w.web;
  o.max_open_orders_per_wallet = 2;  // the market's 50, scaled down
  std::unique_ptr<Orders> small = *Orders::Create(w.gateway.get(), w.home(), o);
  ASSERT_TRUE(small->SignAndPublish("", "owner", Terms()).ok());
  ASSERT_TRUE(small->SignAndPublish("", "owner", Terms()).ok());
  absl::StatusOr<SignedWorkerpoolOrder> r =
      small->SignAndPublish("", "owner", Terms());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("maximum of 2"));
}

TEST_F(OrdersTest, CancelRefusesAnOrderWithNothingRemaining) {
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(s.ok());
  w.Chain([](auto& p) { p.consumed = eth::U256(5); });
  absl::StatusOr<TxOutcome> r = orders->Cancel("", "owner", s->order, nullptr);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("workerpoolorder already canceled"));
  w.Chain([](auto& p) { p.consumed = eth::U256(0); });
  r = orders->Cancel("", "other", s->order, nullptr);
  EXPECT_THAT(r.status().message(), HasSubstr("only the owner"));
}

// iExec v9: on a PoCo 6 hub (its loupe answers) SGX tags are refused before
// anything is signed and TDX needs trust >= 1; the hub's generation is read
// once per session, and only for TEE tags.
TEST_F(OrdersTest, Poco6HubRefusesSgxAndTdxWithoutTrust) {
  w.Chain([](auto& p) { p.diamond = true; });
  OrderTermsInput standard = Terms();
  standard.tag = "";
  absl::StatusOr<SignedWorkerpoolOrder> plain =
      orders->SignAndPublish("", "owner", standard);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->order.tag, "0x" + std::string(64, '0'));
  w.Chain([](auto& p) { EXPECT_EQ(p.loupe_calls, 0); });

  const size_t signatures = w.signer.purposes().size();
  absl::StatusOr<SignedWorkerpoolOrder> sgx =
      orders->Sign("", "owner", Terms());
  EXPECT_EQ(sgx.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sgx.status().message(),
              HasSubstr(absl::StrCat(
                  "tag tee,scone: SGX (scone, gramine) is gone from iExec v9 "
                  "/ PoCo 6 chains (hub ",
                  mt::kHub, " is a PoCo 6 Diamond); use tee,tdx (", kTdxTag,
                  ") for TDX or no tag for standard orders")));
  OrderTermsInput tdx = Terms();
  tdx.tag = "tee,tdx";
  EXPECT_THAT(orders->Sign("", "owner", tdx).status().message(),
              HasSubstr("trust >= 1"));
  EXPECT_EQ(w.signer.purposes().size(), signatures);  // nothing signed

  tdx.trust = "1";
  absl::StatusOr<SignedWorkerpoolOrder> signed_tdx =
      orders->SignAndPublish("", "owner", tdx);
  ASSERT_TRUE(signed_tdx.ok()) << signed_tdx.status();
  EXPECT_EQ(signed_tdx->order.tag, kTdxTag);
  EXPECT_EQ(signed_tdx->order.trust, 1u);
  w.Chain([](auto& p) { EXPECT_EQ(p.loupe_calls, 1); });
}

// An SGX order signed where SGX exists (PoCo 5, or by another tool) is not
// published on a PoCo 6 chain: refused before the market hears of it.
TEST_F(OrdersTest, Poco6RefusesPublishingAnSgxOrderSignedElsewhere) {
  absl::StatusOr<SignedWorkerpoolOrder> s = orders->Sign("", "owner", Terms());
  ASSERT_TRUE(s.ok()) << s.status();  // PoCo 5 keeps SGX
  FakeOrderWorld v9;
  v9.Chain([](auto& p) { p.diamond = true; });
  OrdersOptions o;
  o.http = v9.web;
  std::unique_ptr<Orders> on_v9 =
      *Orders::Create(v9.gateway.get(), v9.home(), o);
  absl::StatusOr<std::string> r = on_v9->Publish("", "owner", s->order);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("SGX (scone, gramine) is gone"));
  EXPECT_TRUE(v9.web->sent().empty());
  EXPECT_THAT(on_v9->CheckTagForChain("", s->order).message(),
              HasSubstr("use tee,tdx"));
}

// PROTOCOL §D.6: the captured calldata of a CLOSE (volume 5, price 1000,
// tag 0x…03).
TEST(ManageWorkerpoolOrderCallTest, Layout) {
  iexec::WorkerpoolOrder o =
      *iexec::ParseSignedWorkerpoolOrder(mt::Signed(mt::OrderJson(1000, 5)));
  eth::Bytes data = *Orders::ManageWorkerpoolOrderCall(o, 1);
  std::string hex = eth::ToHex(data);
  EXPECT_EQ(hex.substr(0, 10), "0x7e34a077");
  auto word = [&](int i) { return hex.substr(10 + 64 * i, 64); };
  EXPECT_EQ(word(0), std::string(62, '0') + "20");
  EXPECT_EQ(word(1), std::string(62, '0') + "60");
  EXPECT_EQ(word(2), std::string(63, '0') + "1");
  EXPECT_EQ(word(3), std::string(61, '0') + "240");
  EXPECT_EQ(word(4),
            std::string(24, '0') + "01a7015b8f7c437a945dcdd84e9dd9ad647bc1db");
  EXPECT_EQ(word(5), std::string(61, '0') + "3e8");
  EXPECT_EQ(word(6), std::string(63, '0') + "5");
  EXPECT_EQ(word(7), std::string(63, '0') + "3");
  EXPECT_EQ(word(13), std::string(64, '1'));  // salt
  EXPECT_EQ(word(14), std::string(61, '0') + "160");
  EXPECT_EQ(word(15), std::string(62, '0') + "41");
  EXPECT_EQ(word(19), std::string(64, '0'));  // op.sign length 0
  EXPECT_EQ(data.size(), 4u + 32u * 20u);
}

}  // namespace
}  // namespace poolops::chain
