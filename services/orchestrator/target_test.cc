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

#include <algorithm>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/ssh_server_test_support.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// stdout and stderr together, as the targets read them.
proc::RunOptions Merged() {
  proc::RunOptions options;
  options.merge_stderr = true;
  return options;
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
  // A write over an unfinished revision's files keeps the backup of the
  // last good ones.
  std::vector<BundleFile> v3 = {{".env", "SECRET=3\n", 0600},
                                {"poolops-bundle.json", "{}\n", 0644}};
  ASSERT_TRUE(t->WriteBundle("core", v3, /*keep_backup=*/true).ok());
  EXPECT_EQ(Slurp(root / "core/.env"), "SECRET=3\n");
  EXPECT_EQ(Slurp(root / ".core.backup/.env"), "SECRET=1\n");
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
  auto factory = NewTargetFactory(proc::ProcessRunner::Real());
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

TEST(TargetTest, SshToARealSshd) {
  poolops::test::TempDir dir;
  absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
      SshTestServer::Start(dir.path());
  if (!sshd.ok()) POOLOPS_MISSING_TOOL(sshd.status());
  SshOptions opts;
  opts.config_file = (*sshd)->client_config().string();
  auto factory = NewTargetFactory(proc::ProcessRunner::Real(), opts);
  fs::path root = dir.path() / "remote";
  auto t = factory->Open((*sshd)->TargetFor(root.string()), "");
  ASSERT_TRUE(t.ok()) << t.status();
  ExerciseTarget(t->get(), root);
}

TEST(TargetTest, UnreachableSshHostIsUnavailable) {
  poolops::test::TempDir dir;
  absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
      SshTestServer::Start(dir.path());
  if (!sshd.ok()) POOLOPS_MISSING_TOOL(sshd.status());
  SshOptions opts;
  opts.config_file = (*sshd)->client_config().string();
  opts.connect_timeout_seconds = 2;
  auto factory = NewTargetFactory(proc::ProcessRunner::Real(), opts);
  int port = (*sshd)->port();
  sshd->reset();  // stopped: the port refuses connections now
  auto t =
      factory->Open(absl::StrCat("ssh://root@127.0.0.1:", port, "/tmp/x"), "");
  ASSERT_TRUE(t.ok());
  absl::Status s = (*t)->WriteBundle("core", {{"a", "b", 0644}});
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_NE(std::string(s.message()).find("ssh"), std::string::npos) << s;
}

// What a target would run, without running it.
class CapturingRunner : public proc::ProcessRunner {
 public:
  absl::StatusOr<proc::RunResult> Run(
      const std::vector<std::string>& argv,
      const proc::RunOptions& options) override {
    calls.push_back(argv);
    return proc::RunResult{};
  }
  std::vector<std::vector<std::string>> calls;
};

TEST(TargetAddressTest, UsersAndHostsAreNeverOptionsPathsNeverLines) {
  for (const char* bad : {
           "ssh://-oProxyCommand=touch${IFS}x/srv",  // host as an option
           "ssh://-oProxyCommand=x@host/srv",        // user as an option
           "ssh://u@-oProxyCommand=x/srv",
           "ssh://-l@host/srv",
           "ssh://u@-host/srv",
           "ssh://u@.host/srv",
           "ssh://u@host-/srv",
           "ssh://u@ho$t/srv",
           "ssh://u;id@host/srv",
           "ssh://u@h@host/srv",
           "ssh://u@[-oProxyCommand=x]/srv",  // not IPv6
           "ssh://u@[::1/srv",
           "ssh://u@[::1]x/srv",
           "ssh://u@[::1]:/srv",
           "ssh://u@[zz::1]/srv",
           "ssh://u@host:0/srv",
           "ssh://u@host:65536/srv",
           "ssh://u@host:+22/srv",
           "ssh://u@host:22a/srv",
           "ssh://u@host/",
           "ssh://u@host",
           "ssh://u@host/srv/x\nrm -rf /",
           "ssh://u@host/srv/a b",
           "ssh://u@host/srv/\x1b[2J",
           "ssh://u@host/srv/\x7f",
           "local:/srv/\nx",
           "local:/srv/\rx",
           "local:",
           "ftp://host/srv",
       }) {
    const std::string text = bad;
    EXPECT_FALSE(ParseTarget(text).ok()) << bad;
    CapturingRunner runner;
    EXPECT_FALSE(NewTargetFactory(&runner)->Open(text, "").ok()) << bad;
  }
  auto v6 = ParseTarget("ssh://deploy@[::1]:2222/srv/iexec");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->user, "deploy");
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 2222);
  EXPECT_EQ(v6->path, "/srv/iexec");
  EXPECT_EQ(v6->ToString(), "ssh://deploy@[::1]:2222/srv/iexec");
  auto v6_default = ParseTarget("ssh://[2001:db8::7]/srv");
  ASSERT_TRUE(v6_default.ok()) << v6_default.status();
  EXPECT_EQ(v6_default->host, "2001:db8::7");
  EXPECT_EQ(v6_default->port, 22);
  EXPECT_EQ(v6_default->user, "");
  for (const char* good :
       {"ssh://deploy@core.example:2222/srv/iexec", "ssh://u_1.x-y@10.0.0.1/s",
        "ssh://my_alias/srv", "ssh://u@[::ffff:127.0.0.1]/srv/it's",
        "local:bundles", "local:/opt/my bundles"}) {
    EXPECT_TRUE(ParseTarget(good).ok()) << good << ParseTarget(good).status();
  }
}

