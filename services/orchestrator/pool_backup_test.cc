// pool backup and restore with real local targets, state and files, and the
// compose fake (whose core database is a string per compose project):
// what a backup holds and how it is protected, a restore into an
// orchestrator that lost everything, and backups that must be refused.
#include "services/orchestrator/pool_backup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "libs/common/temp_dir_test_support.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/fake_chain_client.h"
#include "services/orchestrator/fake_compose_test_support.h"
#include "services/orchestrator/orchestrator_test_support.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// One orchestrator's own records: what a lost machine takes with it.
struct Site {
  Site(const fs::path& dir, FakeCompose* compose, FakeChainClient* chain,
       Clock* clock)
      : vault(clock) {
    fs::create_directories(dir);
    auto o = test::NewOrchestratorUnderTest(dir, &vault, &secrets, chain);
    state = std::move(o.state);
    orchestrator = std::move(o.orchestrator);
    targets = NewTargetFactory(proc::ProcessRunner::Real());
    ApplyOptions opts = FastApplyOptions(dir / "backups");
    applier = std::make_unique<Applier>(orchestrator.get(), state.get(),
                                        targets.get(), compose, chain, compose,
                                        opts, clock);
  }
  FakeWalletSource vault;
  MemorySecretStore secrets;
  std::unique_ptr<StateStore> state;
  std::unique_ptr<Orchestrator> orchestrator;
  std::unique_ptr<TargetFactory> targets;
  std::unique_ptr<Applier> applier;
};

class PoolBackupTest : public ::testing::Test {
 protected:
  LoadedSpec Spec(Site& site) {
    std::string yaml = absl::StrCat(
        "chain: bellecour\nname: t\nworkerpool: {owner_wallet: core, "
        "description: test pool}\nstake: {minimum: '1000'}\n"
        "core: {target: 'local:",
        (dir_.path() / "hosts/a").string(),
        "', host: 127.0.0.1}\norders: {publisher: poolops}\nworkers:\n");
    for (int i = 0; i < 2; ++i) {
      absl::StrAppend(&yaml, "  - {name: w", i, ", target: 'local:",
                      (dir_.path() / absl::StrCat("hosts/h", i)).string(),
                      "', wallet: wallet", i, "}\n");
    }
    v1::SpecSource src;
    src.set_yaml(yaml);
    src.set_path((dir_.path() / "pool.yaml").string());
    auto loaded = site.orchestrator->LoadValid(src);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return *loaded;
  }
  // A pool that ran, backed up into `backups/`.
  BackupResult UpAndBackUp(Site& site) {
    auto up = site.applier->Up(Spec(site), nullptr);
    EXPECT_TRUE(up.ok()) << up.status();
    workerpool_ = up.ok() ? up->workerpool() : "";
    auto backup = site.applier->Backup("t", dir_.path() / "backups");
    EXPECT_TRUE(backup.ok()) << backup.status();
    return backup.ok() ? *backup : BackupResult{};
  }
  static mode_t Mode(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }

  poolops::test::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1764800000)};
  FakeCompose compose_;
  FakeChainClient chain_;
  std::string workerpool_;
};

TEST_F(PoolBackupTest, ABackupHoldsThePoolWithChecksumsAndOnlyOwnerAccess) {
  Site site(dir_.path() / "site", &compose_, &chain_, &clock_);
  BackupResult b = UpAndBackUp(site);
  const fs::path dir = b.path;
  EXPECT_THAT(dir.filename().string(),
              ::testing::MatchesRegex("t-2025120[34]T[0-9]{6}Z-r1"));
  EXPECT_EQ(Mode(dir), 0700u);
  EXPECT_EQ(b.files.back(), "manifest.json");
  for (const std::string& want :
       {"core-db.archive", "state.json", "secrets.json", "wallets/core.json",
        "wallets/wallet1.json", "bundles/core/.env", "bundles/w0/.env"}) {
    EXPECT_NE(std::find(b.files.begin(), b.files.end(), want), b.files.end())
        << want;
  }
  for (const std::string& f : b.files) {
    EXPECT_EQ(Mode(dir / f), 0600u) << f;
  }
  std::ifstream db(dir / "core-db.archive");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(db), {}),
            compose_.database("t-core"));
  // The keystores as the vault keeps them, never decrypted.
  auto core = site.vault.Find("core");
  std::ifstream wallet(dir / "wallets/core.json");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(wallet), {}),
            (*core)->keystore_json);
  // `pool history` names it.
  auto history = site.applier->History("t");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().backup(), b.path);
  // Read back whole.
  auto read = ReadBackup(dir, "t");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->revision, 1u);
  EXPECT_EQ(read->workerpool, workerpool_);
  EXPECT_EQ(read->wallets.size(), 3u);
  EXPECT_EQ(read->bundles.size(), 3u);
}

