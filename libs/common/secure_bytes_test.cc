#include "libs/common/secure_bytes.h"

#include "gtest/gtest.h"

namespace poolops {
namespace {

TEST(SecureBytesTest, HoldsCopiesAndMoves) {
  SecureBytes a = SecureBytes::FromString("secret");
  EXPECT_EQ(a.str(), "secret");
  SecureBytes b = std::move(a);
  EXPECT_TRUE(
      a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(b.str(), "secret");
  SecureBytes c(4);
  EXPECT_EQ(c.size(), 4u);
  for (size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c.data()[i], 0);
  c = std::move(b);
  EXPECT_EQ(c.str(), "secret");
}

TEST(SecureBytesTest, WipeReleasesNow) {
  SecureBytes a = SecureBytes::FromString("key material");
  a.Wipe();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.data(), nullptr);
  SecureBytes empty;
  EXPECT_TRUE(empty.empty());
}

}  // namespace
}  // namespace poolops