TEST(TargetAddressTest, SshArgvPlacesSpecValuesOnlyWhereNoOptionIsRead) {
  CapturingRunner runner;
  SshOptions opts;
  opts.config_file = "/etc/poolops/ssh_config";
  auto t = NewTargetFactory(&runner, opts)
               ->Open("ssh://deploy@[::1]:2222/srv/it's here", "");
  // A space: refused on SSH targets; the quote is fine.
  EXPECT_FALSE(t.ok());
  t = NewTargetFactory(&runner, opts)
          ->Open("ssh://deploy@[::1]:2222/srv/it's", "");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->Shell("core", "true\n").ok());
  ASSERT_EQ(runner.calls.size(), 1u);
  EXPECT_EQ(absl::StrJoin(runner.calls[0], " "),
            "ssh -F /etc/poolops/ssh_config -o BatchMode=yes -o "
            "ConnectTimeout=10 -o ServerAliveInterval=15 -o "
            "ServerAliveCountMax=4 -l deploy -p 2222 -- ::1 sh -s");
  // Without a user, ssh's own default (~/.ssh/config, the login name).
  TargetAddress bare;
  bare.kind = TargetAddress::Kind::kSsh;
  bare.host = "h.example";
  bare.path = "/srv";
  std::vector<std::string> argv = SshCommand(bare, {});
  EXPECT_EQ(absl::StrJoin(argv, " "),
            "ssh -o BatchMode=yes -o ConnectTimeout=10 -o "
            "ServerAliveInterval=15 -o ServerAliveCountMax=4 -p 22 -- "
            "h.example");
  // Even values ParseTarget would refuse land as values, not options.
  TargetAddress hostile = bare;
  hostile.user = "-oProxyCommand=x";
  hostile.host = "-oProxyCommand=y";
  argv = SshCommand(hostile, {});
  auto dashdash = std::find(argv.begin(), argv.end(), "--");
  ASSERT_NE(dashdash, argv.end());
  EXPECT_EQ(*(dashdash + 1), hostile.host);
  EXPECT_EQ(dashdash + 2, argv.end());
  auto user = std::find(argv.begin(), argv.end(), hostile.user);
  ASSERT_NE(user, argv.end());
  EXPECT_EQ(*(user - 1), "-l");
}