TEST_F(PoolBackupTest, ALostOrchestratorAndVolumeComeBackFromTheBackup) {
  Site site(dir_.path() / "site", &compose_, &chain_, &clock_);
  fs::create_directories(dir_.path() / "hosts/a/core");
  std::ofstream(dir_.path() / "hosts/a/core/override.env") << "MY_SETTING=1\n";
  BackupResult b = UpAndBackUp(site);
  EXPECT_NE(
      std::find(b.files.begin(), b.files.end(), "bundles/core/override.env"),
      b.files.end());
  const std::string data = compose_.database("t-core");
  auto core_address = (*site.vault.Find("core"))->address;
  ASSERT_TRUE(site.applier->Down("t", /*remove_data=*/true).ok());
  EXPECT_NE(compose_.database("t-core"), data);  // a new volume's data
  compose_.TakeActions();

  // The hosts' folders are gone too, the operator's file with them.
  fs::remove_all(dir_.path() / "hosts");
  // Another machine: no state, no secrets, an empty vault.
  Site fresh(dir_.path() / "fresh", &compose_, &chain_, &clock_);
  std::vector<v1::UpEvent> events;
  auto r = fresh.applier->Restore(
      "t", b.path, [&](const v1::UpEvent& e) { events.push_back(e); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->workerpool(), workerpool_);
  EXPECT_EQ(chain_.deployments(), 1);  // the same workerpool, not a new one
  EXPECT_EQ(compose_.database("t-core"), data);
  EXPECT_EQ((*fresh.vault.Find("core"))->address, core_address);
  EXPECT_EQ(compose_.up(), (std::set<std::string>{"core", "w0", "w1"}));
  std::ifstream own(dir_.path() / "hosts/a/core/override.env");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(own), {}),
            "MY_SETTING=1\n");
  EXPECT_EQ(Mode(dir_.path() / "hosts/a/core/override.env"), 0600u);
  EXPECT_TRUE(fs::exists(dir_.path() / "hosts/h1/w1/.env"));
  // The database was restored before the core started.
  auto actions = compose_.TakeActions();
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(actions[0], "up core mongo");
  EXPECT_EQ(actions[1], "exec core mongorestore");
  // The history came along, and the restore is a revision of its own.
  auto history = fresh.applier->History("t");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].outcome(), "applied");
  EXPECT_EQ((*history)[0].backup(), b.path);
  // The generated passwords too: the bundles render the same.
  auto again = fresh.applier->Up(Spec(fresh), nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
}

