#include "devnet/market/order_book.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/files.h"
#include "libs/iexec/validation.h"

namespace poolops::market {

// The order model and field checks are libs/iexec's.
using iexec::AddressField;
using iexec::Bytes32Field;
using iexec::IntegerField;
using iexec::kMaxSafeInteger;
using iexec::OrderDomain;
using iexec::ParseSignedWorkerpoolOrder;
using iexec::TagIncludes;
using iexec::TagWithin;
using iexec::WorkerpoolOrder;
using iexec::WorkerpoolOrderToJson;

namespace {

using nlohmann::json;

constexpr char kSnapshotFormat[] = "poolops-devnet-market-orders/1";

// Records from the snapshot, checked as strictly as on publication.
absl::StatusOr<OrderRecord> RecordFromJson(const json& j) {
  if (!j.is_object()) return absl::DataLossError("an order is not an object");
  OrderRecord r;
  absl::StatusOr<WorkerpoolOrder> order =
      ParseSignedWorkerpoolOrder(j.contains("order") ? j["order"] : json());
  if (!order.ok()) return absl::DataLossError(order.status().message());
  r.order = *order;
  absl::StatusOr<std::optional<std::string>> hash = Bytes32Field(
      j.contains("orderHash") ? &j["orderHash"] : nullptr, "orderHash", true);
  absl::StatusOr<std::optional<eth::Address>> signer = AddressField(
      j.contains("signer") ? &j["signer"] : nullptr, "signer", true);
  absl::StatusOr<std::optional<uint64_t>> remaining =
      IntegerField(j.contains("remaining") ? &j["remaining"] : nullptr,
                   "remaining", 0, kMaxSafeInteger, true);
  absl::StatusOr<std::optional<uint64_t>> chain_id =
      IntegerField(j.contains("chainId") ? &j["chainId"] : nullptr, "chainId",
                   0, kMaxSafeInteger, true);
  absl::StatusOr<std::optional<uint64_t>> sequence =
      IntegerField(j.contains("sequence") ? &j["sequence"] : nullptr,
                   "sequence", 0, kMaxSafeInteger, true);
  for (const absl::Status& s :
       {hash.status(), signer.status(), remaining.status(), chain_id.status(),
        sequence.status()})
    if (!s.ok()) return absl::DataLossError(s.message());
  std::optional<OrderStatus> status =
      ParseOrderStatus(j.value("status", std::string()));
  const json* ts =
      j.contains("publicationTimestamp") ? &j["publicationTimestamp"] : nullptr;
  if (!status.has_value() || ts == nullptr || !ts->is_string())
    return absl::DataLossError("an order lacks its status or timestamp");
  r.order_hash = **hash;
  r.signer = **signer;
  r.remaining = **remaining;
  r.chain_id = **chain_id;
  r.sequence = **sequence;
  r.status = *status;
  r.publication_timestamp = ts->get<std::string>();
  return r;
}

bool Before(const OrderRecord& a, const OrderRecord& b) {
  if (a.order.workerpoolprice != b.order.workerpoolprice)
    return a.order.workerpoolprice < b.order.workerpoolprice;
  if (a.publication_timestamp != b.publication_timestamp)
    return a.publication_timestamp < b.publication_timestamp;
  return a.order_hash < b.order_hash;
}

bool Matches(const OrderRecord& r, const OrderbookQuery& q) {
  if (r.status != OrderStatus::kOpen) return false;
  if (q.workerpool && r.order.workerpool != *q.workerpool) return false;
  if (q.workerpool_owner && r.signer != *q.workerpool_owner) return false;
  if (q.category && r.order.category != *q.category) return false;
  if (!q.app.Matches(r.order.apprestrict)) return false;
  if (!q.dataset.Matches(r.order.datasetrestrict)) return false;
  if (!q.requester.Matches(r.order.requesterrestrict)) return false;
  if (q.min_trust && *q.min_trust > 1 && r.order.trust < *q.min_trust)
    return false;
  if (q.min_volume && r.remaining < *q.min_volume) return false;
  if (q.min_tag && !TagIncludes(r.order.tag, *q.min_tag)) return false;
  if (q.max_tag && !TagWithin(r.order.tag, *q.max_tag)) return false;
  return true;
}

}  // namespace

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kOpen:
      return "open";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kCanceled:
      return "canceled";
    case OrderStatus::kDead:
      return "dead";
  }
  return "open";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view name) {
  for (OrderStatus s : {OrderStatus::kOpen, OrderStatus::kFilled,
                        OrderStatus::kCanceled, OrderStatus::kDead})
    if (OrderStatusName(s) == name) return s;
  return std::nullopt;
}

json OrderRecordToJson(const OrderRecord& r) {
  return {{"orderHash", r.order_hash},
          {"order", WorkerpoolOrderToJson(r.order)},
          {"chainId", r.chain_id},
          {"remaining", r.remaining},
          {"status", std::string(OrderStatusName(r.status))},
          {"publicationTimestamp", r.publication_timestamp},
          {"signer", r.signer.ToChecksum()}};
}

bool RestrictFilter::Matches(const eth::Address& restrict) const {
  switch (mode) {
    case Mode::kAny:
      return true;
    case Mode::kUnrestrictedOnly:
      return restrict.IsZero();
    case Mode::kAddress:
      return restrict == address || (!strict&& restrict.IsZero());
  }
  return false;
}

OrderBook::OrderBook(OrderDomain domain, std::filesystem::path snapshot)
    : domain_(domain), snapshot_(std::move(snapshot)) {}

