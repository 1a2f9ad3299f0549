#include "libs/iexec/poco_events.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/eth/hex.h"

namespace poolops::iexec {
namespace {

eth::Hash32 H(const char* hex) {
  eth::Hash32 h{};
  eth::Bytes b = *eth::FromHexFixed(hex, 32, "h");
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

eth::Hash32 Topic(PocoEventKind kind) {
  return PocoEventTopics()[static_cast<size_t>(kind)];
}

eth::Bytes Words(std::initializer_list<eth::Hash32> words) {
  eth::Bytes out;
  for (const eth::Hash32& w : words) out.insert(out.end(), w.begin(), w.end());
  return out;
}

eth::Hash32 AddressWord(const eth::Address& a) {
  eth::Hash32 w{};
  std::copy(a.bytes().begin(), a.bytes().end(), w.begin() + 12);
  return w;
}

eth::Hash32 UintWord(uint64_t v) { return eth::U256(v).ToBytesBE(); }

// topic0 values as ethers computes them from PoCo 5.5.0's and 6.1.0's ABIs.
TEST(PocoEventsTest, TopicsAreTheAbisOnes) {
  EXPECT_EQ(Topic(PocoEventKind::kSchedulerNotice),
            H("0x692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765"));
  EXPECT_EQ(Topic(PocoEventKind::kOrdersMatched),
            H("0xd811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskInitialize),
            H("0x252992fb0468d68d6a5784ec03214f0d0a362083f2d7ebd157af43b017a22e06"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskContribute),
            H("0x3fdb8d7797562d49a81078dbf7fa1771958ea452f8b13d1148383bd9506aecfb"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskConsensus),
            H("0xf6d49bf3e05d33a4bc497d3c793fb5756388bb96b947cf51bb60aaecb0e022e3"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskReveal),
            H("0x4b1763d473ac8fa80b4432ba90047e1b92444d8fabc55e6a002d9b1a316d7959"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskReopen),
            H("0x3afe0f24796ce653c6ab1f3e7aba5ce564eece5e82aee724aff28253e829f07b"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskFinalize),
            H("0x78ce8a8bc0fcb704e8ba3b3dbb36aa88002df8038128b4af2f27ef65db665044"));
  EXPECT_EQ(Topic(PocoEventKind::kTaskClaimed),
            H("0xcbc308b5f91040d2659a5201858344b0b583cd2f9e18e8470c2fa052c5b21ff8"));
  EXPECT_EQ(Topic(PocoEventKind::kReward),
            H("0xc2aca55aa696938c7e95842e8939ca0fbb2120a3eeb8948cdcee2b70da566672"));
  EXPECT_EQ(Topic(PocoEventKind::kSeize),
            H("0x1bccc549c38561cd5b57f0db11ceb8dde1b0b6ee05ab5e155b51c7c5ba64becb"));
  EXPECT_EQ(Topic(PocoEventKind::kLock),
            H("0x625fed9875dada8643f2418b838ae0bc78d9a148a18eee4ee1979ff0f3f5d427"));
  EXPECT_EQ(Topic(PocoEventKind::kUnlock),
            H("0x6381d9813cabeb57471b5a7e05078e64845ccdb563146a6911d536f24ce960f1"));
}

TEST(PocoEventsTest, DecodesEachShape) {
  const eth::Address pool = *eth::Address::Parse("0x1111111111111111111111111111111111111111");
  const eth::Hash32 id = H("0xabababababababababababababababababababababababababababababababab");
  auto notice = DecodePocoEvent(
      {Topic(PocoEventKind::kSchedulerNotice), AddressWord(pool)}, Words({id}));
  ASSERT_TRUE(notice.ok() && notice->has_value());
  EXPECT_EQ((*notice)->account, pool);
  EXPECT_EQ((*notice)->id, id);

  auto matched = DecodePocoEvent({Topic(PocoEventKind::kOrdersMatched)},
                                 Words({id, id, id, id, id, UintWord(7)}));
  ASSERT_TRUE(matched.ok() && matched->has_value());
  EXPECT_EQ((*matched)->amount, eth::U256(7));

  auto reward = DecodePocoEvent({Topic(PocoEventKind::kReward)},
                                Words({AddressWord(pool), UintWord(99), id}));
  ASSERT_TRUE(reward.ok() && reward->has_value());
  EXPECT_EQ((*reward)->kind, PocoEventKind::kReward);
  EXPECT_EQ((*reward)->account, pool);
  EXPECT_EQ((*reward)->amount, eth::U256(99));
  EXPECT_EQ((*reward)->ref, id);

  auto contribute = DecodePocoEvent(
      {Topic(PocoEventKind::kTaskContribute), id, AddressWord(pool)}, Words({id}));
  ASSERT_TRUE(contribute.ok() && contribute->has_value());
  EXPECT_EQ((*contribute)->id, id);
  EXPECT_EQ((*contribute)->account, pool);
}

TEST(PocoEventsTest, OtherTopicsAreIgnoredAndMisshapenLogsRefused) {
  auto other = DecodePocoEvent({H("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")}, {});
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  EXPECT_FALSE(DecodePocoEvent({}, {})->has_value());

  // Reward with its data cut short, an address with dirty high bytes, a
  // TaskClaimed without its taskid.
  auto short_reward = DecodePocoEvent({Topic(PocoEventKind::kReward)},
                                      Words({UintWord(1), UintWord(2)}));
  EXPECT_EQ(short_reward.status().message(),
            "Reward log with 1 topics and 64 bytes of data does not have the "
            "event's shape");
  auto dirty = DecodePocoEvent({Topic(PocoEventKind::kLock)},
                               Words({UintWord(1) /*fine*/, UintWord(2)}));
  EXPECT_TRUE(dirty.ok());
  eth::Hash32 high{};
  high[0] = 1;
  EXPECT_EQ(DecodePocoEvent({Topic(PocoEventKind::kLock)}, Words({high, UintWord(2)}))
                .status()
                .message(),
            "Lock is not an address (dirty high bytes)");
  EXPECT_FALSE(DecodePocoEvent({Topic(PocoEventKind::kTaskClaimed)}, {}).ok());
}

}  // namespace
}  // namespace poolops::iexec
