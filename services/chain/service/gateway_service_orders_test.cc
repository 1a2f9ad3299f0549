// The order half of the gRPC adapter over the fake node and in-process
// market: messages in and out, units, validation names, status codes.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/chain/orders/fake_order_world.h"
#include "services/chain/orders/orders.h"
#include "services/chain/publisher/publisher.h"
#include "services/chain/service/gateway_service.h"

namespace poolops::chain {
namespace {

using testing::FakeOrderWorld;
using ::testing::HasSubstr;
namespace mt = market::testing;

class GatewayServiceOrdersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(w.add_error.ok()) << w.add_error;
    OrdersOptions o;
    o.http = w.web;
    orders = *Orders::Create(w.gateway.get(), w.home(), o);
    PublishersOptions p;
    p.start_loops = false;
    publishers = *Publishers::Create(w.gateway.get(), orders.get(), w.home(),
                                     std::move(p));
    ops = std::make_unique<ChainOps>(w.gateway.get());
    service = std::make_unique<GatewayService>(w.gateway.get(), ops.get(),
                                               orders.get(), publishers.get());
  }
  v1::OrderTerms Terms() {
    v1::OrderTerms t;
    t.set_workerpool(mt::kWorkerpool);
    t.mutable_price()->set_value("0.000001");
    t.mutable_price()->set_unit(v1::Amount::UNIT_RLC);
    t.set_volume("3");
    t.set_tag("tee,scone");
    return t;
  }

  FakeOrderWorld w;
  std::unique_ptr<Orders> orders;
  std::unique_ptr<Publishers> publishers;
  std::unique_ptr<ChainOps> ops;
  std::unique_ptr<GatewayService> service;
};

TEST_F(GatewayServiceOrdersTest, SignPublishOrderbookUnpublish) {
  v1::SignOrderRequest sign;
  sign.set_wallet("owner");
  *sign.mutable_terms() = Terms();
  v1::SignedOrder signed_order;
  grpc::Status s = service->SignOrder(nullptr, &sign, &signed_order);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(signed_order.order().workerpoolprice(), "1000");
  EXPECT_EQ(signed_order.order().volume(), "3");
  EXPECT_EQ(signed_order.order().workerpool(), mt::kWorkerpool);
  EXPECT_EQ(signed_order.order().apprestrict(), mt::kZero);

  v1::PublishOrderRequest pub;
  pub.set_wallet("owner");
  *pub.mutable_signed_() = signed_order.order();
  v1::PublishOrderResponse published;
  s = service->PublishOrder(nullptr, &pub, &published);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(published.order_hash(), signed_order.order_hash());

  v1::GetOrderbookRequest q;
  q.set_workerpool(mt::kWorkerpool);
  v1::Orderbook book;
  ASSERT_TRUE(service->GetOrderbook(nullptr, &q, &book).ok());
  ASSERT_EQ(book.count(), 1u);
  EXPECT_EQ(book.open_volume(), "3");
  EXPECT_EQ(book.orders(0).remaining(), "3");
  EXPECT_EQ(book.orders(0).tag(), signed_order.order().tag());

  v1::UnpublishOrdersRequest un;
  un.set_wallet("owner");
  un.set_workerpool(mt::kWorkerpool);
  un.set_all(true);
  v1::UnpublishOrdersResponse gone;
  ASSERT_TRUE(service->UnpublishOrders(nullptr, &un, &gone).ok());
  EXPECT_THAT(gone.unpublished(),
              ::testing::ElementsAre(signed_order.order_hash()));
}