absl::Status OrderBook::Load() {
  if (snapshot_.empty()) return absl::OkStatus();
  std::error_code ec;
  if (!std::filesystem::exists(snapshot_, ec)) return absl::OkStatus();
  absl::StatusOr<std::string> text = files::ReadFile(snapshot_);
  if (!text.ok()) return absl::DataLossError(text.status().message());
  json doc = json::parse(*text, nullptr, false);
  auto corrupt = [&](std::string_view why) {
    return absl::DataLossError(
        absl::StrCat("the market's order snapshot ", snapshot_.string(),
                     " is unreadable: ", std::string(why)));
  };
  if (doc.is_discarded() || !doc.is_object()) return corrupt("not JSON");
  if (doc.value("format", std::string()) != kSnapshotFormat)
    return corrupt("unknown format");
  if (doc.value("chainId", uint64_t{0}) != domain_.chain_id ||
      doc.value("hub", std::string()) != domain_.hub.ToChecksum())
    return absl::FailedPreconditionError(absl::StrCat(
        "the market's order snapshot ", snapshot_.string(), " is for chain ",
        doc.value("chainId", uint64_t{0}), " hub ",
        doc.value("hub", std::string()), ", not chain ", domain_.chain_id,
        " hub ", domain_.hub.ToChecksum(), "; starting with an empty book"));
  if (!doc.contains("orders") || !doc["orders"].is_array())
    return corrupt("no orders");
  std::map<std::string, OrderRecord> records;
  uint64_t next = 1;
  for (const json& j : doc["orders"]) {
    absl::StatusOr<OrderRecord> r = RecordFromJson(j);
    if (!r.ok()) return corrupt(std::string(r.status().message()));
    next = std::max(next, r->sequence + 1);
    records[r->order_hash] = *std::move(r);
  }
  absl::MutexLock lock(&mu_);
  records_ = std::move(records);
  next_sequence_ = next;
  return absl::OkStatus();
}

absl::Status OrderBook::SaveLocked() const {
  if (snapshot_.empty()) return absl::OkStatus();
  json orders = json::array();
  for (const auto& [hash, r] : records_) {
    json j = OrderRecordToJson(r);
    j["sequence"] = r.sequence;
    orders.push_back(std::move(j));
  }
  json doc = {{"format", kSnapshotFormat},
              {"chainId", domain_.chain_id},
              {"hub", domain_.hub.ToChecksum()},
              {"orders", std::move(orders)}};
  return files::WriteFileAtomic(snapshot_, doc.dump(1), 0600);
}

std::optional<OrderRecord> OrderBook::Find(std::string_view order_hash) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(std::string(order_hash));
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

size_t OrderBook::CountOpenBySigner(const eth::Address& signer) const {
  absl::MutexLock lock(&mu_);
  return std::count_if(records_.begin(), records_.end(), [&](const auto& e) {
    return e.second.signer == signer && e.second.status == OrderStatus::kOpen;
  });
}

std::vector<OrderRecord> OrderBook::OpenBySignerFor(
    const eth::Address& signer, const eth::Address& workerpool) const {
  std::vector<OrderRecord> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [hash, r] : records_)
      if (r.signer == signer && r.order.workerpool == workerpool &&
          r.status == OrderStatus::kOpen)
        out.push_back(r);
  }
  std::sort(out.begin(), out.end(),
            [](const OrderRecord& a, const OrderRecord& b) {
              if (a.publication_timestamp != b.publication_timestamp)
                return a.publication_timestamp > b.publication_timestamp;
              return a.sequence > b.sequence;
            });
  return out;
}

absl::StatusOr<OrderRecord> OrderBook::Put(OrderRecord record) {
  absl::MutexLock lock(&mu_);
  record.sequence = next_sequence_++;
  auto previous = records_.find(record.order_hash);
  std::optional<OrderRecord> old;
  if (previous != records_.end()) old = previous->second;
  records_[record.order_hash] = record;
  if (absl::Status s = SaveLocked(); !s.ok()) {
    if (old.has_value()) {
      records_[record.order_hash] = *old;
    } else {
      records_.erase(record.order_hash);
    }
    return s;
  }
  return record;
}

std::vector<OrderRecord> OrderBook::Open() const {
  absl::MutexLock lock(&mu_);
  std::vector<OrderRecord> out;
  for (const auto& [hash, r] : records_)
    if (r.status == OrderStatus::kOpen) out.push_back(r);
  return out;
}

absl::Status OrderBook::SetRemaining(const std::string& order_hash,
                                     uint64_t remaining) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(order_hash);
  if (it == records_.end() || it->second.remaining == remaining)
    return absl::OkStatus();
  const OrderRecord old = it->second;
  it->second.remaining = remaining;
  if (remaining == 0) it->second.status = OrderStatus::kFilled;
  if (absl::Status s = SaveLocked(); !s.ok()) {
    it->second = old;
    return s;
  }
  return absl::OkStatus();
}

absl::Status OrderBook::Remove(const std::vector<std::string>& order_hashes) {
  absl::MutexLock lock(&mu_);
  for (const std::string& h : order_hashes) records_.erase(h);
  return SaveLocked();
}

OrderbookPage OrderBook::Query(const OrderbookQuery& query) const {
  std::vector<OrderRecord> matches;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [hash, r] : records_)
      if (Matches(r, query)) matches.push_back(r);
  }
  std::sort(matches.begin(), matches.end(), Before);
  OrderbookPage page;
  page.count = matches.size();
  uint64_t begin = std::min<uint64_t>(matches.size(), query.skip);
  uint64_t end = std::min<uint64_t>(matches.size(), begin + query.limit);
  page.orders.assign(matches.begin() + begin, matches.begin() + end);
  if (query.limit > 0 && page.orders.size() == query.limit)
    page.next_page = query.skip + query.limit;
  return page;
}

}  // namespace poolops::market
