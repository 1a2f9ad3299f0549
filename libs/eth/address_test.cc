#include "libs/eth/address.h"

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace poolops::eth {
namespace {

// Checksummed examples from EIP-55.
constexpr const char* kEip55[] = {
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
};

TEST(AddressTest, Eip55Vectors) {
  for (const char* text : kEip55) {
    absl::StatusOr<Address> a = Address::Parse(text);
    ASSERT_TRUE(a.ok()) << text << ": " << a.status();
    EXPECT_EQ(a->ToChecksum(), text);
    EXPECT_EQ(a->ToLowerHex(), absl::AsciiStrToLower(text));
  }
}

TEST(AddressTest, SingleCaseInputIsAcceptedAsIs) {
  Address lower = *Address::Parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
  Address upper = *Address::Parse("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED");
  Address bare = *Address::Parse("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
  EXPECT_EQ(lower, upper);
  EXPECT_EQ(lower, bare);
  EXPECT_EQ(lower.ToChecksum(), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_EQ(lower.ToLowerHex(false),
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
}

TEST(AddressTest, RejectsWrongChecksum) {
  // Last letter's case flipped.
  absl::StatusOr<Address> a = Address::Parse(
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "workerpool");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("workerpool"), std::string::npos);
  EXPECT_NE(a.status().message().find("checksum"), std::string::npos);
}

TEST(AddressTest, RejectsBadShapes) {
  for (const char* bad :
       {"", "0x", "0x1234", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",
        "0x aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        // 40 characters after the prefix, but a second prefix: 19 bytes
        // (found by market_fuzz: it read past them).
        "0x0x70997970C51812dc3A010C7d00000000000000"})
    EXPECT_FALSE(Address::Parse(bad).ok()) << bad;
}

TEST(AddressTest, FromBytesAndZero) {
  EXPECT_TRUE(Address().IsZero());
  EXPECT_FALSE(Address::FromBytes(Bytes(19)).ok());
  Bytes raw(20, 0);
  raw[19] = 1;
  Address a = *Address::FromBytes(raw);
  EXPECT_FALSE(a.IsZero());
  EXPECT_EQ(a.ToLowerHex(), "0x0000000000000000000000000000000000000001");
  EXPECT_LT(Address(), a);
  EXPECT_NE(Address(), a);
}

}  // namespace
}  // namespace poolops::eth
