#include "services/chain/tx/nonce_manager.h"

#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace poolops::chain {
namespace {

class CountingSource : public NonceSource {
 public:
  absl::StatusOr<uint64_t> PendingNonce(const eth::Address&) override {
    ++reads;
    if (fail) return absl::UnavailableError("node down");
    return node_nonce;
  }
  uint64_t node_nonce = 7;
  int reads = 0;
  bool fail = false;
};

eth::Address A() {
  return *eth::Address::Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

TEST(NonceManager, StartsFromTheNodeThenCountsLocally) {
  CountingSource src;
  NonceManager m(&src);
  EXPECT_EQ(*m.Acquire(A()), 7u);
  EXPECT_EQ(*m.Acquire(A()), 8u);
  EXPECT_EQ(src.reads, 1);
}

TEST(NonceManager, ReleasedNonceIsReusedFirstSoNoGapIsLeft) {
  CountingSource src;
  NonceManager m(&src);
  uint64_t a = *m.Acquire(A()), b = *m.Acquire(A()), c = *m.Acquire(A());
  m.Commit(A(), a);
  m.Release(A(), b);  // b never reached the node
  m.Commit(A(), c);
  EXPECT_EQ(*m.Acquire(A()), b);
  EXPECT_EQ(*m.Acquire(A()), c + 1);
}

TEST(NonceManager, ReleasingTheNewestStepsBack) {
  CountingSource src;
  NonceManager m(&src);
  uint64_t a = *m.Acquire(A());
  m.Release(A(), a);
  EXPECT_EQ(*m.Acquire(A()), a);
}

TEST(NonceManager, ResyncReadsTheNodeAgainButKeepsInFlightNonces) {
  CountingSource src;
  NonceManager m(&src);
  uint64_t a = *m.Acquire(A());  // 7, still in flight
  m.Resync(A());
  src.node_nonce = 5;  // node restarted from older state
  EXPECT_EQ(*m.Acquire(A()), a + 1);
  EXPECT_EQ(src.reads, 2);
  m.Resync(A());
  src.node_nonce = 20;  // someone else used the account
  EXPECT_EQ(*m.Acquire(A()), 20u);
}

TEST(NonceManager, NodeErrorsReachTheCaller) {
  CountingSource src;
  src.fail = true;
  NonceManager m(&src);
  EXPECT_EQ(m.Acquire(A()).status().code(), absl::StatusCode::kUnavailable);
  src.fail = false;
  EXPECT_EQ(*m.Acquire(A()), 7u);
}

TEST(NonceManager, ConcurrentAcquiresAreContiguousAndUnique) {
  CountingSource src;
  NonceManager m(&src);
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> got(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        uint64_t n = *m.Acquire(A());
        if (i % 10 == 3) {
          m.Release(A(), n);  // a failed send
        } else {
          m.Commit(A(), n);
          got[t].push_back(n);
        }
      }
    });
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  size_t count = 0;
  for (auto& v : got) {
    count += v.size();
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), count);  // none doubled
  EXPECT_EQ(*all.begin(), 7u);
  EXPECT_EQ(*all.rbegin(), 7u + count - 1);  // none lost: contiguous
}

}  // namespace
}  // namespace poolops::chain
