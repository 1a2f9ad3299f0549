#include "devnet/market/market_api.h"

#include "devnet/market/fake_chain_view.h"
#include "gtest/gtest.h"

namespace poolops::market {
namespace {

using nlohmann::json;
using namespace testing;  // NOLINT

class MarketApiTest : public ::testing::Test {
 protected:
  // GET /challenge, signed as the SDK does.
  std::string Auth(const char* key = kOwnerKey) {
    eth::Address who = *eth::AddressOf(Key(key));
    absl::StatusOr<json> c =
        api_.Challenge({{"chainId", "65535"}, {"address", who.ToChecksum()}});
    EXPECT_TRUE(c.ok()) << c.status();
    return AuthHeader((*c)["data"], Key(key));
  }
  ApiReply Publish(const json& order) {
    return ToReply(
        api_.PublishWorkerpoolOrder(kQuery, Auth(), {{"order", order}}));
  }
  ApiReply Unpublish(const json& body, const char* key = kOwnerKey) {
    return ToReply(api_.UnpublishWorkerpoolOrders(kQuery, Auth(key), body));
  }
  ApiReply Book(Query q = {}) {
    q.emplace("chainId", "65535");
    return ToReply(api_.WorkerpoolOrderbook(q));
  }
  // Expects a refusal with this status and text.
  static void ExpectError(const ApiReply& r, int status, const std::string& e) {
    EXPECT_EQ(r.status, status) << r.body.dump();
    EXPECT_EQ(r.body, (json{{"ok", false}, {"error", e}}));
  }

