// Targets for real: a local folder, and a real sshd on 127.0.0.1 started by
// the test with its own host key and an authorized key made by the test.
#include "services/orchestrator/target.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/common/test_util.h"
#include "services/orchestrator/ssh_test_server.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

uint32_t Mode(const fs::path& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
}

void ExerciseTarget(Target* t, const fs::path& root) {
  std::vector<BundleFile> v1 = {{".env", "SECRET=1\n", 0600},
                                {"docker-compose.yml", "services: {}\n", 0644},
                                {"old.txt", "old\n", 0644},
                                {"sub/dir/f.yml", "x: 1\n", 0644},
                                {"poolops-bundle.json", "{}\n", 0644}};
  ASSERT_TRUE(t->WriteBundle("core", v1).ok());
  EXPECT_EQ(Slurp(root / "core/.env"), "SECRET=1\n");
  EXPECT_EQ(Mode(root / "core/.env"), 0600u);
  EXPECT_EQ(Mode(root / "core/docker-compose.yml"), 0644u);
  EXPECT_EQ(Slurp(root / "core/sub/dir/f.yml"), "x: 1\n");
  // The operator's own files survive every write; their variables win.
  std::ofstream(root / "core/docker-compose.override.yml") << "services: {}\n";
  std::ofstream(root / "core/override.env") << "EXTRA=x\nSECRET=operator\n";
  std::vector<BundleFile> v2 = {{".env", "SECRET=2\n", 0600},
                                {"docker-compose.yml", "services: {}\n", 0644},
                                {"poolops-bundle.json", "{}\n", 0644}};
  ASSERT_TRUE(t->WriteBundle("core", v2).ok());
  EXPECT_EQ(Slurp(root / "core/.env"),
            "SECRET=2\n\n# operator overrides (override.env)\nEXTRA=x\n"
            "SECRET=operator\n");
  EXPECT_EQ(Mode(root / "core/.env"), 0600u);
  EXPECT_FALSE(fs::exists(root / "core/old.txt"));
  EXPECT_TRUE(fs::exists(root / "core/docker-compose.override.yml"));
  EXPECT_EQ(Slurp(root / "core/override.env"), "EXTRA=x\nSECRET=operator\n");
  fs::remove(root / "core/override.env");
  // The backup holds the previous files.
  EXPECT_EQ(Slurp(root / ".core.backup/.env"), "SECRET=1\n");
  EXPECT_EQ(Mode(root / ".core.backup/.env"), 0600u);
  auto exists = t->Exists("core", ".env");
  ASSERT_TRUE(exists.ok()) << exists.status();
  EXPECT_TRUE(*exists);
  EXPECT_FALSE(*t->Exists("core", "nope"));
  auto r = t->Shell("core", "cat .env; pwd\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_NE(r->output.find("SECRET=2"), std::string::npos);
  EXPECT_NE(r->output.find((root / "core").string()), std::string::npos);
  ASSERT_TRUE(t->RestoreBackup("core").ok());
  EXPECT_EQ(Slurp(root / "core/.env"), "SECRET=1\n");
  EXPECT_EQ(Slurp(root / "core/old.txt"), "old\n");
  EXPECT_TRUE(absl::IsNotFound(t->RestoreBackup("never")));
  auto missing = t->Shell("nobundle", "true\n");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->exit_code, 3);
}

TEST(TargetTest, LocalFolder) {
  poolops::test::TempDir dir;
  auto factory = NewTargetFactory(ProcessRunner::Real());
  auto t = factory->Open("local:bundles", dir.path().string());
  ASSERT_TRUE(t.ok()) << t.status();
  ExerciseTarget(t->get(), dir.path() / "bundles");
}

TEST(TargetTest, ScriptCarriesSecretsOnStdinNotArgv) {
  std::string script =
      WriteBundleScript("/r", "core", {{".env", "PW=hunter2", 0600}});
  // base64 of the content only: the secret itself is not in clear either.
  EXPECT_EQ(script.find("hunter2"), std::string::npos);
  EXPECT_NE(script.find("umask 077"), std::string::npos);
}

TEST(TargetTest, ProcessRunnerFeedsLargeInput) {
  std::string big(1 << 20, 'x');
  auto r = ProcessRunner::Real()->Run({"wc", "-c"}, big, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::stoul(r->output), big.size());
  EXPECT_TRUE(absl::IsNotFound(
      ProcessRunner::Real()->Run({"/no/such/binary"}, "", "").status()));
}

TEST(TargetTest, ACommandPastItsTimeoutIsStoppedWithItsChildren) {
  poolops::test::TempDir dir;
  const fs::path pidfile = dir.path() / "child.pid";
  std::unique_ptr<ProcessRunner> runner =
      ProcessRunner::WithTimeout(absl::Milliseconds(500));
  // A shell whose child would outlive it (as compose under `sh -s`).
  auto r = runner->Run(
      {"sh", "-c", "sleep 60 & echo $! > " + pidfile.string() + "; wait"}, "",
      "");
  ASSERT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_NE(
      std::string(r.status().message()).find("did not finish within 500ms"),
      std::string::npos)
      << r.status();
  // The whole group went: the sleep is gone (reaped by init, or a zombie).
  pid_t child = std::stoi(Slurp(pidfile));
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::string stat = Slurp("/proc/" + std::to_string(child) + "/stat");
    gone = stat.empty() || stat.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "sleep " << child << " still runs";
}

TEST(TargetTest, SshToARealSshd) {
  poolops::test::TempDir dir;
  absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
      SshTestServer::Start(dir.path());
  if (!sshd.ok()) GTEST_SKIP() << sshd.status();
  SshOptions opts;
  opts.config_file = (*sshd)->client_config().string();
  auto factory = NewTargetFactory(ProcessRunner::Real(), opts);
  fs::path root = dir.path() / "remote";
  auto t = factory->Open((*sshd)->TargetFor(root.string()), "");
  ASSERT_TRUE(t.ok()) << t.status();
  ExerciseTarget(t->get(), root);
}

TEST(TargetTest, UnreachableSshHostIsUnavailable) {
  poolops::test::TempDir dir;
  absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
      SshTestServer::Start(dir.path());
  if (!sshd.ok()) GTEST_SKIP() << sshd.status();
  SshOptions opts;
  opts.config_file = (*sshd)->client_config().string();
  opts.connect_timeout_seconds = 2;
  auto factory = NewTargetFactory(ProcessRunner::Real(), opts);
  int port = (*sshd)->port();
  sshd->reset();  // stopped: the port refuses connections now
  auto t =
      factory->Open(absl::StrCat("ssh://root@127.0.0.1:", port, "/tmp/x"), "");
  ASSERT_TRUE(t.ok());
  absl::Status s = (*t)->WriteBundle("core", {{"a", "b", 0644}});
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_NE(std::string(s.message()).find("ssh"), std::string::npos) << s;
}

}  // namespace
}  // namespace poolops::orchestrator
