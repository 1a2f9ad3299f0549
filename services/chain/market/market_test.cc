#include "services/chain/market/market.h"

#include "gtest/gtest.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"

namespace poolops::market {
namespace {

using nlohmann::json;

// PROTOCOL facts §F.2: the owner key and its order, on the devnet domain.
constexpr char kOwnerKey[] =
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
constexpr char kOwner[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
constexpr char kWorkerpool[] = "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db";
constexpr char kHub[] = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

class FakeChain : public ChainView {
 public:
  absl::StatusOr<eth::Address> WorkerpoolOwner(const eth::Address&) override {
    return owner;
  }
  absl::StatusOr<bool> VerifySignature(const eth::Address& signer,
                                       const eth::Hash32& hash,
                                       eth::ByteView sign) override {
    absl::StatusOr<eth::Address> a = eth::RecoverAddress(hash, sign);
    return a.ok() && *a == signer;
  }
  absl::StatusOr<eth::U256> Stake(const eth::Address&) override {
    return stake;
  }
  absl::StatusOr<eth::U256> Consumed(const eth::Hash32&) override {
    return consumed;
  }
  eth::Address owner = *eth::Address::Parse(kOwner);
  eth::U256 stake = 1000000;
  eth::U256 consumed = 0;
};

eth::Bytes Key() { return *eth::FromHex(kOwnerKey); }

json Order(uint64_t price = 1000, uint64_t volume = 5,
           const std::string& salt = std::string(64, '1')) {
  return {{"workerpool", kWorkerpool},
          {"workerpoolprice", std::to_string(price)},
          {"volume", std::to_string(volume)},
          {"tag", "0x" + std::string(63, '0') + "3"},
          {"category", "0"},
          {"trust", "0"},
          {"apprestrict", "0x0000000000000000000000000000000000000000"},
          {"datasetrestrict", "0x0000000000000000000000000000000000000000"},
          {"requesterrestrict", "0x0000000000000000000000000000000000000000"},
          {"salt", "0x" + salt}};
}

json Signed(json order) {
  auto d = eth::eip712::HashTypedData(
      WorkerpoolOrderTypedData(order, 65535, *eth::Address::Parse(kHub)));
  order["sign"] = eth::ToHex(eth::SignDigest(Key(), d->digest)->ToRsv());
  return order;
}

class MarketTest : public ::testing::Test {
 protected:
  // What the SDK does: GET /challenge, sign it, build the header.
  std::string Auth(const eth::Bytes& key = Key()) {
    eth::Address who = *eth::AddressOf(key);
    auto c = market_.Challenge(
        {{"chainId", "65535"}, {"address", who.ToChecksum()}});
    EXPECT_TRUE(c.ok()) << c.status();
    auto d = eth::eip712::HashTypedData((*c)["data"]);
    return eth::ToHex(d->digest) + "_" +
           eth::ToHex(eth::SignDigest(key, d->digest)->ToRsv()) + "_" +
           who.ToChecksum();
  }
  absl::StatusOr<json> Publish(const json& order) {
    return market_.Publish(kChain, Auth(), {{"order", order}});
  }
  const Query kChain = {{"chainId", "65535"}};
  FakeChain chain_;
  Market market_{{65535, *eth::Address::Parse(kHub), 3}, &chain_};
};

TEST(MarketVectorsTest, OrderHashAndAuthHashAsTheProtocolFacts) {
  auto d = eth::eip712::HashTypedData(
      WorkerpoolOrderTypedData(Order(), 65535, *eth::Address::Parse(kHub)));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(
      eth::ToHex(d->digest),
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0");
  EXPECT_EQ(Signed(Order())["sign"],
            "0x85d59b08d31b369f6f8c8bbf55266e3ed2b43fd63bbda49e13928f7b12993615"
            "677fcff53b2a3f2191"
            "d00231bae59c4c5aeb291714ec9d3bc22c30d4156cfb8c1c");
  auto c = eth::eip712::HashTypedData(
      ChallengeTypedData("Sign this message to log into iExec Gateway: "
                         "abcdefghijklmnopqrstuvwxyz012345",
                         134));
  EXPECT_EQ(
      eth::ToHex(c->digest),
      "0xc5ee7fb42e0da8066e9bb45484d32d97aef9278dd6246c83184a29d6e0526148");
}

TEST_F(MarketTest, PublishReadUnpublish) {
  auto p = Publish(Signed(Order()));
  ASSERT_TRUE(p.ok()) << p.status();
  std::string hash = (*p)["published"]["orderHash"];
  EXPECT_EQ(
      hash,
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0");
  EXPECT_EQ((*p)["published"]["order"]["workerpoolprice"],
            1000);  // stored as a number
  EXPECT_EQ((*p)["published"]["remaining"], 5);
  EXPECT_EQ((*p)["published"]["signer"], kOwner);

  auto book =
      market_.Orderbook({{"chainId", "65535"}, {"workerpool", kWorkerpool}});
  ASSERT_TRUE(book.ok());
  EXPECT_EQ((*book)["count"], 1);
  EXPECT_EQ((*book)["orders"][0]["orderHash"], hash);
  EXPECT_TRUE(market_.GetOrder(hash, kChain).ok());
  EXPECT_EQ(Publish(Signed(Order())).status().message(),
            "order already published");

  auto u = market_.Unpublish(
      kChain, Auth(), {{"target", "unpublish_orderHash"}, {"orderHash", hash}});
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ((*u)["unpublished"][0], hash);
  EXPECT_EQ((*market_.Orderbook(kChain))["count"], 0);
  EXPECT_EQ(
      market_
          .Unpublish(kChain, Auth(),
                     {{"target", "unpublish_orderHash"}, {"orderHash", hash}})
          .status()
          .message(),
      "workerpoolorder with orderHash " + hash + " is not published");
}

TEST_F(MarketTest, RulesWithTheRealApisWords) {
  chain_.stake = 1499;  // 30% of 1000 x 5 = 1500
  EXPECT_EQ(
      Publish(Signed(Order())).status().message(),
      "workerpool owner's stake is too low to cover required workerpool lock");
  chain_.stake = 1500;
  chain_.consumed = 5;
  EXPECT_EQ(Publish(Signed(Order())).status().message(),
            "order already consumed");
  chain_.consumed = 0;
  json bad = Signed(Order());
  bad["sign"] = Signed(Order(1))["sign"];
  EXPECT_EQ(Publish(bad).status().message(), "invalid sign");
  chain_.owner =
      *eth::Address::Parse("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  EXPECT_EQ(Publish(Signed(Order())).status().message(),
            "only order signer 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23 can "
            "publish an order");
  chain_.owner = *eth::Address::Parse(kOwner);
  // At most 3 open orders per wallet in this market.
  for (char s : {'1', '2', '3'})
    ASSERT_TRUE(Publish(Signed(Order(1000, 1, std::string(64, s)))).ok());
  EXPECT_EQ(
      Publish(Signed(Order(1000, 1, std::string(64, '4')))).status().message(),
      std::string("maximun of 3 published open workerpoolorder has been "
                  "reached for wallet ") +
          kOwner);
  auto last = market_.Unpublish(
      kChain, Auth(),
      {{"target", "unpublish_last"}, {"workerpool", kWorkerpool}});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ((*last)["unpublished"].size(), 1u);
  auto all = market_.Unpublish(
      kChain, Auth(),
      {{"target", "unpublish_all"}, {"workerpool", kWorkerpool}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["unpublished"].size(), 2u);
}

TEST_F(MarketTest, ChallengesAreSingleUseAndBoundToTheSigner) {
  std::string header = Auth();
  ASSERT_TRUE(
      market_.Publish(kChain, header, {{"order", Signed(Order())}}).ok());
  auto again = market_.Publish(kChain, header, {{"order", Signed(Order(7))}});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnauthenticated);
  // A header whose address is not the signer's.
  std::string forged = Auth();
  forged.replace(forged.rfind('_') + 1, std::string::npos,
                 "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  EXPECT_EQ(market_.Publish(kChain, forged, {{"order", Signed(Order(8))}})
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(market_.Publish(kChain, "garbage", {{"order", Signed(Order(9))}})
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(market_.Challenge({{"chainId", "1"}, {"address", kOwner}}).ok());
}

TEST_F(MarketTest, OrderbookSortsFiltersAndPages) {
  for (uint64_t price : {30, 10, 20})
    ASSERT_TRUE(
        Publish(Signed(Order(price, 1, std::string(64, 'a' + price / 10))))
            .ok());
  auto book = market_.Orderbook({{"chainId", "65535"}, {"pageSize", "10"}});
  ASSERT_TRUE(book.ok());
  EXPECT_EQ((*book)["orders"][0]["order"]["workerpoolprice"], 10);
  EXPECT_EQ((*book)["orders"][2]["order"]["workerpoolprice"], 30);
  EXPECT_FALSE(book->contains("nextPage"));
  EXPECT_EQ(
      (*market_.Orderbook({{"chainId", "65535"}, {"category", "1"}}))["count"],
      0);
  EXPECT_EQ((*market_.Orderbook(
                {{"chainId", "65535"},
                 {"minTag", "0x" + std::string(62, '0') + "10"}}))["count"],
            0);
  EXPECT_EQ((*market_.Orderbook(
                {{"chainId", "65535"},
                 {"minTag", "0x" + std::string(63, '0') + "1"}}))["count"],
            3);
  EXPECT_FALSE(
      market_.Orderbook({{"chainId", "65535"}, {"pageSize", "5"}}).ok());
  EXPECT_FALSE(market_.Orderbook({{"chainId", "5"}}).ok());
}

TEST_F(MarketTest, MalformedOrdersAreRefusedClearly) {
  json o = Signed(Order());
  o["volume"] = "0";
  EXPECT_EQ(Publish(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Signed(Order());
  o.erase("salt");
  EXPECT_EQ(Publish(o).status().message(), "salt is a required field");
  o = Signed(Order());
  o["workerpool"] = "0x123";
  EXPECT_EQ(Publish(o).status().message(),
            "workerpool must be a valid ethereum address");
  EXPECT_EQ(market_.Publish(kChain, Auth(), json::array()).status().message(),
            "order is a required field");
}

}  // namespace
}  // namespace poolops::market
