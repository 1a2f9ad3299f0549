#include "devnet/simulators/mongo_store.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops::sim {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class MongoStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mongo-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
};

TEST_F(MongoStoreTest, AFreshVolumeGetsItsOwnInstanceKeptAcrossStarts) {
  absl::StatusOr<std::string> first = EnsureMongoInstance(dir_.string());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 32u);
  EXPECT_EQ(*EnsureMongoInstance(dir_.string()), *first);
  fs::remove_all(dir_);
  EXPECT_NE(*EnsureMongoInstance(dir_.string()), *first);
}

TEST_F(MongoStoreTest, RestoreWithDropBringsBackExactlyTheDumpedFiles) {
  std::string id = *EnsureMongoInstance(dir_.string());
  fs::create_directories(dir_ / "journal");
  std::ofstream(dir_ / "journal" / "bin", std::ios::binary)
      << std::string("a\0b\nc", 5);
  absl::StatusOr<std::string> archive = DumpMongoArchive(dir_.string());
  ASSERT_TRUE(archive.ok()) << archive.status();

  fs::remove_all(dir_);
  std::string fresh = *EnsureMongoInstance(dir_.string());
  std::ofstream(dir_ / "later") << "written after the dump";
  ASSERT_TRUE(RestoreMongoArchive(dir_.string(), *archive, true).ok());
  EXPECT_EQ(Read(dir_ / kMongoInstanceFile), id);
  EXPECT_NE(fresh, id);
  EXPECT_EQ(Read(dir_ / "journal" / "bin"), std::string("a\0b\nc", 5));
  EXPECT_FALSE(fs::exists(dir_ / "later"));
}

TEST_F(MongoStoreTest, AMalformedArchiveChangesNothing) {
  std::string id = *EnsureMongoInstance(dir_.string());
  std::string good = *DumpMongoArchive(dir_.string());
  for (const std::string& bad :
       {std::string("not an archive"), good.substr(0, good.size() - 3),
        std::string("poolops-sim-mongo-archive 1\n../escape\n1\nx"),
        std::string("poolops-sim-mongo-archive 1\n/abs\n1\nx")}) {
    absl::Status s = RestoreMongoArchive(dir_.string(), bad, true);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(Read(dir_ / kMongoInstanceFile), id);
  }
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "escape"));
}

}  // namespace
}  // namespace poolops::sim