  const Query kQuery = {{"chainId", "65535"}};
  FakeChainView chain_;
  FakeClock clock_;
  CountingRandom random_;
  OrderBook book_{DevnetDomain()};
  MarketApi api_{{DevnetDomain(), 3}, &chain_, &book_, &clock_, &random_};
};

TEST_F(MarketApiTest, PublishesAsTheApiRecordsIt) {
  ApiReply r = Publish(Signed(OrderJson()));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const json& p = r.body["published"];
  EXPECT_EQ(r.body["ok"], true);
  EXPECT_EQ(
      p["orderHash"],
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0");
  EXPECT_EQ(p["chainId"], 65535);
  EXPECT_EQ(p["remaining"], 5);
  EXPECT_EQ(p["status"], "open");
  EXPECT_EQ(p["signer"], kOwner);
  EXPECT_EQ(p["publicationTimestamp"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(p["order"]["workerpoolprice"], 1000);  // numbers come back numbers
  EXPECT_EQ(p["order"]["volume"], 5);
  EXPECT_EQ(p["order"]["workerpool"], kWorkerpool);

  ApiReply one = ToReply(api_.GetWorkerpoolOrder(
      "0x71E55EA2E6E16CB0957A6BA82B1604A3820240487FC287ECDF9F490AB1F5C0C0",
      kQuery));
  ASSERT_EQ(one.status, 200) << one.body.dump();
  EXPECT_EQ(one.body["orderHash"], p["orderHash"]);
  EXPECT_EQ(one.body["chainId"], "65535");
  EXPECT_EQ(one.body["ok"], true);
  ExpectError(
      ToReply(api_.GetWorkerpoolOrder("0x" + std::string(64, '0'), kQuery)),
      404, "workerpoolorder not found");
  ExpectError(ToReply(api_.GetWorkerpoolOrder("0x12", kQuery)), 400,
              "orderHash must be a bytes32 hexstring");
}

TEST_F(MarketApiTest, StakeMustCoverThirtyPercentOfPriceTimesRemaining) {
  chain_.stake = eth::U256(1499);  // 1000 x 30 / 100 x 5 = 1500
  ExpectError(Publish(Signed(OrderJson())), 403,
              "workerpool owner's stake is too low to cover required "
              "workerpool lock");
  chain_.consumed = eth::U256(2);  // remaining 3: 900 required
  ApiReply r = Publish(Signed(OrderJson()));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["published"]["remaining"], 3);
}

TEST_F(MarketApiTest, RemainingVolumeMustBePositive) {
  chain_.consumed = eth::U256(5);
  ExpectError(Publish(Signed(OrderJson())), 403, "order already consumed");
}

// As the real API follows OrdersMatched: reads see what deals consumed.
TEST_F(MarketApiTest, ReadsFollowWhatTheChainConsumed) {
  ApiReply r = Publish(Signed(OrderJson()));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const std::string hash = r.body["published"]["orderHash"];
  chain_.consumed = eth::U256(2);
  ApiReply book = Book();
  ASSERT_EQ(book.body["count"], 1) << book.body.dump();
  EXPECT_EQ(book.body["orders"][0]["remaining"], 3);

  chain_.consumed = eth::U256(5);  // all of it: filled, out of the orderbook
  EXPECT_EQ(Book().body["count"], 0);
  ApiReply one = ToReply(api_.GetWorkerpoolOrder(hash, kQuery));
  EXPECT_EQ(one.body["status"], "filled");
  EXPECT_EQ(one.body["remaining"], 0);
}

TEST_F(MarketApiTest, ReadsServeWhatIsKnownWhileTheChainIsAway) {
  ASSERT_EQ(Publish(Signed(OrderJson())).status, 200);
  chain_.consumed = eth::U256(2);
  ASSERT_EQ(Book().body["orders"][0]["remaining"], 3);
  chain_.fail_reads = true;
  ApiReply book = Book();
  ASSERT_EQ(book.status, 200) << book.body.dump();
  EXPECT_EQ(book.body["orders"][0]["remaining"], 3);
}

TEST_F(MarketApiTest, SignatureMustBeValidOnTheHub) {
  json order = Signed(OrderJson());
  order["sign"] = Signed(OrderJson(999))["sign"];
  ExpectError(Publish(order), 403, "invalid sign");
  order["sign"] = Signed(OrderJson(), DevnetDomain(), Key(kOtherKey))["sign"];
  ExpectError(Publish(order), 403, "invalid sign");
}

TEST_F(MarketApiTest, SignerMustBeTheWorkerpoolOwner) {
  chain_.owner = Addr(kOther);
  ExpectError(
      Publish(Signed(OrderJson())), 403,
      std::string("only order signer ") + kOther + " can publish an order");
  chain_.owner = Addr(kOwner);
  chain_.registered = false;
  ExpectError(Publish(Signed(OrderJson())), 403, "Resource not deployed");
}

TEST_F(MarketApiTest, NoDuplicatesExceptDeadOrders) {
  ASSERT_EQ(Publish(Signed(OrderJson())).status, 200);
  ExpectError(Publish(Signed(OrderJson())), 403, "order already published");
  OrderRecord dead = *book_.Find(
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0");
  dead.status = OrderStatus::kDead;
  ASSERT_TRUE(book_.Put(dead).ok());
  ApiReply again = Publish(Signed(OrderJson()));
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(again.body["published"]["status"], "open");
}

TEST_F(MarketApiTest, AtMostTheConfiguredOpenOrdersPerSigner) {
  for (char salt : {'1', '2', '3'})
    ASSERT_EQ(Publish(Signed(OrderJson(1000, 1, salt))).status, 200);
  ExpectError(Publish(Signed(OrderJson(1000, 1, '4'))), 403,
              std::string("maximum of 3 published open workerpoolorder has "
                          "been reached for wallet ") +
                  kOwner);
}

TEST_F(MarketApiTest, ChainIdMustBeTheDevnets) {
  ExpectError(
      ToReply(api_.PublishWorkerpoolOrder({{"chainId", "134"}}, Auth(),
                                          {{"order", Signed(OrderJson())}})),
      400, "chainId 134 is not supported");
  ExpectError(ToReply(api_.PublishWorkerpoolOrder(
                  {}, Auth(), {{"order", Signed(OrderJson())}})),
              400, "chainId is a required field");
  ExpectError(ToReply(api_.Challenge({{"chainId", "1"}, {"address", kOwner}})),
              400, "chainId 1 is not supported");
  ExpectError(ToReply(api_.Challenge({{"chainId", "65535"}, {"address", "x"}})),
              400, "address is not a valid ethereum address");
  ExpectError(ToReply(api_.WorkerpoolOrderbook({{"chainId", "1"}})), 400,
              "chainId 1 is not supported");
}

TEST_F(MarketApiTest, AuthorizationIsRequiredAndSingleUse) {
  json body = {{"order", Signed(OrderJson())}};
  ExpectError(ToReply(api_.PublishWorkerpoolOrder(kQuery, "", body)), 403,
              "invalid authorization");
  ExpectError(ToReply(api_.PublishWorkerpoolOrder(kQuery, "a_b_c", body)), 403,
              "invalid authorization");
  EXPECT_EQ(chain_.calls, 0);
  std::string header = Auth();
  ASSERT_EQ(ToReply(api_.PublishWorkerpoolOrder(kQuery, header, body)).status,
            200);
  ExpectError(ToReply(api_.PublishWorkerpoolOrder(
                  kQuery, header, {{"order", Signed(OrderJson(7))}})),
              403, "invalid authorization");
  ExpectError(ToReply(api_.UnpublishWorkerpoolOrders(
                  kQuery, header,
                  {{"target", "unpublish_all"}, {"workerpool", kWorkerpool}})),
              403, "invalid authorization");
}

TEST_F(MarketApiTest, ChainFailuresAreTheApisInternalError) {
  chain_.error = absl::UnavailableError("connection refused");
  ExpectError(Publish(Signed(OrderJson())), 500,
              "Something went wrong, you should retry later.");
}

TEST_F(MarketApiTest, MalformedBodiesAreValidationErrors) {
  ExpectError(
      ToReply(api_.PublishWorkerpoolOrder(kQuery, Auth(), json::object())), 400,
      "order is a required field");
  json order = Signed(OrderJson());
  order["volume"] = "0";
  ExpectError(Publish(order), 400,
              "order.volume must be greater than or equal to 1");
}

TEST_F(MarketApiTest, UnpublishByHashLastAndAll) {
  std::vector<std::string> hashes;
  for (char salt : {'1', '2', '3'}) {
    ApiReply r = Publish(Signed(OrderJson(1000, 1, salt)));
    ASSERT_EQ(r.status, 200) << r.body.dump();
    hashes.push_back(r.body["published"]["orderHash"]);
    clock_.Advance(absl::Seconds(1));
  }
  // By hash: only its signer.
  ExpectError(
      Unpublish({{"target", "unpublish_orderHash"}, {"orderHash", hashes[0]}},
                kOtherKey),
      403,
      std::string("only order signer ") + kOwner + " can unpublish an order");
  ApiReply by_hash = Unpublish({{"orderHash", hashes[0]}});  // default target
  ASSERT_EQ(by_hash.status, 200) << by_hash.body.dump();
  EXPECT_EQ(by_hash.body, (json{{"ok", true}, {"unpublished", {hashes[0]}}}));
  ExpectError(
      Unpublish({{"target", "unpublish_orderHash"}, {"orderHash", hashes[0]}}),
      403, "workerpoolorder with orderHash " + hashes[0] + " is not published");
  // Last: the latest published.
  ApiReply last =
      Unpublish({{"target", "unpublish_last"}, {"workerpool", kWorkerpool}});
  ASSERT_EQ(last.status, 200) << last.body.dump();
  EXPECT_EQ(last.body["unpublished"], json({hashes[2]}));
  ASSERT_EQ(Publish(Signed(OrderJson(1000, 1, '4'))).status, 200);
  // All: every open order of the signer for that workerpool, latest first.
  ApiReply all =
      Unpublish({{"target", "unpublish_all"},
                 {"workerpool", "0x01a7015b8f7c437a945dcdd84e9dd9ad647bc1db"}});
  ASSERT_EQ(all.status, 200) << all.body.dump();
  EXPECT_EQ(all.body["unpublished"].size(), 2u);
  EXPECT_EQ(all.body["unpublished"][1], hashes[1]);
  EXPECT_EQ(Book().body["count"], 0);
  ExpectError(
      Unpublish({{"target", "unpublish_all"}, {"workerpool", kWorkerpool}}),
      403,
      std::string("no open workerpoolorder published by signer ") + kOwner +
          " for workerpool " + kWorkerpool);
  ExpectError(Unpublish({{"target", "unpublish_everything"}}), 400,
              "target must be one of the following values: "
              "unpublish_orderHash, unpublish_last, unpublish_all");
  ExpectError(Unpublish({{"target", "unpublish_orderHash"}}), 400,
              "orderHash is a required field");
  ExpectError(Unpublish({{"target", "unpublish_last"}}), 400,
              "workerpool is a required field");
}

TEST_F(MarketApiTest, OrderbookQueryFiltersAndPages) {
  for (uint64_t i = 0; i < 12; ++i) {
    OrderRecord r;
    r.order = *iexec::ParseSignedWorkerpoolOrder(
        Signed(OrderJson(100 - i, 1, static_cast<char>('a' + i % 6))));
    r.order.trust = i;  // distinct hashes
    r.order_hash =
        eth::ToHex(*iexec::WorkerpoolOrderHash(r.order, DevnetDomain()));
    r.chain_id = kChainId;
    r.remaining = 1;
    r.signer = Addr(kOwner);
    r.publication_timestamp = "2025-01-01T00:00:00.000Z";
    ASSERT_TRUE(book_.Put(r).ok());
  }
  ApiReply first = Book({{"pageSize", "10"},
                         {"workerpool", kWorkerpool},
                         {"isRequesterStrict", "false"}});
  ASSERT_EQ(first.status, 200) << first.body.dump();
  EXPECT_EQ(first.body["count"], 12);
  EXPECT_EQ(first.body["orders"].size(), 10u);
  EXPECT_EQ(first.body["orders"][0]["order"]["workerpoolprice"], 89);
  EXPECT_EQ(first.body["nextPage"], 10);
  ApiReply second = Book({{"pageIndex", "1"}, {"pageSize", "10"}});
  EXPECT_EQ(second.body["orders"].size(), 2u);
  EXPECT_FALSE(second.body.contains("nextPage"));
  EXPECT_EQ(Book({{"workerpool", "any"}, {"category", "1"}}).body["count"], 0);
  EXPECT_EQ(Book({{"minTrust", "10"}}).body["count"], 2);
  EXPECT_EQ(Book({{"workerpoolOwner", kOther}}).body["count"], 0);
  ExpectError(Book({{"pageSize", "5"}}), 400,
              "pageSize must be greater than or equal to 10");
  ExpectError(Book({{"pageSize", "1001"}}), 400,
              "pageSize must be less than or equal to 1000");
  ExpectError(Book({{"minTag", "tee"}}), 400,
              "minTag must be a bytes32 hexstring");
  ExpectError(Book({{"minVolume", "0"}}), 400,
              "minVolume must be greater than or equal to 1");
  ExpectError(Book({{"workerpool", "pool"}}), 400,
              "workerpool is neither \"any\" nor a valid ethereum address");
}

TEST_F(MarketApiTest, Version) {
  ApiReply v = ToReply(api_.Version());
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body["ok"], true);
  EXPECT_EQ(v.body["version"], kMarketVersion);
}

}  // namespace
}  // namespace poolops::market
