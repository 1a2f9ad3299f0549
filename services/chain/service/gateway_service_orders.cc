// Order, orderbook and publisher methods of the gRPC adapter: messages in,
// Orders / Publishers calls, messages out.
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/common/status_grpc.h"
#include "services/chain/orders/orders.h"
#include "services/chain/publisher/publisher.h"
#include "services/chain/service/gateway_service.h"

namespace poolops::chain {
namespace {

grpc::Status NotWired(const char* what) {
  return {
      grpc::StatusCode::UNAVAILABLE,
      absl::StrCat(what, ": the order layer is not running in this gateway")};
}

eth::Unit UnitOf(v1::Amount::Unit u) {
  switch (u) {
    case v1::Amount::UNIT_RLC:
      return eth::Unit::kRlc;
    case v1::Amount::UNIT_WEI:
      return eth::Unit::kWei;
    default:
      return eth::Unit::kNRlc;
  }
}

v1::Amount::Unit UnitToProto(eth::Unit u) {
  switch (u) {
    case eth::Unit::kRlc:
      return v1::Amount::UNIT_RLC;
    case eth::Unit::kWei:
      return v1::Amount::UNIT_WEI;
    default:
      return v1::Amount::UNIT_NRLC;
  }
}

// The price keeps its unit (policies are stored as typed); wei must be a
// whole number of nRLC, which AmountIn checks.
absl::StatusOr<OrderTermsInput> TermsFromProto(const v1::OrderTerms& t) {
  OrderTermsInput in;
  in.workerpool = t.workerpool();
  if (!t.price().value().empty()) {
    absl::StatusOr<eth::U256> nrlc =
        AmountIn(t.price(), eth::Unit::kNRlc, eth::Unit::kNRlc);
    if (!nrlc.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("price: ", nrlc.status().message()));
    in.price = t.price().value();
    in.price_unit = UnitOf(t.price().unit());
  }
  in.volume = t.volume();
  in.category = t.category();
  in.tag = t.tag();
  in.trust = t.trust();
  in.app_restrict = t.app_restrict();
  in.dataset_restrict = t.dataset_restrict();
  in.requester_restrict = t.requester_restrict();
  return in;
}

v1::OrderTerms TermsToProto(const OrderTermsInput& in) {
  v1::OrderTerms t;
  t.set_workerpool(in.workerpool);
  if (!in.price.empty()) {
    t.mutable_price()->set_value(in.price);
    t.mutable_price()->set_unit(UnitToProto(in.price_unit));
  }
  t.set_volume(in.volume);
  t.set_category(in.category);
  t.set_tag(in.tag);
  t.set_trust(in.trust);
  t.set_app_restrict(in.app_restrict);
  t.set_dataset_restrict(in.dataset_restrict);
  t.set_requester_restrict(in.requester_restrict);
  return t;
}

v1::WorkerpoolOrder OrderToProto(const iexec::WorkerpoolOrder& o) {
  v1::WorkerpoolOrder p;
  p.set_workerpool(o.workerpool.ToChecksum());
  p.set_workerpoolprice(std::to_string(o.workerpoolprice));
  p.set_volume(std::to_string(o.volume));
  p.set_tag(o.tag);
  p.set_category(std::to_string(o.category));
  p.set_trust(std::to_string(o.trust));
  p.set_apprestrict(o.apprestrict.ToChecksum());
  p.set_datasetrestrict(o.datasetrestrict.ToChecksum());
  p.set_requesterrestrict(o.requesterrestrict.ToChecksum());
  p.set_salt(o.salt);
  p.set_sign(o.sign);
  return p;
}

// Validated as the market validates a signed order ("order.<field>").
absl::StatusOr<iexec::WorkerpoolOrder> OrderFromProto(
    const v1::WorkerpoolOrder& p) {
  nlohmann::json j = {{"workerpool", p.workerpool()},
                      {"workerpoolprice", p.workerpoolprice()},
                      {"volume", p.volume()},
                      {"tag", p.tag()},
                      {"category", p.category()},
                      {"trust", p.trust()},
                      {"apprestrict", p.apprestrict()},
                      {"datasetrestrict", p.datasetrestrict()},
                      {"requesterrestrict", p.requesterrestrict()},
                      {"salt", p.salt()},
                      {"sign", p.sign()}};
  // Empty fields are missing fields, so the errors say "is a required field".
  for (auto it = j.begin(); it != j.end();)
    it = it->get<std::string>().empty() ? j.erase(it) : std::next(it);
  return iexec::ParseSignedWorkerpoolOrder(j, "order");
}

absl::StatusOr<PublisherPolicy> PolicyFromProto(const v1::PublisherPolicy& p) {
  PublisherPolicy out;
  out.chain = p.chain();
  out.workerpool = p.workerpool();
  out.wallet = p.wallet();
  out.enabled = p.enabled();
  out.core_metrics_url = p.core_metrics_url();
  out.gpu_pool = p.gpu_pool();
  absl::StatusOr<OrderTermsInput> terms = TermsFromProto(p.terms());
  if (!terms.ok()) return terms.status();
  out.terms = *terms;
  out.max_open_orders = p.max_open_orders();
  out.check_period_seconds = p.check_period_seconds();
  const bool has_min = !p.price_min().value().empty();
  const bool has_max = !p.price_max().value().empty();
  if (has_min != has_max)
    return absl::InvalidArgumentError(
        "a price range needs both price_min and price_max");
  if (has_min) {
    PriceRange range;
    for (auto [amount, name, slot] :
         {std::tuple(&p.price_min(), "price_min", &range.min_nrlc),
          std::tuple(&p.price_max(), "price_max", &range.max_nrlc)}) {
      absl::StatusOr<eth::U256> nrlc =
          AmountIn(*amount, eth::Unit::kNRlc, eth::Unit::kNRlc);
      if (!nrlc.ok())
        return absl::InvalidArgumentError(
            absl::StrCat(name, ": ", nrlc.status().message()));
      if (!nrlc->FitsUint64() || nrlc->low64() > kMaxOrderNumber)
        return absl::InvalidArgumentError(absl::StrCat(
            name, " ", nrlc->ToDecimal(), " nRLC is above the market's ",
            kMaxOrderNumber, " nRLC"));
      *slot = nrlc->low64();
    }
    out.price_range = range;
  }
  return out;
}

v1::PublisherStatus StatusToProto(const PublisherState& s) {
  v1::PublisherStatus out;
  v1::PublisherPolicy* p = out.mutable_policy();
  p->set_chain(s.policy.chain);
  p->set_workerpool(s.policy.workerpool);
  p->set_wallet(s.policy.wallet);
  p->set_enabled(s.policy.enabled);
  p->set_core_metrics_url(s.policy.core_metrics_url);
  p->set_gpu_pool(s.policy.gpu_pool);
  *p->mutable_terms() = TermsToProto(s.policy.terms);
  p->set_max_open_orders(s.policy.max_open_orders);
  p->set_check_period_seconds(s.policy.check_period_seconds);
  if (s.policy.price_range) {
    p->mutable_price_min()->set_value(
        std::to_string(s.policy.price_range->min_nrlc));
    p->mutable_price_min()->set_unit(v1::Amount::UNIT_NRLC);
    p->mutable_price_max()->set_value(
        std::to_string(s.policy.price_range->max_nrlc));
    p->mutable_price_max()->set_unit(v1::Amount::UNIT_NRLC);
  }
  out.set_running(s.running);
  if (s.last_check)
    out.set_last_check(absl::FormatTime(absl::RFC3339_sec, *s.last_check,
                                        absl::UTCTimeZone()));
  if (s.available_capacity)
    out.set_available_capacity(std::to_string(*s.available_capacity));
  if (s.open_volume) out.set_open_volume(std::to_string(*s.open_volume));
  out.set_published_total(s.published_total);
  out.set_last_error(s.last_error);
  out.set_last_decision(s.last_decision);
  out.set_rounds(s.rounds);
  out.set_paused(s.paused);
  return out;
}

}  // namespace

grpc::Status GatewayService::SignOrder(grpc::ServerContext*,
                                       const v1::SignOrderRequest* req,
                                       v1::SignedOrder* out) {
  if (orders_ == nullptr) return NotWired("SignOrder");
  absl::StatusOr<OrderTermsInput> terms = TermsFromProto(req->terms());
  if (!terms.ok()) return ToGrpc(terms.status());
  absl::StatusOr<SignedWorkerpoolOrder> s =
      orders_->Sign(req->chain(), req->wallet(), *terms);
  if (!s.ok()) return ToGrpc(s.status());
  *out->mutable_order() = OrderToProto(s->order);
  out->set_order_hash(s->order_hash);
  return grpc::Status::OK;
}

grpc::Status GatewayService::PublishOrder(grpc::ServerContext*,
                                          const v1::PublishOrderRequest* req,
                                          v1::PublishOrderResponse* out) {
  if (orders_ == nullptr) return NotWired("PublishOrder");
  if (req->has_signed_()) {
    absl::StatusOr<iexec::WorkerpoolOrder> o = OrderFromProto(req->signed_());
    if (!o.ok()) return ToGrpc(o.status());
    absl::StatusOr<std::string> h =
        orders_->Publish(req->chain(), req->wallet(), *o);
    if (!h.ok()) return ToGrpc(h.status());
    out->set_order_hash(*h);
    return grpc::Status::OK;
  }
  if (!req->has_terms())
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "a signed order or order terms are required"};
  absl::StatusOr<OrderTermsInput> terms = TermsFromProto(req->terms());
  if (!terms.ok()) return ToGrpc(terms.status());
  absl::StatusOr<SignedWorkerpoolOrder> s =
      orders_->SignAndPublish(req->chain(), req->wallet(), *terms);
  if (!s.ok()) return ToGrpc(s.status());
  out->set_order_hash(s->order_hash);
  return grpc::Status::OK;
}

