// The orchestrator's secrets model: it never opens a file a spec names
// (the client sends the secrets), keeps what was sent in the pool's store
// for later applies and unlocks, and `Render` for a caller hands back only
// the secrets that caller sent: stored passwords and keystores are
// placeholders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/secret_files.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Remembers the password of the last unlock.
class RecordingVault : public FakeWalletSource {
 public:
  absl::Status Unlock(const std::string& name, const std::string& password,
                      uint64_t ttl) override {
    last_password = password;
    return FakeWalletSource::Unlock(name, password, ttl);
  }
  std::string last_password;
};

class SecretsModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A secret on the orchestrator's own disk that no caller may read
    // through a spec (think /etc/shadow or another pool's files).
    server_secret_ = dir_.path() / "server-only.pw";
    std::ofstream(server_secret_) << "TOPSECRET-on-the-server\n";
    auto o = test::NewOrchestratorUnderTest(dir_.path(), &vault_, &store_);
    ASSERT_NE(o.orchestrator, nullptr);
    state_ = std::move(o.state);
    orchestrator_ = std::move(o.orchestrator);
  }

  v1::SpecSource Source(const std::string& extra_core,
                        const std::string& extra_workerpool = "") {
    v1::SpecSource src;
    src.set_yaml(absl::StrCat(
        "name: t\nchain: bellecour\n"
        "workerpool: {owner_wallet: core, description: d",
        extra_workerpool,
        "}\n"
        "core: {target: 'local:/tmp/x', host: 127.0.0.1",
        extra_core,
        "}\n"
        "workers: [{name: w0, target: 'local:/tmp/x', wallet: w0}]\n"));
    src.set_path((dir_.path() / "pool.yaml").string());
    return src;
  }

  // Every rendered byte, to look for secrets in.
  static std::string AllContent(const RenderResult& r) {
    std::string all;
    for (const Bundle& b : r.bundles) {
      for (const BundleFile& f : b.files) absl::StrAppend(&all, f.content);
    }
    return all;
  }

  poolops::test::TempDir dir_;
  fs::path server_secret_;
  RecordingVault vault_;
  MemorySecretStore store_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<Orchestrator> orchestrator_;
};

TEST_F(SecretsModelTest, AFileNamedBySpecIsNeverReadOnTheServer) {
  for (const std::string& path :
       {server_secret_.string(), std::string("/etc/shadow"),
        std::string("/nonexistent/pw"), std::string("server-only.pw")}) {
    v1::SpecSource src =
        Source(absl::StrCat(", mongo_password_file: '", path, "'"));
    // Validation says nothing about the path: no oracle of what exists.
    auto loaded = orchestrator_->Load(src);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_TRUE(loaded->violations.empty())
        << path << " " << ViolationsText(loaded->violations);
    // Rendering without the secret sent fails; nothing was read.
    auto r =
        orchestrator_->Render(*loaded, Orchestrator::MissingWallets::kCreate);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(r.status().message()),
                HasSubstr("core.mongo_password_file"));
    EXPECT_THAT(std::string(r.status().message()),
                ::testing::Not(HasSubstr("TOPSECRET")));
    auto kept = store_.Get("t", "PROD_MONGO_PASSWORD");
    ASSERT_TRUE(kept.ok());
    EXPECT_FALSE(kept->has_value()) << path;
  }
}

TEST_F(SecretsModelTest, SentSecretsAreUsedKeptAndReusedWithoutTheClient) {
  v1::SpecSource src = Source(", mongo_password_file: /client/mongo.pw",
                              ", owner_password_file: owner.pw");
  v1::SecretFile* f = src.add_secret_files();
  f->set_path("/client/mongo.pw");
  f->set_secret("mongo-from-the-client");
  f = src.add_secret_files();
  f->set_path("owner.pw");
  f->set_secret("owner-from-the-client");
  auto loaded = orchestrator_->LoadValid(src);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto r =
      orchestrator_->Render(*loaded, Orchestrator::MissingWallets::kCreate);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(AllContent(*r),
              HasSubstr("PROD_MONGO_PASSWORD=mongo-from-the-client"));
  EXPECT_THAT(AllContent(*r),
              HasSubstr("PROD_CORE_WALLET_PASSWORD=owner-from-the-client"));

  // A stored revision's spec carries no secrets (rollback, the unlock
  // keeper): the store has them.
  v1::SpecSource bare = Source(", mongo_password_file: /client/mongo.pw",
                               ", owner_password_file: owner.pw");
  auto again = orchestrator_->LoadValid(bare);
  ASSERT_TRUE(again.ok());
  auto unlocked = orchestrator_->UnlockOwner(*again);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status();
  EXPECT_EQ(vault_.last_password, "owner-from-the-client");
  auto r2 = orchestrator_->Render(*again, Orchestrator::MissingWallets::kFail);
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_THAT(AllContent(*r2),
              HasSubstr("PROD_MONGO_PASSWORD=mongo-from-the-client"));
}