TEST(TargetAddressTest, ShellQuoteSurvivesARealShell) {
  for (const std::string& word :
       {std::string("plain"), std::string("it's"), std::string("'"),
        std::string("''\\'"), std::string("$(id) `id` ${HOME} $HOME"),
        std::string("a\nb;c|d&e>f<g*h?i[j]~k#l!m"), std::string("-n"),
        std::string(""), std::string("\xc3\xa9\x01\x7f")}) {
    const std::string& w = word;
    auto r = proc::ProcessRunner::Real()->Run(
        {"sh", "-c", "printf '%s' " + ShellQuote(w)}, Merged());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->output, w) << word;
  }
}

// The real ssh client with the argv SshCommand builds: a user or host
// that reads as "-oProxyCommand=..." never runs that command. First the
// attack as it would go with the value in option position, so the test
// proves that the marker file appears when ssh does take it.
TEST(TargetTest, RealSshNeverTakesAUserOrHostAsAnOption) {
  poolops::test::TempDir dir;
  absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
      SshTestServer::Start(dir.path());
  if (!sshd.ok()) POOLOPS_MISSING_TOOL(sshd.status());
  const fs::path marker = dir.path() / "pwned";
  const std::string inject = "-oProxyCommand=touch " + marker.string();
  SshOptions opts;
  opts.config_file = (*sshd)->client_config().string();
  opts.connect_timeout_seconds = 3;
  // Control: as an option, ssh runs it.
  auto control = proc::ProcessRunner::Real()->Run(
      {"ssh", "-F", opts.config_file, "-o", "BatchMode=yes", inject,
       "127.0.0.1", "true"},
      Merged());
  ASSERT_TRUE(control.ok()) << control.status();
  ASSERT_TRUE(fs::exists(marker))
      << "the control attack did not run: " << control->output;
  fs::remove(marker);

  TargetAddress t;
  t.kind = TargetAddress::Kind::kSsh;
  t.host = "127.0.0.1";
  t.port = (*sshd)->port();
  t.path = "/tmp";
  TargetAddress as_user = t, as_host = t;
  as_user.user = inject;
  as_host.host = inject;
  for (const TargetAddress& hostile : {as_user, as_host}) {
    std::vector<std::string> argv = SshCommand(hostile, opts);
    argv.push_back("true");
    auto r = proc::ProcessRunner::Real()->Run(argv, Merged());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_NE(r->exit_code, 0) << r->output;  // no such user, no such host
    EXPECT_FALSE(fs::exists(marker)) << absl::StrJoin(argv, " ");
  }
}

TEST(TargetTest, SshToARealSshdOverIpv6) {
  poolops::test::TempDir dir;
  absl::StatusOr<std::unique_ptr<SshTestServer>> sshd =
      SshTestServer::Start(dir.path());
  if (!sshd.ok()) POOLOPS_MISSING_TOOL(sshd.status());
  if (!(*sshd)->ipv6()) GTEST_SKIP() << "no IPv6 loopback (::1) here";
  SshOptions opts;
  opts.config_file = (*sshd)->client_config().string();
  auto factory = NewTargetFactory(proc::ProcessRunner::Real(), opts);
  fs::path root = dir.path() / "remote6";
  std::string target = (*sshd)->Ipv6TargetFor(root.string());
  ASSERT_NE(target.find("@[::1]:"), std::string::npos) << target;
  auto t = factory->Open(target, "");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->WriteBundle("core", {{".env", "A=1\n", 0600}}).ok());
  EXPECT_EQ(Slurp(root / "core/.env"), "A=1\n");
  EXPECT_EQ(Mode(root / "core/.env"), 0600u);
  auto exists = (*t)->Exists("core", ".env");
  ASSERT_TRUE(exists.ok()) << exists.status();
  EXPECT_TRUE(*exists);
  // It was ::1 that answered: the remote side saw an IPv6 client.
  auto r = (*t)->Shell("", "echo \"$SSH_CONNECTION\"\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->output.rfind("::1 ", 0), 0u) << r->output;
}

}  // namespace
}  // namespace poolops::orchestrator