grpc::Status GatewayService::UnpublishOrders(
    grpc::ServerContext*, const v1::UnpublishOrdersRequest* req,
    v1::UnpublishOrdersResponse* out) {
  if (orders_ == nullptr) return NotWired("UnpublishOrders");
  UnpublishTarget target;
  switch (req->which_case()) {
    case v1::UnpublishOrdersRequest::kAll:
      target = UnpublishTarget::kAll;
      break;
    case v1::UnpublishOrdersRequest::kLast:
      target = UnpublishTarget::kLast;
      break;
    case v1::UnpublishOrdersRequest::kOrderHash:
      target = UnpublishTarget::kOrderHash;
      break;
    default:
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "say which orders: all, last or an order hash"};
  }
  absl::StatusOr<std::vector<std::string>> r =
      orders_->Unpublish(req->chain(), req->wallet(), target, req->workerpool(),
                         req->order_hash());
  if (!r.ok()) return ToGrpc(r.status());
  for (const std::string& h : *r) out->add_unpublished(h);
  return grpc::Status::OK;
}

grpc::Status GatewayService::CancelOrder(
    grpc::ServerContext*, const v1::CancelOrderRequest* req,
    grpc::ServerWriter<v1::CancelOrderEvent>* writer) {
  if (orders_ == nullptr) return NotWired("CancelOrder");
  absl::StatusOr<iexec::WorkerpoolOrder> o = OrderFromProto(req->order());
  if (!o.ok()) return ToGrpc(o.status());
  ProgressFn progress = [writer](const TxProgress& p) {
    v1::CancelOrderEvent e;
    *e.mutable_progress() = ToProto(p);
    writer->Write(e);
  };
  absl::StatusOr<TxOutcome> r =
      orders_->Cancel(req->chain(), req->wallet(), *o, progress);
  if (!r.ok()) return ToGrpc(r.status());
  v1::CancelOrderEvent e;
  *e.mutable_result() = ToProto(*r);
  writer->Write(e);
  return grpc::Status::OK;
}

