#include "devnet/market/order_book.h"

#include "absl/strings/str_cat.h"
#include "devnet/market/fake_chain_view.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::market {
namespace {

using nlohmann::json;
using namespace testing;  // NOLINT

OrderRecord Record(uint64_t price, char salt, std::string timestamp,
                   uint64_t remaining = 1) {
  OrderRecord r;
  r.order =
      *iexec::ParseSignedWorkerpoolOrder(Signed(OrderJson(price, 5, salt)));
  r.order_hash =
      eth::ToHex(*iexec::WorkerpoolOrderHash(r.order, DevnetDomain()));
  r.chain_id = kChainId;
  r.remaining = remaining;
  r.signer = Addr(kOwner);
  r.publication_timestamp = std::move(timestamp);
  return r;
}

std::vector<uint64_t> Prices(const OrderbookPage& page) {
  std::vector<uint64_t> out;
  for (const OrderRecord& r : page.orders)
    out.push_back(r.order.workerpoolprice);
  return out;
}

TEST(OrderBookTest, SortsByPriceThenTimeAndPages) {
  OrderBook book(DevnetDomain());
  ASSERT_TRUE(book.Put(Record(30, 'a', "2025-01-01T00:00:00.000Z")).ok());
  ASSERT_TRUE(book.Put(Record(10, 'b', "2025-01-01T00:00:02.000Z")).ok());
  ASSERT_TRUE(book.Put(Record(10, 'c', "2025-01-01T00:00:01.000Z")).ok());
  ASSERT_TRUE(book.Put(Record(20, 'd', "2025-01-01T00:00:00.000Z")).ok());
  OrderbookQuery q;
  OrderbookPage all = book.Query(q);
  EXPECT_EQ(all.count, 4u);
  EXPECT_EQ(Prices(all), (std::vector<uint64_t>{10, 10, 20, 30}));
  EXPECT_EQ(all.orders[0].publication_timestamp, "2025-01-01T00:00:01.000Z");
  EXPECT_FALSE(all.next_page.has_value());

  q.limit = 2;
  OrderbookPage first = book.Query(q);
  EXPECT_EQ(first.count, 4u);
  EXPECT_EQ(Prices(first), (std::vector<uint64_t>{10, 10}));
  EXPECT_EQ(first.next_page, 2u);  // the API's nextPage: skip + limit
  q.skip = 2;
  EXPECT_EQ(Prices(book.Query(q)), (std::vector<uint64_t>{20, 30}));
  q.skip = 4;
  EXPECT_TRUE(book.Query(q).orders.empty());
}

TEST(OrderBookTest, FiltersAsTheApi) {
  OrderBook book(DevnetDomain());
  OrderRecord plain = Record(10, 'a', "2025-01-01T00:00:00.000Z", 3);
  OrderRecord restricted = Record(20, 'b', "2025-01-01T00:00:00.000Z");
  restricted.order.requesterrestrict = Addr(kOther);
  restricted.order.category = 2;
  restricted.order.trust = 5;
  restricted.order.tag = "0x" + std::string(61, '0') + "100";  // gpu
  OrderRecord other_pool = Record(30, 'c', "2025-01-01T00:00:00.000Z");
  other_pool.order.workerpool = Addr(kHub);
  other_pool.signer = Addr(kOther);
  OrderRecord dead = Record(40, 'd', "2025-01-01T00:00:00.000Z");
  dead.status = OrderStatus::kDead;
  for (const OrderRecord& r : {plain, restricted, other_pool, dead})
    ASSERT_TRUE(book.Put(r).ok());

  auto count = [&](OrderbookQuery q) { return book.Query(q).count; };
  OrderbookQuery q;
  EXPECT_EQ(count(q), 2u);  // no requester: unrestricted open orders only
  q.requester.mode = RestrictFilter::Mode::kAny;
  EXPECT_EQ(count(q), 3u);
  q.requester = {RestrictFilter::Mode::kAddress, Addr(kOther), false};
  EXPECT_EQ(count(q), 3u);
  q.requester.strict = true;
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.requester.mode = RestrictFilter::Mode::kAny;
  q.workerpool = Addr(kWorkerpool);
  EXPECT_EQ(count(q), 2u);
  q.workerpool_owner = Addr(kOther);
  EXPECT_EQ(count(q), 0u);
  q = {};
  q.requester.mode = RestrictFilter::Mode::kAny;
  q.category = 2;
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.requester.mode = RestrictFilter::Mode::kAny;
  q.min_trust = 1;  // <= 1 is no filter, as the API
  EXPECT_EQ(count(q), 3u);
  q.min_trust = 5;
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.requester.mode = RestrictFilter::Mode::kAny;
  q.min_volume = 2;
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.requester.mode = RestrictFilter::Mode::kAny;
  q.min_tag = "0x" + std::string(63, '0') + "1";  // tee
  EXPECT_EQ(count(q), 2u);
  q.min_tag.reset();
  q.max_tag = "0x" + std::string(61, '0') + "100";  // gpu at most
  EXPECT_EQ(count(q), 1u);
}

TEST(OrderBookTest, UnpublishOrderAndTheSignersOrders) {
  OrderBook book(DevnetDomain());
  OrderRecord a = *book.Put(Record(10, 'a', "2025-01-01T00:00:00.000Z"));
  OrderRecord b = *book.Put(Record(10, 'b', "2025-01-01T00:00:00.000Z"));
  OrderRecord c = *book.Put(Record(10, 'c', "2024-01-01T00:00:00.000Z"));
  std::vector<OrderRecord> mine =
      book.OpenBySignerFor(Addr(kOwner), Addr(kWorkerpool));
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_EQ(mine[0].order_hash, b.order_hash);  // same time: later put first
  EXPECT_EQ(mine[2].order_hash, c.order_hash);
  EXPECT_TRUE(book.OpenBySignerFor(Addr(kOther), Addr(kWorkerpool)).empty());
  EXPECT_EQ(book.CountOpenBySigner(Addr(kOwner)), 3u);
  ASSERT_TRUE(book.Remove({a.order_hash}).ok());
  EXPECT_FALSE(book.Find(a.order_hash).has_value());
  EXPECT_EQ(book.CountOpenBySigner(Addr(kOwner)), 2u);
}

TEST(OrderBookTest, SnapshotKeepsOrdersAcrossRestarts) {
  poolops::test::TempDir dir;
  std::filesystem::path file = dir.path() / "orders.json";
  OrderRecord a, b;
  {
    OrderBook book(DevnetDomain(), file);
    ASSERT_TRUE(book.Load().ok());  // no file yet
    a = *book.Put(Record(10, 'a', "2025-01-01T00:00:00.000Z"));
    b = *book.Put(Record(20, 'b', "2025-01-01T00:00:00.000Z"));
    ASSERT_TRUE(book.Remove({a.order_hash}).ok());
  }
  OrderBook again(DevnetDomain(), file);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_FALSE(again.Find(a.order_hash).has_value());
  std::optional<OrderRecord> kept = again.Find(b.order_hash);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(OrderRecordToJson(*kept), OrderRecordToJson(b));
  // Sequences continue after the saved ones.
  OrderRecord c = *again.Put(Record(30, 'c', "2025-01-01T00:00:00.000Z"));
  EXPECT_GT(c.sequence, b.sequence);

  OrderBook other_chain({1, Addr(kHub)}, file);
  EXPECT_EQ(other_chain.Load().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(other_chain.Query({}).count, 0u);

  ASSERT_TRUE(files::WriteFileAtomic(file, "{not json", 0600).ok());
  OrderBook corrupt(DevnetDomain(), file);
  EXPECT_EQ(corrupt.Load().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace poolops::market
