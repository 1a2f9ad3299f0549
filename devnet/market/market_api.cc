#include "devnet/market/market_api.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/eth/hex.h"
#include "libs/iexec/validation.h"

namespace poolops::market {

// The order model and field checks are libs/iexec's.
using iexec::AddressField;
using iexec::AddressOrAny;
using iexec::AddressOrAnyField;
using iexec::BooleanField;
using iexec::Bytes32Field;
using iexec::IntegerField;
using iexec::kMaxSafeInteger;
using iexec::ParseSignedWorkerpoolOrder;
using iexec::WorkerpoolOrder;
using iexec::WorkerpoolOrderHash;

namespace {

using nlohmann::json;

constexpr char kOrderName[] = "workerpoolorder";
constexpr char kUnpublishHash[] = "unpublish_orderHash";
constexpr char kUnpublishLast[] = "unpublish_last";
constexpr char kUnpublishAll[] = "unpublish_all";

absl::Status Business(std::string message) {
  return absl::FailedPreconditionError(std::move(message));
}

// A chain call's failure is the API's internal error, whatever its code.
absl::Status ChainError(const absl::Status& s) {
  return absl::InternalError(absl::StrCat("chain: ", s.ToString()));
}

// Query parameters as JSON strings, for the schema checks.
std::optional<json> Param(const Query& query, const char* key) {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return json(it->second);
}

const json* Ptr(const std::optional<json>& v) {
  return v.has_value() ? &*v : nullptr;
}

const json* BodyField(const json& body, const char* key) {
  if (!body.is_object()) return nullptr;
  auto it = body.find(key);
  return it == body.end() ? nullptr : &*it;
}

std::string Iso8601(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<RestrictFilter> Restrict(const Query& query, const char* key,
                                        const char* strict_key) {
  std::optional<json> value = Param(query, key);
  absl::StatusOr<std::optional<AddressOrAny>> a =
      AddressOrAnyField(Ptr(value), key);
  if (!a.ok()) return a.status();
  std::optional<json> strict_value = Param(query, strict_key);
  absl::StatusOr<std::optional<bool>> strict =
      BooleanField(Ptr(strict_value), strict_key);
  if (!strict.ok()) return strict.status();
  RestrictFilter f;
  if (!a->has_value()) return f;  // absent: unrestricted orders only
  if ((*a)->any) {
    f.mode = RestrictFilter::Mode::kAny;
    return f;
  }
  f.mode = RestrictFilter::Mode::kAddress;
  f.address = (*a)->address;
  f.strict = strict->value_or(false);
  return f;
}

}  // namespace

ApiReply ToReply(const absl::StatusOr<json>& result) {
  if (result.ok()) return {200, *result};
  const absl::Status& s = result.status();
  auto error = [](int status, std::string message) {
    return ApiReply{status, json{{"ok", false}, {"error", std::move(message)}}};
  };
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return error(400, std::string(s.message()));
    case absl::StatusCode::kFailedPrecondition:
      return error(403, std::string(s.message()));
    case absl::StatusCode::kUnauthenticated:
      return error(403, "invalid authorization");
    case absl::StatusCode::kNotFound:
      return error(404, std::string(s.message()));
    default:
      return error(500, "Something went wrong, you should retry later.");
  }
}

MarketApi::MarketApi(MarketConfig config, ChainView* chain, OrderBook* book,
                     Clock* clock, Random* random)
    : config_(config),
      chain_(chain),
      book_(book),
      clock_(clock),
      challenges_(config.domain.chain_id, clock, random) {}

absl::StatusOr<json> MarketApi::Version() const {
  return json{{"ok", true}, {"version", kMarketVersion}};
}

absl::Status MarketApi::CheckChainId(const Query& query) const {
  auto it = query.find("chainId");
  if (it == query.end())
    return absl::InvalidArgumentError("chainId is a required field");
  if (it->second != std::to_string(config_.domain.chain_id))
    return absl::InvalidArgumentError(
        absl::StrCat("chainId ", it->second, " is not supported"));
  return absl::OkStatus();
}

absl::StatusOr<eth::Address> MarketApi::Authorize(
    const Query& query, std::string_view authorization) {
  if (absl::Status s = CheckChainId(query); !s.ok()) return s;
  return challenges_.Authorize(authorization);
}

absl::StatusOr<json> MarketApi::Challenge(const Query& query) {
  if (absl::Status s = CheckChainId(query); !s.ok()) return s;
  std::optional<json> address_param = Param(query, "address");
  absl::StatusOr<std::optional<eth::Address>> address =
      AddressField(Ptr(address_param), "address", true);
  if (!address.ok()) return address.status();
  absl::StatusOr<json> data = challenges_.Challenge(**address);
  if (!data.ok()) return data.status();
  return json{{"ok", true}, {"data", *std::move(data)}};
}

absl::StatusOr<json> MarketApi::PublishWorkerpoolOrder(
    const Query& query, std::string_view authorization, const json& body) {
  absl::StatusOr<eth::Address> authorized = Authorize(query, authorization);
  if (!authorized.ok()) return authorized.status();
  const json* order_field = BodyField(body, "order");
  absl::StatusOr<WorkerpoolOrder> order =
      ParseSignedWorkerpoolOrder(order_field ? *order_field : json());
  if (!order.ok()) return order.status();
  absl::StatusOr<eth::Hash32> hash =
      WorkerpoolOrderHash(*order, config_.domain);
  if (!hash.ok()) return hash.status();
  std::string order_hash = eth::ToHex(*hash);

  absl::MutexLock lock(&write_mu_);
  std::optional<OrderRecord> existing = book_->Find(order_hash);
  if (existing.has_value() && existing->status != OrderStatus::kDead)
    return Business("order already published");

  absl::StatusOr<bool> registered =
      chain_->IsRegisteredWorkerpool(order->workerpool);
  if (!registered.ok()) return ChainError(registered.status());
  if (!*registered) return Business("Resource not deployed");
  absl::StatusOr<eth::Address> signer =
      chain_->WorkerpoolOwner(order->workerpool);
  if (!signer.ok()) return ChainError(signer.status());
  if (*signer != *authorized)
    return Business(absl::StrCat("only order signer ", signer->ToChecksum(),
                                 " can publish an order"));
  absl::StatusOr<eth::Bytes> sign = eth::FromHex(order->sign, "sign");
  if (!sign.ok()) return ChainError(sign.status());
  absl::StatusOr<bool> valid = chain_->VerifySignature(*signer, *hash, *sign);
  if (!valid.ok()) return ChainError(valid.status());
  if (!*valid) return Business("invalid sign");

  if (book_->CountOpenBySigner(*signer) >= config_.max_open_orders_per_wallet)
    return Business(absl::StrCat(
        "maximum of ", config_.max_open_orders_per_wallet, " published open ",
        kOrderName, " has been reached for wallet ", signer->ToChecksum()));

  absl::StatusOr<eth::U256> consumed = chain_->ViewConsumed(*hash);
  if (!consumed.ok()) return ChainError(consumed.status());
  eth::U256 volume(order->volume);
  if (*consumed >= volume) return Business("order already consumed");
  eth::U256 remaining = volume - *consumed;

  absl::StatusOr<Account> account = chain_->ViewAccount(*signer);
  if (!account.ok()) return ChainError(account.status());
  eth::U256 required = eth::U256(order->workerpoolprice) * eth::U256(30) /
                       eth::U256(100) * remaining;
  if (account->stake < required)
    return Business(
        "workerpool owner's stake is too low to cover required workerpool "
        "lock");

  OrderRecord record;
  record.order_hash = order_hash;
  record.order = *order;
  record.chain_id = config_.domain.chain_id;
  record.remaining = remaining.low64();
  record.status = OrderStatus::kOpen;
  record.signer = *signer;
  record.publication_timestamp = existing.has_value()
                                     ? existing->publication_timestamp
                                     : Iso8601(clock_->Now());
  absl::StatusOr<OrderRecord> saved = book_->Put(std::move(record));
  if (!saved.ok()) return saved.status();
  return json{{"ok", true}, {"published", OrderRecordToJson(*saved)}};
}

absl::StatusOr<json> MarketApi::UnpublishWorkerpoolOrders(
    const Query& query, std::string_view authorization, const json& body) {
  absl::StatusOr<eth::Address> authorized = Authorize(query, authorization);
  if (!authorized.ok()) return authorized.status();
  std::string target = kUnpublishHash;
  if (const json* t = BodyField(body, "target");
      t != nullptr && !t->is_null()) {
    target = t->is_string() ? t->get<std::string>() : t->dump();
    if (target != kUnpublishHash && target != kUnpublishLast &&
        target != kUnpublishAll)
      return absl::InvalidArgumentError(absl::StrCat(
          "target must be one of the following values: ", kUnpublishHash, ", ",
          kUnpublishLast, ", ", kUnpublishAll));
  }
  bool by_hash = target == kUnpublishHash;
  absl::StatusOr<std::optional<std::string>> hash =
      Bytes32Field(BodyField(body, "orderHash"), "orderHash", by_hash);
  if (!hash.ok()) return hash.status();
  absl::StatusOr<std::optional<eth::Address>> workerpool =
      AddressField(BodyField(body, "workerpool"), "workerpool", !by_hash);
  if (!workerpool.ok()) return workerpool.status();

  absl::MutexLock lock(&write_mu_);
  std::vector<std::string> hashes;
  if (by_hash) {
    std::optional<OrderRecord> published = book_->Find(**hash);
    if (!published.has_value() || published->status != OrderStatus::kOpen)
      return Business(absl::StrCat(kOrderName, " with orderHash ", **hash,
                                   " is not published"));
    if (published->signer != *authorized)
      return Business(absl::StrCat("only order signer ",
                                   published->signer.ToChecksum(),
                                   " can unpublish an order"));
    hashes.push_back(**hash);
  } else {
    std::vector<OrderRecord> published =
        book_->OpenBySignerFor(*authorized, **workerpool);
    if (published.empty())
      return Business(absl::StrCat("no open ", kOrderName,
                                   " published by signer ",
                                   authorized->ToChecksum(), " for workerpool ",
                                   (*workerpool)->ToChecksum()));
    if (target == kUnpublishLast) published.resize(1);
    for (const OrderRecord& r : published) hashes.push_back(r.order_hash);
  }
  if (absl::Status s = book_->Remove(hashes); !s.ok()) return s;
  return json{{"ok", true}, {"unpublished", hashes}};
}

void MarketApi::FollowChain() const {
  for (const OrderRecord& r : book_->Open()) {
    absl::StatusOr<eth::Hash32> hash =
        WorkerpoolOrderHash(r.order, config_.domain);
    if (!hash.ok()) continue;
    absl::StatusOr<eth::U256> consumed = chain_->ViewConsumed(*hash);
    if (!consumed.ok()) return;  // the chain is away: serve what is known
    const eth::U256 volume(r.order.volume);
    const uint64_t remaining =
        *consumed >= volume ? 0 : (volume - *consumed).low64();
    if (!book_->SetRemaining(r.order_hash, remaining).ok()) return;
  }
}

absl::StatusOr<json> MarketApi::WorkerpoolOrderbook(const Query& query) const {
  if (absl::Status s = CheckChainId(query); !s.ok()) return s;
  FollowChain();
  OrderbookQuery q;
  std::optional<json> v = Param(query, "workerpool");
  absl::StatusOr<std::optional<AddressOrAny>> workerpool =
      AddressOrAnyField(Ptr(v), "workerpool");
  if (!workerpool.ok()) return workerpool.status();
  if (workerpool->has_value() && !(*workerpool)->any)
    q.workerpool = (*workerpool)->address;
  v = Param(query, "workerpoolOwner");
  absl::StatusOr<std::optional<eth::Address>> owner =
      AddressField(Ptr(v), "workerpoolOwner", false);
  if (!owner.ok()) return owner.status();
  q.workerpool_owner = *owner;
  absl::StatusOr<RestrictFilter> app = Restrict(query, "app", "isAppStrict");
  if (!app.ok()) return app.status();
  absl::StatusOr<RestrictFilter> dataset =
      Restrict(query, "dataset", "isDatasetStrict");
  if (!dataset.ok()) return dataset.status();
  absl::StatusOr<RestrictFilter> requester =
      Restrict(query, "requester", "isRequesterStrict");
  if (!requester.ok()) return requester.status();
  q.app = *app;
  q.dataset = *dataset;
  q.requester = *requester;
  auto integer = [&](const char* key, uint64_t min, uint64_t max,
                     std::optional<uint64_t>& to) -> absl::Status {
    std::optional<json> p = Param(query, key);
    absl::StatusOr<std::optional<uint64_t>> n =
        IntegerField(Ptr(p), key, min, max, false);
    if (!n.ok()) return n.status();
    to = *n;
    return absl::OkStatus();
  };
  auto bytes32 = [&](const char* key,
                     std::optional<std::string>& to) -> absl::Status {
    std::optional<json> p = Param(query, key);
    absl::StatusOr<std::optional<std::string>> b =
        Bytes32Field(Ptr(p), key, false);
    if (!b.ok()) return b.status();
    to = *b;
    return absl::OkStatus();
  };
  std::optional<uint64_t> page, page_index, page_size;
  for (absl::Status s :
       {integer("category", 0, kMaxSafeInteger, q.category),
        bytes32("minTag", q.min_tag), bytes32("maxTag", q.max_tag),
        integer("minVolume", 1, kMaxSafeInteger, q.min_volume),
        integer("minTrust", 0, kMaxSafeInteger, q.min_trust),
        integer("page", 0, kMaxSafeInteger, page),
        integer("pageIndex", 0, kMaxSafeInteger, page_index),
        integer("pageSize", 10, 1000, page_size)})
    if (!s.ok()) return s;
  if (page_index.has_value() || page_size.has_value()) {
    q.limit = page_size.value_or(20);
    q.skip = q.limit * page_index.value_or(0);
  } else {
    q.limit = 20;
    q.skip = page.value_or(0);  // the API's deprecated offset paging
  }
  OrderbookPage result = book_->Query(q);
  json orders = json::array();
  for (const OrderRecord& r : result.orders)
    orders.push_back(OrderRecordToJson(r));
  json out = {
      {"ok", true}, {"orders", std::move(orders)}, {"count", result.count}};
  if (result.next_page.has_value()) out["nextPage"] = *result.next_page;
  return out;
}

absl::StatusOr<json> MarketApi::GetWorkerpoolOrder(std::string_view order_hash,
                                                   const Query& query) const {
  if (absl::Status s = CheckChainId(query); !s.ok()) return s;
  json hash_value = std::string(order_hash);
  absl::StatusOr<std::optional<std::string>> hash =
      Bytes32Field(&hash_value, "orderHash", true);
  if (!hash.ok()) return hash.status();
  FollowChain();
  std::optional<OrderRecord> r = book_->Find(**hash);
  if (!r.has_value())
    return absl::NotFoundError(absl::StrCat(kOrderName, " not found"));
  json j = OrderRecordToJson(*r);
  j["ok"] = true;
  j["chainId"] = query.at("chainId");  // the API echoes the query's string
  return j;
}

}  // namespace poolops::market
