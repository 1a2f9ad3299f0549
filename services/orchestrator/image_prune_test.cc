#include "services/orchestrator/image_prune.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace poolops::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::string Id(char c) { return "sha256:" + std::string(64, c); }

TEST(ImagePruneTest, OnlyUnusedUnprotectedImagesGoByNameOrUntaggedById) {
  std::vector<HostImage> images = {
      {Id('a'), {"iexechub/iexec-worker:9.2.0"}},  // in use
      {Id('b'), {"docker.io/someone/app:1.0", "someone/app:latest"}},
      {Id('c'), {"iexechub/tee-worker-pre-compute:8.3.0"}},
      {Id('d'), {"iexechub/tee-worker-post-compute:8.3.0"}},
      {Id('e'), {"iexechub/iexec-las:5.0"}},
      {Id('f'), {"<none>:<none>"}},
      {Id('1'), {"registry.example/mine/app:2"}},
      {Id('2'), {"registry.example/mine/other:7"}},
      {Id('3'), {"tdx/tdx-worker-pre-compute:9.0.0"}},
  };
  size_t pruned = 0;
  EXPECT_THAT(
      ImagesToPrune(images, {Id('a')}, {"registry.example/mine/app"}, &pruned),
      UnorderedElementsAre("docker.io/someone/app:1.0", "someone/app:latest",
                           Id('f'), "registry.example/mine/other:7"));
  EXPECT_EQ(pruned, 3u);
  // A keep pattern with a tag keeps that tag only; `*` spans slashes.
  EXPECT_THAT(
      ImagesToPrune({images[6], images[7]}, {}, {"registry.example/*:7"}),
      ElementsAre("registry.example/mine/app:2"));
  // Names that could change the meaning of a shell line never get out.
  EXPECT_TRUE(
      ImagesToPrune({{"x; rm -rf /", {"a b:1", "$(id):x"}}}, {}, {}).empty());
}

TEST(ImagePruneTest, Periods) {
  EXPECT_EQ(*PrunePeriod("daily"), absl::Hours(24));
  EXPECT_EQ(*PrunePeriod("hourly"), absl::Hours(1));
  EXPECT_EQ(*PrunePeriod("weekly"), absl::Hours(168));
  EXPECT_EQ(*PrunePeriod(""), absl::InfiniteDuration());
  EXPECT_EQ(*PrunePeriod("off"), absl::InfiniteDuration());
  EXPECT_FALSE(PrunePeriod("monthly").ok());
}

}  // namespace
}  // namespace poolops::orchestrator
