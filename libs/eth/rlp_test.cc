#include "libs/eth/rlp.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/eth/hex.h"

namespace poolops::eth::rlp {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }
Bytes X(std::string_view hex) { return *FromHex(hex); }
Item Str(std::string_view s) { return Item{false, B(s), {}}; }
Item List(std::vector<Item> items) { return Item{true, {}, std::move(items)}; }

void ExpectRoundTrip(const Item& item, std::string_view hex) {
  Bytes encoded = Encode(item);
  EXPECT_EQ(ToHex(encoded), hex);
  absl::StatusOr<Item> decoded = Decode(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(Encode(*decoded), encoded);
}

// Examples from the Ethereum RLP specification.
TEST(RlpTest, SpecVectors) {
  ExpectRoundTrip(Str("dog"), "0x83646f67");
  ExpectRoundTrip(List({Str("cat"), Str("dog")}), "0xc88363617483646f67");
  ExpectRoundTrip(Str(""), "0x80");
  ExpectRoundTrip(List({}), "0xc0");
  ExpectRoundTrip(Item{false, {0x00}, {}}, "0x00");
  ExpectRoundTrip(Item{false, {0x0f}, {}}, "0x0f");
  ExpectRoundTrip(Item{false, {0x04, 0x00}, {}}, "0x820400");
  // [ [], [[]], [ [], [[]] ] ]
  ExpectRoundTrip(
      List({List({}), List({List({})}), List({List({}), List({List({})})})}),
      "0xc7c0c1c0c3c0c1c0");
  ExpectRoundTrip(
      Str("Lorem ipsum dolor sit amet, consectetur adipisicing elit"),
      "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20"
      "636f6e7365637465747572206164697069736963696e6720656c6974");
}

TEST(RlpTest, Integers) {
  EXPECT_EQ(ToHex(EncodeUint(0)), "0x80");
  EXPECT_EQ(ToHex(EncodeUint(15)), "0x0f");
  EXPECT_EQ(ToHex(EncodeUint(127)), "0x7f");
  EXPECT_EQ(ToHex(EncodeUint(128)), "0x8180");
  EXPECT_EQ(ToHex(EncodeUint(1024)), "0x820400");
  EXPECT_EQ(*ToUint(*Decode(X("0x820400")), "n"), U256(1024));
  EXPECT_EQ(*ToUint(*Decode(X("0x80")), "n"), U256(0));
  EXPECT_EQ(*ToUint(*Decode(EncodeUint(U256::Max())), "n"), U256::Max());
  // Leading zero, list, and 33 bytes are not canonical integers.
  EXPECT_FALSE(ToUint(*Decode(X("0x820004")), "nonce").ok());
  EXPECT_FALSE(ToUint(*Decode(X("0x00")), "nonce").ok());
  EXPECT_FALSE(ToUint(*Decode(X("0xc0")), "nonce").ok());
  EXPECT_FALSE(ToUint(*Decode(EncodeBytes(Bytes(33, 1))), "nonce").ok());
  absl::StatusOr<U256> named = ToUint(*Decode(X("0xc0")), "gasPrice");
  EXPECT_NE(named.status().message().find("gasPrice"), std::string::npos);
}

TEST(RlpTest, LongLists) {
  std::vector<Bytes> items;
  for (int i = 0; i < 30; ++i)
    items.push_back(EncodeBytes(B("ab")));  // 90 bytes
  Bytes encoded = EncodeList(items);
  EXPECT_EQ(encoded[0], 0xf8);
  EXPECT_EQ(encoded[1], 90);
  absl::StatusOr<Item> d = Decode(encoded);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->items.size(), 30u);
  Bytes big(70000, 0xaa);
  Bytes enc_big = EncodeBytes(big);
  EXPECT_EQ(ToHex(ByteView(enc_big).subspan(0, 4)), "0xba011170");
  EXPECT_EQ(Decode(enc_big)->bytes, big);
}

void ExpectRejected(std::string_view hex, std::string_view why) {
  absl::StatusOr<Item> d = Decode(X(hex));
  ASSERT_FALSE(d.ok()) << hex;
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(d.status().message()).find(std::string(why)),
            std::string::npos)
      << hex << ": " << d.status();
  EXPECT_NE(d.status().message().find("offset"), std::string::npos);
}

TEST(RlpTest, RejectsNonCanonicalAndTruncated) {
  ExpectRejected("0x", "truncated");
  ExpectRejected("0x8100", "single byte");  // 0x00 must not be wrapped
  ExpectRejected("0x817f", "single byte");
  ExpectRejected("0xb80161", "long form");         // short string, long form
  ExpectRejected("0xf80100", "long form");         // short list, long form
  ExpectRejected("0xb900400000", "leading zero");  // length with leading zero
  ExpectRejected("0x83646f", "truncated");
  ExpectRejected("0xc883636174", "truncated");
  ExpectRejected("0xb8", "truncated");
  ExpectRejected("0x83646f6700", "trailing");
  ExpectRejected("0xc0c0", "trailing");
  ExpectRejected("0xbfffffffffffffffff", "truncated");
  ExpectRejected("0xc3c28100", "single byte");  // nested error
}

TEST(RlpTest, DepthLimit) {
  Bytes nested = EncodeList({});
  for (int i = 0; i < 20; ++i) nested = EncodeList({nested});
  EXPECT_TRUE(Decode(nested, 64).ok());
  absl::StatusOr<Item> d = Decode(nested, 16);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("deep"), std::string::npos);
}

}  // namespace
}  // namespace poolops::eth::rlp
