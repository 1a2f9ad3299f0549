#include "services/chain/orders/market_client.h"

#include <atomic>
#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/fake_http_server.h"
#include "libs/iexec/market_challenge.h"
#include "services/chain/orders/fake_order_world.h"

namespace poolops::chain {
namespace {

using testing::FakeOrderWorld;
using testing::FakeWeb;
using ::testing::HasSubstr;
using testing::kMarketUrl;
namespace mt = market::testing;

iexec::WorkerpoolOrder SignedOrder(uint64_t price = 1000, uint64_t volume = 5,
                                   char salt = '1') {
  return *iexec::ParseSignedWorkerpoolOrder(
      mt::Signed(mt::OrderJson(price, volume, salt)));
}

class MarketClientTest : public ::testing::Test {
 protected:
  MarketClient Client() {
    return MarketClient(std::string(kMarketUrl) + "/", mt::kChainId,
                        w.web.get(), &w.signer);
  }
  FakeOrderWorld w;
};

TEST_F(MarketClientTest, PublishListGetUnpublishAgainstTheDevnetMarketApi) {
  MarketClient c = Client();
  EXPECT_EQ(c.url(), kMarketUrl);
  iexec::WorkerpoolOrder o1 = SignedOrder(1000, 5, '1');
  iexec::WorkerpoolOrder o2 = SignedOrder(10, 2, '2');
  absl::StatusOr<std::string> h1 = c.Publish("owner", o1);
  ASSERT_TRUE(h1.ok()) << h1.status();
  EXPECT_EQ(*h1,
            eth::ToHex(*iexec::WorkerpoolOrderHash(o1, mt::DevnetDomain())));
  ASSERT_TRUE(c.Publish("owner", o2).ok());

  // Each write did its own challenge, and sent the SDK's headers.
  EXPECT_EQ(w.web->CountTo(
                "/challenge?address=0x70997970C51812dc3A010C7d01b50e0d17dc79C8&"
                "chainId=65535"),
            2u);
  bool saw_auth = false;
  for (const http::Request& r : w.web->sent()) {
    if (r.method != "POST") continue;
    for (const auto& [k, v] : r.headers)
      if (k == "authorization") {
        saw_auth = true;
        EXPECT_THAT(v,
                    HasSubstr("_0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
      }
    nlohmann::json body = nlohmann::json::parse(r.body);
    EXPECT_TRUE(body["order"]["volume"].is_string());  // as the SDK sends
  }
  EXPECT_TRUE(saw_auth);

  MarketOrderbookQuery q;
  q.workerpool = mt::Addr(mt::kWorkerpool);
  absl::StatusOr<MarketOrderbookPage> page = c.Orderbook(q);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->count, 2u);
  EXPECT_EQ(page->orders[0].order.workerpoolprice, 10u);  // cheapest first
  EXPECT_EQ(page->orders[1].remaining, 5u);
  EXPECT_EQ(page->orders[1].status, "open");
  EXPECT_EQ(page->orders[1].order, o1);

  absl::StatusOr<MarketOrder> got = c.GetOrder(*h1);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->order.sign, o1.sign);

  absl::StatusOr<std::vector<std::string>> last =
      c.Unpublish("owner", UnpublishTarget::kLast, o1.workerpool, "");
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->size(), 1u);
  absl::StatusOr<std::vector<std::string>> all =
      c.Unpublish("owner", UnpublishTarget::kAll, o1.workerpool, "");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 1u);
  absl::StatusOr<std::vector<std::string>> none =
      c.Unpublish("owner", UnpublishTarget::kOrderHash, o1.workerpool, *h1);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("is not published"));
  EXPECT_THAT(none.status().message(), HasSubstr(kMarketUrl));
  EXPECT_EQ(c.GetOrder(*h1).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MarketClientTest, PagesThroughTheBook) {
  MarketClient c = Client();
  for (char s = 'a'; s < 'a' + 6; ++s)
    ASSERT_TRUE(c.Publish("owner", SignedOrder(1, 1, s)).ok());
  MarketOrderbookQuery q;
  q.page_size = 10;
  // The API's minimum page is 10: 6 fit in one page.
  absl::StatusOr<MarketOrderbookPage> all = c.OrderbookAll(q);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->orders.size(), 6u);
  EXPECT_EQ(all->count, 6u);
}