grpc::Status GatewayService::GetOrderbook(grpc::ServerContext*,
                                          const v1::GetOrderbookRequest* req,
                                          v1::Orderbook* out) {
  if (orders_ == nullptr) return NotWired("GetOrderbook");
  if (req->workerpool().empty())
    return {grpc::StatusCode::INVALID_ARGUMENT, "workerpool is required"};
  absl::StatusOr<eth::Address> pool =
      eth::Address::Parse(req->workerpool(), "workerpool");
  if (!pool.ok()) return ToGrpc(pool.status());
  OrderbookFilter f;
  f.workerpool = *pool;
  if (!req->category().empty()) {
    uint64_t c = 0;
    if (!absl::SimpleAtoi(req->category(), &c))
      return {grpc::StatusCode::INVALID_ARGUMENT,
              absl::StrCat("category \"", req->category(),
                           "\" is not a whole number")};
    f.category = c;
  }
  if (!req->min_tag().empty()) {
    absl::StatusOr<std::string> tag = EncodeTag(req->min_tag());
    if (!tag.ok()) return ToGrpc(tag.status());
    f.min_tag = *tag;
  }
  if (req->page_size() != 0) f.page_size = req->page_size();
  absl::StatusOr<OrderbookView> book = orders_->Orderbook(req->chain(), f);
  if (!book.ok()) return ToGrpc(book.status());
  out->set_count(static_cast<uint32_t>(book->count));
  out->set_open_volume(book->open_volume.ToDecimal());
  for (const MarketOrder& m : book->orders) {
    v1::OrderbookEntry* e = out->add_orders();
    e->set_order_hash(m.order_hash);
    e->set_workerpoolprice(std::to_string(m.order.workerpoolprice));
    e->set_volume(std::to_string(m.order.volume));
    e->set_remaining(std::to_string(m.remaining));
    e->set_category(std::to_string(m.order.category));
    e->set_tag(m.order.tag);
    e->set_trust(std::to_string(m.order.trust));
    e->set_requesterrestrict(m.order.requesterrestrict.ToChecksum());
    e->set_publication_timestamp(m.publication_timestamp);
  }
  return grpc::Status::OK;
}

grpc::Status GatewayService::SetPublisherPolicy(
    grpc::ServerContext*, const v1::SetPublisherPolicyRequest* req,
    v1::PublisherStatus* out) {
  if (publishers_ == nullptr) return NotWired("SetPublisherPolicy");
  absl::StatusOr<PublisherPolicy> p = PolicyFromProto(req->policy());
  if (!p.ok()) return ToGrpc(p.status());
  absl::StatusOr<PublisherState> s = publishers_->Set(*p);
  if (!s.ok()) return ToGrpc(s.status());
  *out = StatusToProto(*s);
  return grpc::Status::OK;
}

grpc::Status GatewayService::GetPublisherStatus(
    grpc::ServerContext*, const v1::GetPublisherStatusRequest* req,
    v1::PublisherStatus* out) {
  if (publishers_ == nullptr) return NotWired("GetPublisherStatus");
  absl::StatusOr<PublisherState> s =
      publishers_->Status(req->chain(), req->workerpool());
  if (!s.ok()) return ToGrpc(s.status());
  *out = StatusToProto(*s);
  return grpc::Status::OK;
}

}  // namespace poolops::chain
