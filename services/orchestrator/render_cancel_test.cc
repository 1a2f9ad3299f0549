// A render whose caller is gone (cancelled RPC, deadline passed) stops
// creating wallets: each one is a scrypt in the vault, and a pool may have
// a thousand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/orchestrator_test_support.h"

namespace poolops::orchestrator {
namespace {

TEST(RenderCancelTest, StopsCreatingWalletsOnceTheCallerIsGone) {
  poolops::test::TempDir dir;
  FakeWalletSource vault;
  MemorySecretStore secrets;
  auto o = test::NewOrchestratorUnderTest(dir.path(), &vault, &secrets);
  ASSERT_NE(o.orchestrator, nullptr);
  std::string yaml =
      "name: t\nchain: bellecour\nworkerpool: {owner_wallet: owner, "
      "description: d}\ncore: {target: 'local:/x', host: h.example}\n"
      "workers:\n";
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&yaml, "  - {name: w", i, ", target: 'local:/x', wallet: w",
                    i, "}\n");
  }
  v1::SpecSource source;
  source.set_yaml(yaml);
  source.set_path((dir.path() / "pool.yaml").string());
  absl::StatusOr<LoadedSpec> loaded = o.orchestrator->LoadValid(source);
  ASSERT_TRUE(loaded.ok()) << loaded.status();

  // The caller goes away while the third wallet is being made.
  int asked = 0;
  auto gone_after_three = [&] {
    ++asked;
    return vault.created() >= 3;
  };
  absl::StatusOr<RenderResult> r =
      o.orchestrator->Render(*loaded, Orchestrator::MissingWallets::kCreate,
                             Orchestrator::Secrets::kAll, gone_after_three);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("after creating 3 wallet(s)"));
  EXPECT_EQ(vault.created(), 3);
  EXPECT_EQ(asked, 4);  // before each creation, not after the fact

  // The next render creates the rest (the three are found, not remade).
  r = o.orchestrator->Render(*loaded, Orchestrator::MissingWallets::kCreate,
                             Orchestrator::Secrets::kAll, [] { return false; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(vault.created(), 11);
  EXPECT_EQ(r->wallets.size(), 11u);

  // Nothing missing: a gone caller changes nothing (only creation asks).
  r = o.orchestrator->Render(*loaded, Orchestrator::MissingWallets::kCreate,
                             Orchestrator::Secrets::kAll, [] { return true; });
  EXPECT_TRUE(r.ok()) << r.status();
}

}  // namespace
}  // namespace poolops::orchestrator
