#include "services/orchestrator/state_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "libs/common/temp_dir_test_support.h"

namespace poolops::orchestrator {
namespace {

TEST(StateStoreTest, RevisionsLifecycleAndReopen) {
  poolops::test::TempDir dir;
  auto path = dir.path() / "state.db";
  {
    auto store = StateStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto r1 = (*store)->BeginRevision("p", R"({"spec":{}})");
    ASSERT_TRUE(r1.ok());
    EXPECT_EQ(*r1, 1u);
    BundleRecord b{"core",
                   "core",
                   "local:/x",
                   "p-core",
                   {"docker-compose.yml"},
                   {{".env", "aa"}},
                   {{"core", "bb"}}};
    ASSERT_TRUE((*store)->FinishRevision("p", 1, "applied", "0xabc", {b}).ok());
    ASSERT_TRUE((*store)->SetWorkerpool("p", "0xabc").ok());
    auto r2 = (*store)->BeginRevision("p", "{}");
    ASSERT_EQ(*r2, 2u);
    // Crash here: revision 2 stays in-progress.
  }
  auto store = StateStore::Open(path);
  ASSERT_TRUE(store.ok());
  auto last = (*store)->LastApplied("p");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->revision, 1u);
  ASSERT_EQ((*last)->bundles.size(), 1u);
  EXPECT_EQ((*last)->bundles[0].services.at("core"), "bb");
  EXPECT_EQ(*(*store)->Workerpool("p"), "0xabc");
  // The next apply marks the interrupted one.
  auto r3 = (*store)->BeginRevision("p", "{}");
  ASSERT_EQ(*r3, 3u);
  auto r2 = (*store)->Get("p", 2);
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ((*r2)->outcome, "interrupted");
  auto history = (*store)->History("p");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);
  EXPECT_EQ(*(*store)->PoolStatus("p"), "up");
  ASSERT_TRUE((*store)->MarkDown("p").ok());
  EXPECT_EQ(*(*store)->PoolStatus("p"), "down");
  EXPECT_TRUE(absl::IsNotFound((*store)->History("nope").status()));
  ASSERT_TRUE(
      (*store)
          ->RecordEvent("p", 3, "deploy", "local:/x", "STATE_DONE", "ok")
          .ok());
  auto events = (*store)->Events("p", 3);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].step, "deploy");
}

// A backup's state.json: one pool's rows out, and back into another store
// only as that pool's rows.
TEST(StateStoreTest, APoolsRowsGoOutAndComeBackIntoAnotherStore) {
  poolops::test::TempDir dir;
  auto a = StateStore::Open(dir.path() / "a.db");
  auto b = StateStore::Open(dir.path() / "b.db");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->BeginRevision("p", R"({"spec":{}})").ok());
  ASSERT_TRUE((*a)->FinishRevision("p", 1, "applied", "0xabc", {}).ok());
  ASSERT_TRUE((*a)->SetWorkerpool("p", "0xabc").ok());
  ASSERT_TRUE((*a)->RecordEvent("p", 1, "deploy", "h", "STATE_DONE", "m").ok());
  ASSERT_TRUE((*a)->BeginRevision("q", "{}").ok());
  auto exported = (*a)->ExportPool("p");
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->find("\"q\""), std::string::npos);

  // Rows of another pool, unknown tables or columns change nothing.
  for (const std::string& bad :
       {std::string(R"({"revisions":[{"pool":"q","revision":"1",)"
                    R"("applied_at":"","outcome":"applied","spec":"{}",)"
                    R"("workerpool":"","bundles":"[]","message":""}]})"),
        std::string(R"({"sqlite_master":[]})"),
        std::string(R"({"pools":[{"name":"p","workerpool":"x","status":"up",)"
                    R"("updated_at":"","extra":"1"}]})"),
        std::string("[")}) {
    EXPECT_TRUE(absl::IsInvalidArgument((*b)->ImportPool("p", bad))) << bad;
    EXPECT_TRUE(absl::IsNotFound((*b)->History("p").status()));
  }
  ASSERT_TRUE((*b)->ImportPool("p", *exported).ok());
  EXPECT_EQ(*(*b)->Workerpool("p"), "0xabc");
  auto last = (*b)->LastApplied("p");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->revision, 1u);
  EXPECT_EQ((*b)->Events("p", 1)->size(), 1u);
  EXPECT_EQ(*(*b)->ExportPool("p"), *exported);
  // Once it has a history, the store keeps it.
  EXPECT_TRUE(absl::IsAlreadyExists((*b)->ImportPool("p", *exported)));
}

}  // namespace
}  // namespace poolops::orchestrator
