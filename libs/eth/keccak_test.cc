#include "libs/eth/keccak.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/eth/hex.h"

namespace poolops::eth {
namespace {

std::string H(std::string_view s) { return ToHex(Keccak(s), false); }

TEST(KeccakTest, PublishedVectors) {
  EXPECT_EQ(H(""),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(H("abc"),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

// Block-boundary cases (rate = 136 bytes); expected values from ethers v6.
TEST(KeccakTest, MultiBlockMatchesEthers) {
  EXPECT_EQ(H(std::string(200, 'a')),
            "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d");
  EXPECT_EQ(H(std::string(136, 'a')),
            "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
  EXPECT_EQ(H(std::string(135, 'a')),
            "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
}

TEST(KeccakTest, IncrementalEqualsOneShot) {
  std::string data(1000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  for (size_t split : {0, 1, 135, 136, 137, 500, 1000}) {
    Keccak256 h;
    h.Update(std::string_view(data).substr(0, split));
    h.Update(std::string_view(data).substr(split));
    EXPECT_EQ(h.Finish(), Keccak(data)) << split;
  }
}

TEST(KeccakTest, FunctionSelector) {
  EXPECT_EQ(H("transfer(address,uint256)").substr(0, 8), "a9059cbb");
}

}  // namespace
}  // namespace poolops::eth