TEST_F(GatewayServiceOrdersTest, ErrorsNameTheFieldAndMapToCodes) {
  v1::PublishOrderRequest pub;
  pub.set_wallet("owner");
  v1::PublishOrderResponse r;
  grpc::Status s = service->PublishOrder(nullptr, &pub, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::WorkerpoolOrder* o = pub.mutable_signed_();
  o->set_workerpool(mt::kWorkerpool);
  s = service->PublishOrder(nullptr, &pub, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("order.workerpoolprice"));

  v1::SignOrderRequest sign;
  sign.set_wallet("owner");
  *sign.mutable_terms() = Terms();
  sign.mutable_terms()->mutable_price()->set_value("1");
  sign.mutable_terms()->mutable_price()->set_unit(v1::Amount::UNIT_WEI);
  v1::SignedOrder out;
  s = service->SignOrder(nullptr, &sign, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("price"));

  *sign.mutable_terms() = Terms();
  sign.set_wallet("other");
  s = service->SignOrder(nullptr, &sign, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::GetOrderbookRequest q;
  v1::Orderbook book;
  EXPECT_EQ(service->GetOrderbook(nullptr, &q, &book).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::UnpublishOrdersRequest un;
  v1::UnpublishOrdersResponse gone;
  EXPECT_EQ(service->UnpublishOrders(nullptr, &un, &gone).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GatewayServiceOrdersTest, PublisherPolicyRoundTrip) {
  v1::SetPublisherPolicyRequest req;
  v1::PublisherPolicy* p = req.mutable_policy();
  p->set_workerpool(mt::kWorkerpool);
  p->set_wallet("owner");
  p->set_enabled(true);
  p->set_core_metrics_url("http://core:13000/metrics");
  *p->mutable_terms() = Terms();
  p->set_max_open_orders(4);
  v1::PublisherStatus st;
  grpc::Status s = service->SetPublisherPolicy(nullptr, &req, &st);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(st.policy().chain(), "fake");
  EXPECT_EQ(st.policy().check_period_seconds(), 30u);
  EXPECT_EQ(st.policy().terms().price().value(), "0.000001");
  EXPECT_EQ(st.policy().terms().price().unit(), v1::Amount::UNIT_RLC);
  v1::GetPublisherStatusRequest get;
  get.set_workerpool(mt::kWorkerpool);
  ASSERT_TRUE(service->GetPublisherStatus(nullptr, &get, &st).ok());
  EXPECT_EQ(st.policy().max_open_orders(), 4u);
  EXPECT_TRUE(st.last_check().empty());
  get.set_workerpool(mt::kOther);
  EXPECT_EQ(service->GetPublisherStatus(nullptr, &get, &st).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GatewayServiceOrdersTest, PublisherPriceRangeInNrlc) {
  v1::SetPublisherPolicyRequest req;
  v1::PublisherPolicy* p = req.mutable_policy();
  p->set_workerpool(mt::kWorkerpool);
  p->set_wallet("owner");
  p->set_core_metrics_url("http://core:13000/metrics");
  p->mutable_price_min()->set_value("0.000001");
  p->mutable_price_min()->set_unit(v1::Amount::UNIT_RLC);
  p->mutable_price_max()->set_value("2500");
  v1::PublisherStatus st;
  grpc::Status s = service->SetPublisherPolicy(nullptr, &req, &st);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(st.policy().price_min().value(), "1000");
  EXPECT_EQ(st.policy().price_min().unit(), v1::Amount::UNIT_NRLC);
  EXPECT_EQ(st.policy().price_max().value(), "2500");
  // One bound alone, or bounds out of order, are refused.
  p->clear_price_max();
  s = service->SetPublisherPolicy(nullptr, &req, &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("both price_min and price_max"));
  p->mutable_price_max()->set_value("999");
  s = service->SetPublisherPolicy(nullptr, &req, &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("minimum is above the maximum"));
}

// On a PoCo 6 hub, SGX tags are refused by sign, publish and the publisher
// settings alike, as INVALID_ARGUMENT saying what to use instead.
TEST_F(GatewayServiceOrdersTest, Poco6RefusesSgxOnEveryPath) {
  w.Chain([](auto& p) { p.diamond = true; });
  v1::SignOrderRequest sign;
  sign.set_wallet("owner");
  *sign.mutable_terms() = Terms();
  v1::SignedOrder out;
  grpc::Status s = service->SignOrder(nullptr, &sign, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("SGX (scone, gramine) is gone"));

  v1::PublishOrderRequest pub;
  pub.set_wallet("owner");
  *pub.mutable_terms() = Terms();
  v1::PublishOrderResponse published;
  s = service->PublishOrder(nullptr, &pub, &published);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("use tee,tdx"));

  v1::SetPublisherPolicyRequest req;
  v1::PublisherPolicy* p = req.mutable_policy();
  p->set_workerpool(mt::kWorkerpool);
  p->set_wallet("owner");
  p->set_core_metrics_url("http://core:13000/metrics");
  *p->mutable_terms() = Terms();
  v1::PublisherStatus st;
  s = service->SetPublisherPolicy(nullptr, &req, &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("tag tee,scone: SGX"));
  p->mutable_terms()->set_tag("tee,tdx");
  s = service->SetPublisherPolicy(nullptr, &req, &st);
  EXPECT_THAT(s.error_message(), HasSubstr("trust >= 1"));
  p->mutable_terms()->set_trust("1");
  s = service->SetPublisherPolicy(nullptr, &req, &st);
  ASSERT_TRUE(s.ok()) << s.error_message();

  *sign.mutable_terms() = p->terms();
  s = service->SignOrder(nullptr, &sign, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.order().tag(), kTdxTag);
  EXPECT_EQ(out.order().trust(), "1");
}

TEST(GatewayServiceOrdersUnwiredTest, Unavailable) {
  GatewayService service(nullptr, nullptr, nullptr, nullptr);
  v1::SignOrderRequest req;
  v1::SignedOrder out;
  EXPECT_EQ(service.SignOrder(nullptr, &req, &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace poolops::chain
