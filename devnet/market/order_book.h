// The devnet market's store of published workerpool orders: records as the
// iExec market API keeps them (orderHash, order, chainId, remaining, status,
// signer, publicationTimestamp), the orderbook query (filters, sort order,
// paging as the API's), and an optional JSON snapshot file so a restarted
// market keeps its orders. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/eth/address.h"
#include "libs/iexec/workerpool_order.h"
#include "nlohmann/json.hpp"

namespace poolops::market {

// The API's statuses. This market publishes `open` orders and deletes
// unpublished ones; the others exist for records (and `dead` orders may be
// published again, as the API allows).
enum class OrderStatus { kOpen, kFilled, kCanceled, kDead };
std::string_view OrderStatusName(OrderStatus status);
std::optional<OrderStatus> ParseOrderStatus(std::string_view name);

struct OrderRecord {
  std::string order_hash;  // "0x" + 64 lowercase hex digits
  iexec::WorkerpoolOrder order;
  uint64_t chain_id = 0;
  uint64_t remaining = 0;
  OrderStatus status = OrderStatus::kOpen;
  eth::Address signer;
  std::string publication_timestamp;  // "2024-01-01T00:00:00.000Z"
  uint64_t sequence = 0;              // publication order (set by the book)
};

// The record as the API returns it (no `sequence`).
nlohmann::json OrderRecordToJson(const OrderRecord& record);

// A restrict filter of the orderbook query (apprestrict, datasetrestrict,
// requesterrestrict). Absent from the query: only unrestricted orders.
// "any": no filter. An address: orders restricted to it, and unrestricted
// ones unless strict.
struct RestrictFilter {
  enum class Mode { kUnrestrictedOnly, kAny, kAddress };
  Mode mode = Mode::kUnrestrictedOnly;
  eth::Address address;
  bool strict = false;
  bool Matches(const eth::Address& restrict) const;
};

struct OrderbookQuery {
  std::optional<eth::Address> workerpool;  // nullopt: any workerpool
  std::optional<eth::Address> workerpool_owner;
  std::optional<uint64_t> category;
  RestrictFilter app, dataset, requester;
  std::optional<std::string> min_tag;  // orders with at least these bits
  std::optional<std::string> max_tag;  // orders with no bit outside these
  std::optional<uint64_t> min_trust;   // applied when > 1, as the API does
  std::optional<uint64_t> min_volume;  // on remaining
  uint64_t skip = 0;
  uint64_t limit = 20;
};

struct OrderbookPage {
  std::vector<OrderRecord> orders;
  uint64_t count = 0;                 // all matches
  std::optional<uint64_t> next_page;  // skip + limit when the page is full
};

class OrderBook {
 public:
  // Orders of the chain and hub of `domain`. `snapshot`: the JSON file the
  // book is saved to after every change; empty: memory only.
  explicit OrderBook(iexec::OrderDomain domain,
                     std::filesystem::path snapshot = {});

  // Reads the snapshot if it exists (OK when it does not). A snapshot of
  // another chain or hub is FailedPrecondition, an unreadable one DataLoss;
  // the book then stays empty.
  absl::Status Load();

  std::optional<OrderRecord> Find(std::string_view order_hash) const;
  size_t CountOpenBySigner(const eth::Address& signer) const;
  // Open orders of `signer` for `workerpool`, the latest published first.
  std::vector<OrderRecord> OpenBySignerFor(
      const eth::Address& signer, const eth::Address& workerpool) const;
  // Inserts or replaces by order hash; gives the record its sequence; saves.
  absl::StatusOr<OrderRecord> Put(OrderRecord record);
  // Every open record (for following the chain).
  std::vector<OrderRecord> Open() const;
  // Sets an order's remaining volume as the chain says; none left makes it
  // `filled`. Unknown hashes are ignored; saves when something changed.
  absl::Status SetRemaining(const std::string& order_hash, uint64_t remaining);
  // Deletes records (unknown hashes are ignored); saves.
  absl::Status Remove(const std::vector<std::string>& order_hashes);
  // Open orders matching `query`, sorted by price, then publication time,
  // then order hash.
  OrderbookPage Query(const OrderbookQuery& query) const;

 private:
  absl::Status SaveLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const iexec::OrderDomain domain_;
  const std::filesystem::path snapshot_;
  mutable absl::Mutex mu_;
  std::map<std::string, OrderRecord> records_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace poolops::market