TEST_F(MarketClientTest, ApiErrorsCarryTheTextAndTheUrl) {
  MarketClient c = Client();
  iexec::WorkerpoolOrder o = SignedOrder();
  ASSERT_TRUE(c.Publish("owner", o).ok());
  absl::StatusOr<std::string> again = c.Publish("owner", o);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(),
              HasSubstr("API error: order already published"));
  EXPECT_THAT(again.status().message(),
              HasSubstr("market http://fake-market:3000"));
  // A wallet that does not own the pool.
  absl::StatusOr<std::string> other =
      c.Publish("other", SignedOrder(1, 1, '9'));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), HasSubstr("only order signer"));
}

TEST_F(MarketClientTest, ResponsesMustBeJson) {
  w.web->Route("GET http://fake-market:3000/workerpoolorders",
               [](const http::Request&) -> absl::StatusOr<http::Response> {
                 return http::Response{200, "text/html", "<html>proxy</html>"};
               });
  absl::StatusOr<MarketOrderbookPage> r = Client().Orderbook({});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(),
              HasSubstr("The http response is not of JSON type"));
  EXPECT_THAT(r.status().message(), HasSubstr(kMarketUrl));
}

TEST_F(MarketClientTest, ServerErrorsAndTransportFailures) {
  w.web->Route(
      "GET http://fake-market:3000/challenge",
      [](const http::Request&) -> absl::StatusOr<http::Response> {
        return FakeWeb::Json(500, {{"ok", false}, {"error", "db down"}});
      });
  absl::StatusOr<std::string> r = Client().Publish("owner", SignedOrder());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(),
              HasSubstr("Server at http://fake-market:3000 encountered an "
                        "internal error: db down"));
  MarketClient gone("http://nowhere:1", mt::kChainId, w.web.get(), &w.signer);
  absl::StatusOr<MarketOrderbookPage> g = gone.Orderbook({});
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(g.status().message(), HasSubstr("market http://nowhere:1"));
}

TEST_F(MarketClientTest, UnknownWalletFailsBeforeAnyRequest) {
  absl::StatusOr<std::string> r = Client().Publish("nobody", SignedOrder());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(w.web->sent().empty());
}

// Counts what it is asked to sign, then signs with the test keys.
class CountingSigner : public Signer {
 public:
  explicit CountingSigner(Signer* inner) : inner_(inner) {}
  absl::StatusOr<eth::Address> Resolve(std::string_view wallet) override {
    return inner_->Resolve(wallet);
  }
  absl::StatusOr<SignedTx> SignTransaction(std::string_view wallet,
                                           const eth::Transaction& tx,
                                           std::string_view purpose) override {
    return inner_->SignTransaction(wallet, tx, purpose);
  }
  absl::StatusOr<TypedDataSignature> SignTypedData(
      std::string_view wallet, const nlohmann::json& typed_data,
      std::string_view purpose) override {
    ++typed_signatures;
    return inner_->SignTypedData(wallet, typed_data, purpose);
  }
  std::atomic<int> typed_signatures{0};

 private:
  Signer* const inner_;
};

// The API's challenge answer, as iexec-market-api getEIP712 writes it.
nlohmann::json ApiChallenge(uint64_t chain_id = mt::kChainId) {
  nlohmann::json data = iexec::MarketChallengeTypedData(
      std::string(iexec::kMarketChallengePrefix) +
          "abcdefghijklmnopqrstuvwxyz012345",
      chain_id);
  return {{"ok", true}, {"data", data}};
}

struct HostileChallenge {
  const char* name;
  std::function<void(nlohmann::json&)> change;  // on the answer's data
  const char* why;
};