TEST_F(SecretsModelTest, RenderForACallerRedactsWhatItDidNotSend) {
  // `up` created the wallets and generated the passwords.
  v1::SpecSource src = Source(", grafana_admin_password_file: g.pw");
  v1::SecretFile* f = src.add_secret_files();
  f->set_path("g.pw");
  f->set_secret("grafana-sent-now");
  auto loaded = orchestrator_->LoadValid(src);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto full =
      orchestrator_->Render(*loaded, Orchestrator::MissingWallets::kCreate);
  ASSERT_TRUE(full.ok()) << full.status();
  std::vector<std::string> stored;
  for (const char* key : {"PROD_MONGO_PASSWORD", "PROD_CHAIN_ADAPTER_PASSWORD",
                          "wallet:core", "wallet:w0"}) {
    auto v = store_.Get("t", key);
    ASSERT_TRUE(v.ok() && v->has_value()) << key;
    stored.push_back(**v);
    EXPECT_THAT(AllContent(*full), HasSubstr(**v)) << key;
  }
  EXPECT_THAT(AllContent(*full), HasSubstr("\"crypto\""));

  // The Render RPC's view: only the grafana password it sent comes back.
  auto view =
      orchestrator_->Render(*loaded, Orchestrator::MissingWallets::kCreate,
                            Orchestrator::Secrets::kSuppliedOnly);
  ASSERT_TRUE(view.ok()) << view.status();
  std::string all = AllContent(*view);
  for (const std::string& s : stored) EXPECT_EQ(all.find(s), std::string::npos);
  EXPECT_THAT(all, HasSubstr("PROD_GRAFANA_ADMIN_PASSWORD=grafana-sent-now"));
  EXPECT_THAT(all, HasSubstr("pools/t/secrets.json"));
  for (const Bundle& b : view->bundles) {
    for (const BundleFile& bf : b.files) {
      if (!absl::StartsWith(bf.path, "wallet")) continue;
      EXPECT_THAT(bf.content, ::testing::Not(HasSubstr("crypto")));
      EXPECT_THAT(bf.content, HasSubstr("poolctl wallet export"));
    }
  }
  bool noted = false;
  for (const std::string& n : view->notes)
    noted |= absl::StrContains(n, "redacted");
  EXPECT_TRUE(noted);
}

TEST_F(SecretsModelTest, ASentPasswordNoQuotingKeepsIsAViolationNotChanged) {
  v1::SpecSource src = Source(", mongo_password_file: m.pw");
  v1::SecretFile* f = src.add_secret_files();
  f->set_path("m.pw");
  f->set_secret("it's $ecret");
  auto loaded = orchestrator_->Load(src);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->violations.size(), 1u)
      << ViolationsText(loaded->violations);
  EXPECT_EQ(loaded->violations[0].field(), "core.mongo_password_file");
  EXPECT_EQ(loaded->violations[0].message().find("$ecret"), std::string::npos);
}

TEST(SecretFilesTest, TheClientReadsThemRelativeToTheSpec) {
  poolops::test::TempDir dir;
  fs::create_directories(dir.path() / "secrets");
  std::ofstream(dir.path() / "secrets/owner.pw") << "owner-pw\r\nignored\n";
  v1::SpecSource src;
  src.set_yaml(
      "name: t\nchain: bellecour\n"
      "workerpool: {owner_wallet: core, owner_password_file: "
      "secrets/owner.pw}\n"
      "core: {mongo_password_file: secrets/owner.pw}\n");
  src.set_path((dir.path() / "pool.yaml").string());
  ASSERT_TRUE(AttachSecretFiles(&src).ok());
  ASSERT_EQ(src.secret_files_size(), 1);  // one path, read once
  EXPECT_EQ(src.secret_files(0).path(), "secrets/owner.pw");
  EXPECT_EQ(src.secret_files(0).secret(), "owner-pw");

  v1::SpecSource missing;
  missing.set_yaml("name: t\ncore: {mongo_password_file: nope.pw}\n");
  missing.set_path((dir.path() / "pool.yaml").string());
  absl::Status s = AttachSecretFiles(&missing);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("core.mongo_password_file"));
}

}  // namespace
}  // namespace poolops::orchestrator
