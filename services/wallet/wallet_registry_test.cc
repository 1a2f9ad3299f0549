#include "services/wallet/wallet_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::wallet {
namespace {

using ::testing::HasSubstr;

TEST(WalletRegistryTest, NamesFollowTheRules) {
  for (const char* ok : {"core", "worker-1", "a", "W.2_x", "0x12"}) {
    EXPECT_TRUE(ValidateWalletName(ok).ok()) << ok;
  }
  for (const char* bad : {"", "-core", ".hidden", "has space", "a/b", "é",
                          "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                          "70997970c51812dc3a010c7d01b50e0d17dc79c8"}) {
    EXPECT_EQ(ValidateWalletName(bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(WalletRegistryTest, SavesLoadsAndRefusesDuplicates) {
  test::TempDir dir;
  std::filesystem::path file = dir.path() / "wallets.json";
  absl::StatusOr<WalletRegistry> r = WalletRegistry::Load(file);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->entries().empty());
  WalletEntry e;
  e.name = "core";
  e.address =
      *eth::Address::Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  e.keystore_file = "UTC--x--70997970C51812dc3A010C7d01b50e0d17dc79C8";
  e.created = absl::FromUnixSeconds(1700000000);
  e.policy.allowed_chain_ids = {eth::U256(134)};
  ASSERT_TRUE(r->Add(e).ok());
  EXPECT_EQ(r->Add(e).code(), absl::StatusCode::kAlreadyExists);
  WalletEntry same_address = e;
  same_address.name = "other";
  absl::Status dup = r->Add(same_address);
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.message(),
              HasSubstr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));

  absl::StatusOr<WalletRegistry> loaded = WalletRegistry::Load(file);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->entries().size(), 1u);
  const WalletEntry& got = loaded->entries()[0];
  EXPECT_EQ(got.name, "core");
  EXPECT_EQ(got.address, e.address);
  EXPECT_EQ(got.keystore_file, e.keystore_file);
  EXPECT_EQ(got.created, e.created);
  EXPECT_EQ(got.policy, e.policy);
  EXPECT_NE(loaded->Find("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
            nullptr);
  EXPECT_EQ(loaded->Find("nobody"), nullptr);
}

TEST(WalletRegistryTest, DamagedFilesAreDataLoss) {
  test::TempDir dir;
  std::filesystem::path file = dir.path() / "wallets.json";
  for (const char* text :
       {"[]", "{\"wallets\":5}", "{\"wallets\":[{\"name\":\"a\"}]}",
        "{\"wallets\":[{\"name\":\"a\",\"address\":\"0x1\",\"keystore\":\"k\","
        "\"created\":\"2023-11-14T22:13:20Z\"}]}",
        "{\"wallets\":[{\"name\":\"a\",\"address\":"
        "\"0x70997970c51812dc3a010c7d01b50e0d17dc79c8\",\"keystore\":\"../x\","
        "\"created\":\"2023-11-14T22:13:20Z\"}]}"}) {
    ASSERT_TRUE(files::WriteFileAtomic(file, text).ok());
    EXPECT_EQ(WalletRegistry::Load(file).status().code(),
              absl::StatusCode::kDataLoss)
        << text;
  }
}

}  // namespace
}  // namespace poolops::wallet