// A hostile market answering /challenge with anything but the API's
// Challenge gets no signature, and the error names the market.
TEST_F(MarketClientTest, SignsOnlyTheApiChallenge) {
  iexec::WorkerpoolOrder order = SignedOrder(0, 1'000'000);
  const std::vector<HostileChallenge> cases = {
      {"a workerpool order",
       [&](nlohmann::json& d) {
         d = iexec::WorkerpoolOrderTypedData(order, mt::DevnetDomain());
       },
       "primaryType is \"WorkerpoolOrder\""},
      {"an extra type",
       [](nlohmann::json& d) {
         d["types"]["Extra"] = {{{"name", "x"}, {"type", "uint256"}}};
       },
       "types must be Challenge"},
      {"another primary type",
       [](nlohmann::json& d) { d["primaryType"] = "EIP712Domain"; },
       "primaryType is \"EIP712Domain\""},
      {"another domain name",
       [](nlohmann::json& d) { d["domain"]["name"] = "iExecODB"; },
       "the domain is \"iExecODB\""},
      {"another version",
       [](nlohmann::json& d) { d["domain"]["version"] = "5.0.0"; },
       "not \"iExec Gateway\" \"1\""},
      {"a verifying contract",
       [](nlohmann::json& d) { d["domain"]["verifyingContract"] = mt::kHub; },
       "exactly {name, version, chainId}"},
      {"another chain",
       [](nlohmann::json& d) { d["domain"]["chainId"] = "134"; },
       "the domain's chainId is \"134\", not this chain's 65535"},
      {"no chain id", [](nlohmann::json& d) { d["domain"].erase("chainId"); },
       "exactly {name, version, chainId}"},
      {"an extra field",
       [](nlohmann::json& d) {
         d["types"]["Challenge"].push_back(
             {{"name", "volume"}, {"type", "uint256"}});
         d["message"]["volume"] = 1000000;
       },
       "types.Challenge must be [challenge string] only"},
      {"an extra message key",
       [](nlohmann::json& d) { d["message"]["volume"] = 1; },
       "the message must be exactly"},
      {"another text",
       [](nlohmann::json& d) { d["message"]["challenge"] = "0xdeadbeef"; },
       "the challenge does not read"},
      {"a control character",
       [](nlohmann::json& d) {
         d["message"]["challenge"] =
             std::string(iexec::kMarketChallengePrefix) + "ab\x1b[2J";
       },
       "printable ASCII"},
      {"a number type",
       [](nlohmann::json& d) {
         d["types"]["Challenge"][0]["type"] = "uint256";
         d["message"]["challenge"] = 5;
       },
       "types.Challenge must be"},
  };
  for (const HostileChallenge& c : cases) {
    SCOPED_TRACE(c.name);
    nlohmann::json answer = ApiChallenge();
    c.change(answer["data"]);
    w.web->Route(
        "GET http://fake-market:3000/challenge",
        [answer](const http::Request&) -> absl::StatusOr<http::Response> {
          return FakeWeb::Json(200, answer);
        });
    CountingSigner signer(&w.signer);
    MarketClient client(kMarketUrl, mt::kChainId, w.web.get(), &signer);
    absl::StatusOr<std::string> r = client.Publish("owner", SignedOrder());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(r.status().message(),
                HasSubstr("market http://fake-market:3000: refusing to sign "
                          "the login challenge: "));
    EXPECT_THAT(r.status().message(), HasSubstr(c.why));
    EXPECT_EQ(signer.typed_signatures, 0);
    EXPECT_EQ(w.web->CountTo("/workerpoolorders"), 0u);  // nothing published
  }
}

// The API's own answer (chainId a decimal string, or a number; with or
// without the {ok,data} wrapper) is signed: the same digest as the API's.
TEST_F(MarketClientTest, TheApiChallengeIsSignedAsTheApiHashesIt) {
  CountingSigner signer(&w.signer);
  for (nlohmann::json answer : {ApiChallenge(), ApiChallenge()["data"]}) {
    if (answer.contains("data")) {
      answer["data"]["domain"]["chainId"] = 65535;  // a number works too
    }
    absl::StatusOr<std::string> header =
        MarketClient::AuthorizationFor(answer, mt::kChainId, signer, "owner");
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(*header, mt::AuthHeader(ApiChallenge()["data"]));
  }
  EXPECT_EQ(signer.typed_signatures, 2);
}

// A market (or a proxy in front of it) answering a million '[' gets a clear
// error naming it; nothing crashes.
TEST(MarketClientHttpTest, DeeplyNestedAnswersAreRefusedNotCrashing) {
  for (const std::string& body :
       {std::string(1'000'000, '['),
        std::string(1'000'000, '[') + std::string(1'000'000, ']')}) {
    test::TestHttpServer market(
        [&body](const test::HttpRequest&) { return test::HttpOk(body); });
    ASSERT_TRUE(market.bound());
    std::unique_ptr<http::Client> web = http::NewCurlClient();
    KeySigner keys;
    ASSERT_TRUE(keys.Add("owner", mt::kOwnerKey).ok());
    MarketClient client(market.url(""), mt::kChainId, web.get(), &keys);
    absl::StatusOr<MarketOrderbookPage> page = client.Orderbook({});
    EXPECT_EQ(page.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(page.status().message(),
                HasSubstr(absl::StrCat("market ", market.url(""),
                                       ": GET /workerpoolorders: JSON nested "
                                       "deeper than 32 levels")));
    absl::StatusOr<std::string> published =
        client.Publish("owner", SignedOrder());
    EXPECT_THAT(published.status().message(),
                HasSubstr("GET /challenge: JSON nested deeper than 32 levels"));
  }
}

}  // namespace
}  // namespace poolops::chain