TEST_F(PoolBackupTest, ADamagedOrAlteredBackupIsRefusedBeforeAnythingChanges) {
  Site site(dir_.path() / "site", &compose_, &chain_, &clock_);
  BackupResult b = UpAndBackUp(site);
  ASSERT_TRUE(site.applier->Down("t", true).ok());
  Site fresh(dir_.path() / "fresh", &compose_, &chain_, &clock_);
  auto refused = [&](const std::string& why) {
    auto r = fresh.applier->Restore("t", b.path, [](const v1::UpEvent&) {});
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr(why));
    EXPECT_TRUE(absl::IsNotFound(fresh.state->History("t").status()));
    EXPECT_FALSE(fresh.vault.Find("core")->has_value());
  };
  const fs::path env = fs::path(b.path) / "bundles/core/.env";
  std::string original;
  {
    std::ifstream in(env);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(env, std::ios::app) << "IEXEC_EXTRA=1\n";
  refused("bundles/core/.env: checksum mismatch");
  std::ofstream(env, std::ios::trunc) << original;
  std::ofstream(fs::path(b.path) / "wallets/intruder.json") << "{}";
  refused("wallets/intruder.json: not in the manifest");
  fs::remove(fs::path(b.path) / "wallets/intruder.json");
  fs::remove(fs::path(b.path) / "core-db.archive");
  refused("core-db.archive: missing");
  // Another pool's name.
  auto other = fresh.applier->Restore("u", b.path, [](const v1::UpEvent&) {});
  EXPECT_THAT(other.status().message(), HasSubstr("it is pool 't'"));
}

// --out is the operator's folder: its mode stays; one others may write to
// is refused (they could swap the backup's files).
TEST_F(PoolBackupTest, AnOutFolderKeepsItsModeAndAWritableOneIsRefused) {
  Site site(dir_.path() / "site", &compose_, &chain_, &clock_);
  ASSERT_TRUE(site.applier->Up(Spec(site), nullptr).ok());
  const fs::path shared = dir_.path() / "shared";
  fs::create_directories(shared);
  ::chmod(shared.c_str(), 0755);
  auto b = site.applier->Backup("t", shared);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(Mode(shared), 0755u);
  EXPECT_EQ(Mode(b->path), 0700u);
  ::chmod(shared.c_str(), 0777);
  auto refused = site.applier->Backup("t", shared);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_EQ(Mode(shared), 0777u);
}

TEST_F(PoolBackupTest, BackupNeedsARunningPoolRestoreAStoppedOne) {
  Site site(dir_.path() / "site", &compose_, &chain_, &clock_);
  auto never = site.applier->Backup("t", dir_.path() / "backups");
  EXPECT_TRUE(absl::IsNotFound(never.status())) << never.status();
  fs::create_directories(dir_.path() / "hosts/h0/w0");
  std::ofstream(dir_.path() / "hosts/h0/w0/override.env") << "OLD=1\n";
  BackupResult b = UpAndBackUp(site);
  auto up = site.applier->Restore("t", b.path, [](const v1::UpEvent&) {});
  EXPECT_TRUE(absl::IsFailedPrecondition(up.status())) << up.status();
  EXPECT_THAT(up.status().message(), HasSubstr("pool down t"));
  ASSERT_TRUE(site.applier->Down("t", false).ok());
  auto down = site.applier->Backup("t", dir_.path() / "backups");
  EXPECT_TRUE(absl::IsFailedPrecondition(down.status())) << down.status();
  // Restored in place: the same orchestrator keeps its own history, and an
  // operator's file on the host is the operator's.
  std::ofstream(dir_.path() / "hosts/h0/w0/override.env") << "NEWER=1\n";
  auto r = site.applier->Restore("t", b.path, [](const v1::UpEvent&) {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->revision(), 2u);
  std::ifstream own(dir_.path() / "hosts/h0/w0/override.env");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(own), {}), "NEWER=1\n");
}

TEST_F(PoolBackupTest, AVaultWalletOfTheSameNameWithAnotherKeyStopsTheRestore) {
  Site site(dir_.path() / "site", &compose_, &chain_, &clock_);
  BackupResult b = UpAndBackUp(site);
  ASSERT_TRUE(site.applier->Down("t", true).ok());
  Site fresh(dir_.path() / "fresh", &compose_, &chain_, &clock_);
  // The fake derives addresses from names: another name's key.
  auto other = site.vault.Find("wallet0");
  ASSERT_TRUE(fresh.vault.Import("core", (*other)->keystore_json, "pw").ok());
  auto r = fresh.applier->Restore("t", b.path, [](const v1::UpEvent&) {});
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("the vault's wallet 'core'"));
  EXPECT_TRUE(absl::IsNotFound(fresh.state->History("t").status()));
}

}  // namespace
}  // namespace poolops::orchestrator
