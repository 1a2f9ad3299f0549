// Every poolctl command, found by `poolctl commands --json` (the CLI11 tree
// --help prints), so a command added later is checked without being listed
// here by hand:
//   - it is in the table of cases below (else: add its case),
//   - its --help exits 0 and explains the command, each option, each
//     positional,
//   - a bad flag or a missing required argument exits 2 with the --json error
//     object,
//   - with --json and plausible arguments it prints one JSON object and
//     exits 0, or prints {"error":{"code","message"}} and exits with the code
//     poolctl maps that error code to (kExitCodes), with the suite down and
//     with an empty suite up,
//   - no run hangs (each is killed by SIGALRM after a generous bound).
// And the commands and flags of the CLI.md contract exist.
// Real processes in a temp home; the suite a test starts is stopped.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// poolctl's exit code for each error code --json prints (cli/context.h,
// README "Exit codes"): 0 ok, 1 internal, 2 invalid argument or usage,
// 3 not found, 4 already exists / failed precondition, 5 permission denied,
// 6 unavailable, 7 deadline exceeded, 8 resource exhausted.
const std::map<std::string, int> kExitCodes = {
    {"INVALID_ARGUMENT", 2},  {"OUT_OF_RANGE", 2},        {"NOT_FOUND", 3},
    {"ALREADY_EXISTS", 4},    {"FAILED_PRECONDITION", 4}, {"ABORTED", 4},
    {"PERMISSION_DENIED", 5}, {"UNAUTHENTICATED", 5},     {"UNAVAILABLE", 6},
    {"DEADLINE_EXCEEDED", 7}, {"RESOURCE_EXHAUSTED", 8},  {"INTERNAL", 1},
    {"UNKNOWN", 1},           {"CANCELLED", 1},           {"UNIMPLEMENTED", 1},
    {"DATA_LOSS", 1},
};
constexpr int kUsage = 2, kNotFound = 3, kUnavailable = 6, kDeadline = 7;

// The commands and flags CLI.md names: outside scripts call them so.
struct ContractCommand {
  const char* path;
  std::vector<const char*> flags;
};
const ContractCommand kContract[] = {
    {"services up", {}},
    {"services down", {}},
    {"services status", {}},
    {"devnet up", {"--flavour", "--chain-id"}},
    {"devnet down", {}},
    {"devnet reset", {}},
    {"devnet status", {}},
    {"devnet traffic", {"--pool", "--workerpool", "--deals", "--fail"}},
    {"chain list", {}},
    {"chain show", {}},
    {"chain add", {"--rpc", "--hub", "--chain-id", "--native", "--market"}},
    {"chain import", {}},
    {"wallet create", {"--password-file", "--password-stdin"}},
    {"wallet import",
     {"--private-key-file", "--keystore", "--password-file",
      "--password-stdin"}},
    {"wallet list", {}},
    {"wallet unlock", {"--ttl", "--password-file", "--password-stdin"}},
    {"wallet lock", {}},
    {"wallet export", {"--out"}},
    {"wallet show", {}},
    {"wallet sign-tx", {"--tx-file"}},
    {"wallet sign-typed-data", {"--file"}},
    {"wallet sign-message", {"--message-file"}},
    {"wallet send-rlc", {"--to", "--from", "--unit"}},
    {"account deposit", {"--wallet", "--unit"}},
    {"account withdraw", {"--wallet", "--unit"}},
    {"account show", {}},
    {"workerpool deploy", {"--owner", "--description"}},
    {"workerpool show", {}},
    {"workerpool list", {"--owner"}},
    {"order sign",
     {"--workerpool", "--wallet", "--price", "--volume", "--category", "--tag",
      "--trust", "--app-restrict", "--dataset-restrict",
      "--requester-restrict"}},
    {"order publish", {"--order-file", "--workerpool", "--wallet", "--price"}},
    {"order unpublish",
     {"--workerpool", "--wallet", "--all", "--last", "--hash"}},
    {"order cancel", {"--order-file", "--wallet"}},
    {"orderbook workerpool", {}},
    {"pool validate", {"-f"}},
    {"pool render", {"-f", "--out"}},
    {"pool plan", {"-f"}},
    {"pool up", {"-f"}},
    {"pool down", {}},
    {"pool history", {}},
    {"pool rollback", {"--to"}},
    {"pool backup", {"--out"}},
    {"pool restore", {"--from"}},
    {"pool stats", {"--since"}},
    {"status", {}},
    {"monitor watch", {}},
};
const char* kContractGlobalFlags[] = {"--home", "--json", "--chain"};

// How a leaf command is run: `poolctl --json PATH ARGS` ({files}: the
// fixtures, {home}: the temp home), and the exit code expected with the
// suite down (an address that answers nothing: nothing is started) and with
// an empty suite up. Up-run cases run in this order (create before unlock,
// services down last). Arguments that would start real things (a devnet, a
// pool, docker builds) are wrong on purpose: the JSON error path is enough.
struct Case {
  const char* path;
  const char* args;
  int down;
  int up;
  const char* env = nullptr;  // NAME=VALUE for this run only
};
constexpr const char* kPool = "0x0000000000000000000000000000000000000001";
const Case kCases[] = {
    {"commands", "", 0, 0},
    // The local chain: no service involved.
    {"devnet up", "--flavour bogus", kUsage, kUsage},
    {"devnet down", "", 0, 0},
    {"devnet reset", "", 0, 0},
    {"devnet status", "", kNotFound, kNotFound},
    {"devnet traffic", "--workerpool {pool} --deals 2 --fail 1", kNotFound,
     kNotFound},
    {"devnet images", "--tag t", kNotFound, kNotFound,
     "POOLOPS_BIN_DIR=/nonexistent-bin"},
    // Over chain-gateway, which knows no such chain.
    {"devnet fund", "--address {pool} --chain nosuch", kUnavailable, kNotFound},
    // wallet-vault
    {"wallet create", "w --password-file {files}/pw", kUnavailable, 0},
    {"wallet list", "", kUnavailable, 0},
    {"wallet unlock", "w --password-file {files}/pw --ttl 1m", kUnavailable, 0},
    {"wallet sign-tx", "w --tx-file {files}/tx.json", kUnavailable, 0},
    {"wallet sign-typed-data", "w --file {files}/typed.json", kUnavailable, 0},
    {"wallet sign-message", "w --message-file {files}/msg.txt", kUnavailable,
     0},
    {"wallet lock", "w", kUnavailable, 0},
    {"wallet export", "w --out {home}/w.json", kUnavailable, 0},
    {"wallet import",
     "k --private-key-file {files}/key --password-file {files}/pw",
     kUnavailable, 0},
    {"wallet policy set", "w --chain-id 1", kUnavailable, 0},
    {"wallet policy show", "w", kUnavailable, 0},
    {"wallet lock", "nosuch", kUnavailable, kNotFound},
    // chain-gateway; --chain nosuch keeps every call off the network.
    {"chain list", "", kUnavailable, 0},
    {"chain show", "bellecour", kUnavailable, 0},
    {"chain show", "nosuch", kUnavailable, kNotFound},
    // Adding and importing store the chain: nothing is dialled.
    {"chain add", "mine --rpc http://127.0.0.1:1 --hub {pool} --chain-id 1",
     kUnavailable, 0},
    {"chain import", "{files}/chain.json", kUnavailable, 0},
    {"wallet show", "w --chain nosuch", kUnavailable, kNotFound},
    {"wallet send-rlc", "1 --to {pool} --from w --chain nosuch", kUnavailable,
     kNotFound},
    {"account deposit", "1 --wallet w --chain nosuch", kUnavailable, kNotFound},
    {"account withdraw", "1 --wallet w --chain nosuch", kUnavailable,
     kNotFound},
    {"account show", "w --chain nosuch", kUnavailable, kNotFound},
    {"workerpool deploy", "--owner w --description d --chain nosuch",
     kUnavailable, kNotFound},
    {"workerpool show", "{pool} --chain nosuch", kUnavailable, kNotFound},
    {"workerpool list", "--owner w --chain nosuch", kUnavailable, kNotFound},
    {"order sign", "--workerpool {pool} --wallet w --chain nosuch",
     kUnavailable, kNotFound},
    {"order publish", "--order-file {files}/order.json --chain nosuch",
     kUnavailable, kNotFound},
    {"order unpublish", "--workerpool {pool} --wallet w --all --chain nosuch",
     kUnavailable, kNotFound},
    {"order cancel",
     "--order-file {files}/order.json --wallet w --chain nosuch", kUnavailable,
     kNotFound},
    {"orderbook workerpool", "{pool} --chain nosuch", kUnavailable, kNotFound},
    {"publisher set",
     "--workerpool {pool} --wallet w --core-metrics "
     "http://127.0.0.1:1/metrics --chain nosuch",
     kUnavailable, kNotFound},
    {"publisher status", "--workerpool {pool} --chain nosuch", kUnavailable,
     kNotFound},
    // orchestrator: a spec it refuses, pools it does not know.
    {"pool validate", "-f {files}/bad-spec.yaml", kUnavailable, kUsage},
    {"pool render", "-f {files}/bad-spec.yaml --out {home}/render",
     kUnavailable, kUsage},
    {"pool plan", "-f {files}/bad-spec.yaml", kUnavailable, kUsage},
    {"pool up", "-f {files}/bad-spec.yaml", kUnavailable, kUsage},
    {"pool up", "-f {files}/no-such-spec.yaml", kNotFound, kNotFound},
    {"pool down", "nosuch", kUnavailable, kNotFound},
    {"pool history", "nosuch", kUnavailable, kNotFound},
    {"pool rollback", "nosuch --to 1", kUnavailable, kNotFound},
    {"pool backup", "nosuch --out {home}/backups", kUnavailable, kNotFound},
    {"pool restore", "nosuch --from {home}/no-backup", kUnavailable, kUsage},
    {"pool stats", "nosuch --since 24h", kUnavailable, kNotFound},
    // monitor
    {"monitor pools", "", kUnavailable, 0},
    {"monitor add-pool", "p --core http://127.0.0.1:1 --rpc http://127.0.0.1:1",
     kUnavailable, 0},
    // Waits for the first round of probes (its first line), so that status
    // answers (pool p down: still exit 0, the answer is the status).
    {"monitor watch", "p --count 1", kUnavailable, 0},
    {"status", "p", kUnavailable, 0},
    {"status", "", kUnavailable, 0},
    {"monitor watch", "nosuch --count 1", kUnavailable, kNotFound},
    {"monitor remove-pool", "p", kUnavailable, 0},
    {"monitor probe", "http://127.0.0.1:1/ --timeout-ms 500", kUnavailable, 0},
    // The suite itself. With the suite down (addresses set explicitly) `up`
    // starts nothing and waits --timeout for it to answer.
    {"services status", "", 0, 0},
    {"services up", "--timeout 1", kDeadline, 0},
    {"services down", "", 0, 0},
};

// A bound that only catches hangs: the slowest case (the suite starting on
// a loaded machine) takes well under it.
constexpr unsigned kHangSeconds = 120;

struct Result {
  int code = -1;
  bool hung = false;
  std::string out, err;
  nlohmann::json json;  // discarded unless stdout is one JSON value
  std::string Describe() const {
    return absl::StrCat("exit ", code, hung ? " (killed: hung)" : "",
                        "\nstdout: ", out, "\nstderr: ", err);
  }
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The leaves of the tree, and each command's entry.
struct Tree {
  json global_options;
  std::map<std::string, json> commands;  // by path
  std::vector<std::string> leaves;
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/poolops-cmd-XXXXXX";  // short: socket paths
    home_ = ::mkdtemp(tmpl.data());
    files_ = home_ / "files";
    fs::create_directories(files_);
    ::setenv("POOLOPS_BIN_DIR", POOLOPS_BIN_DIR_PATH, 1);
    ::unsetenv("POOLOPS_HOME");
    WriteFixtures();
  }
  void TearDown() override {
    Run("services down");
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  void WriteFixtures() {
    std::ofstream(files_ / "pw") << "correct horse battery staple\n";
    std::ofstream(files_ / "key")
        << "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
           "\n";
    std::ofstream(files_ / "tx.json")
        << R"({"chainId":"1","nonce":"0","to":")" << kPool
        << R"(","value":"0","data":"0x","gas":"21000","gasPrice":"1"})";
    std::ofstream(files_ / "typed.json") << R"({"types":{"EIP712Domain":[
        {"name":"name","type":"string"}],"Mail":[{"name":"contents",
        "type":"string"}]},"domain":{"name":"poolops"},"primaryType":"Mail",
        "message":{"contents":"hello"}})";
    std::ofstream(files_ / "msg.txt") << "hello";
    std::ofstream(files_ / "order.json")
        << R"({"workerpool":")" << kPool
        << R"(","workerpoolprice":"0","volume":"1","tag":"0x0000000000000000000000000000000000000000000000000000000000000000","category":"0","trust":"0","apprestrict":"0x0000000000000000000000000000000000000000","datasetrestrict":"0x0000000000000000000000000000000000000000","requesterrestrict":"0x0000000000000000000000000000000000000000","salt":"0x0000000000000000000000000000000000000000000000000000000000000001","sign":"0x"})";
    std::ofstream(files_ / "chain.json")
        << R"({"default":"mine2","chains":{"mine2":{"id":"1","host":"http://127.0.0.1:1","hub":")"
        << kPool << R"("}}})";
    std::ofstream(files_ / "bad-spec.yaml")
        << "name: \"\"\nstack_version: v0\n";
  }

  // poolctl --home HOME ARGS (split on spaces); stdin /dev/null, no
  // controlling terminal (nothing may prompt), SIGALRM after kHangSeconds.
  Result Run(const std::string& args, const char* env = nullptr) {
    std::string expanded =
        absl::StrReplaceAll(args, {{"{files}", files_.string()},
                                   {"{home}", home_.string()},
                                   {"{pool}", kPool}});
    std::vector<std::string> argv = {POOLCTL_PATH, "--home", home_.string()};
    for (absl::string_view w : absl::StrSplit(expanded, ' ', absl::SkipEmpty()))
      argv.emplace_back(w);
    fs::path out = home_ / ".out", err = home_ / ".err";
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();
      std::FILE* in = std::freopen("/dev/null", "r", stdin);
      std::FILE* o = std::freopen(out.c_str(), "w", stdout);
      std::FILE* e = std::freopen(err.c_str(), "w", stderr);
      if (in == nullptr || o == nullptr || e == nullptr) ::_exit(126);
      for (const std::string& a : env_) ::putenv(const_cast<char*>(a.c_str()));
      if (env != nullptr) ::putenv(const_cast<char*>(env));
      std::vector<char*> cargv;
      for (std::string& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::alarm(kHangSeconds);  // kept across exec
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.hung = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
    r.out = Slurp(out);
    r.err = Slurp(err);
    r.json = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    return r;
  }

  Tree LoadTree() {
    Result r = Run("--json commands");
    Tree tree;
    EXPECT_EQ(r.code, 0) << r.Describe();
    if (!r.json.is_object()) {
      ADD_FAILURE() << "poolctl commands --json: " << r.Describe();
      return tree;
    }
    tree.global_options = r.json["globalOptions"];
    for (const json& c : r.json["commands"]) {
      std::string path = c["path"];
      tree.commands[path] = c;
      if (c["subcommands"].empty()) tree.leaves.push_back(path);
    }
    return tree;
  }

  // The --json contract for one run: one JSON object; on success exit 0 and
  // no "error"; on failure a non-empty message and the exit code of its
  // error code.
  static void ExpectJsonContract(const std::string& what, const Result& r) {
    ASSERT_FALSE(r.hung) << what << ": " << r.Describe();
    ASSERT_TRUE(r.json.is_object()) << what << ": " << r.Describe();
    if (r.code == 0) {
      EXPECT_FALSE(r.json.contains("error")) << what << ": " << r.Describe();
      return;
    }
    ASSERT_TRUE(r.json.contains("error")) << what << ": " << r.Describe();
    const json& e = r.json["error"];
    ASSERT_TRUE(e["code"].is_string() && e["message"].is_string())
        << what << ": " << r.Describe();
    EXPECT_FALSE(e["message"].get<std::string>().empty()) << what;
    auto it = kExitCodes.find(e["code"].get<std::string>());
    ASSERT_NE(it, kExitCodes.end()) << what << ": " << r.Describe();
    EXPECT_EQ(r.code, it->second) << what << ": " << r.Describe();
    // Only the JSON object on stdout; the message goes to stderr too.
    EXPECT_TRUE(absl::StrContains(r.err, "error:"))
        << what << ": " << r.Describe();
  }

  void RunEveryCase(bool suite_up) {
    for (const Case& c : kCases) {
      std::string what =
          absl::StrCat("poolctl --json ", c.path, " ", c.args,
                       suite_up ? " (suite up)" : " (suite down)");
      SCOPED_TRACE(what);
      Result r = Run(absl::StrCat("--json ", c.path, " ", c.args), c.env);
      ExpectJsonContract(what, r);
      EXPECT_EQ(r.code, suite_up ? c.up : c.down) << r.Describe();
    }
  }

  fs::path home_, files_;
  std::vector<std::string> env_;  // NAME=VALUE for every run
};

std::vector<std::string> Names(const json& option) {
  return absl::StrSplit(option["name"].get<std::string>(), ',');
}

bool HasFlag(const json& command, const std::string& flag) {
  for (const json& o : command["options"]) {
    for (const std::string& n : Names(o)) {
      if (n == flag) return true;
    }
  }
  return false;
}

TEST_F(CommandsTest, TheContractCommandsAndFlagsExist) {
  Tree tree = LoadTree();
  for (const ContractCommand& c : kContract) {
    auto it = tree.commands.find(c.path);
    ASSERT_NE(it, tree.commands.end())
        << "CLI.md names `poolctl " << c.path << "`: it is missing";
    for (const char* flag : c.flags)
      EXPECT_TRUE(HasFlag(it->second, flag)) << c.path << " lacks " << flag;
  }
  EXPECT_TRUE(tree.commands["pool up"]["aliases"].dump().find("apply") !=
              std::string::npos)
      << tree.commands["pool up"];
  json root = {{"options", tree.global_options}};
  for (const char* flag : kContractGlobalFlags)
    EXPECT_TRUE(HasFlag(root, flag)) << "global " << flag;
}

TEST_F(CommandsTest, EveryCommandHasACaseHere) {
  Tree tree = LoadTree();
  ASSERT_GT(tree.leaves.size(), 40u);  // the tree was read
  std::set<std::string> cased;
  for (const Case& c : kCases) cased.insert(c.path);
  for (const std::string& leaf : tree.leaves)
    EXPECT_TRUE(cased.count(leaf))
        << "`poolctl " << leaf << "` has no case in kCases: add one";
  for (const std::string& path : cased)
    EXPECT_TRUE(tree.commands.count(path) &&
                tree.commands[path]["subcommands"].empty())
        << "kCases names `" << path << "`, which is not a command";
}

TEST_F(CommandsTest, EveryCommandExplainsItselfInHelp) {
  Tree tree = LoadTree();
  for (const json& o : tree.global_options)
    EXPECT_FALSE(o["description"].get<std::string>().empty()) << o;
  for (const auto& [path, c] : tree.commands) {
    SCOPED_TRACE(path);
    std::string description = c["description"];
    EXPECT_FALSE(description.empty()) << "no description";
    for (const json& o : c["options"])
      EXPECT_FALSE(o["description"].get<std::string>().empty())
          << "option or positional without a description: " << o;
    Result help = Run(absl::StrCat(path, " --help"));
    ASSERT_EQ(help.code, 0) << help.Describe();
    // CLI11 prints the description first, wrapped as written.
    EXPECT_TRUE(absl::StrContains(help.out, description.substr(0, 40)))
        << help.out;
    for (const json& o : c["options"]) {
      if (o["hidden"]) continue;
      EXPECT_TRUE(absl::StrContains(help.out, Names(o).back())) << help.out;
      EXPECT_TRUE(absl::StrContains(
          help.out, o["description"].get<std::string>().substr(0, 20)))
          << o << "\n"
          << help.out;
    }
    for (const json& sub : c["subcommands"])
      EXPECT_TRUE(absl::StrContains(help.out, sub.get<std::string>()))
          << help.out;
  }
}

TEST_F(CommandsTest, UsageErrorsExit2WithTheJsonError) {
  Tree tree = LoadTree();
  for (const auto& [path, c] : tree.commands) {
    SCOPED_TRACE(path);
    Result bad = Run(absl::StrCat("--json ", path, " --no-such-flag"));
    ExpectJsonContract(path + " --no-such-flag", bad);
    EXPECT_EQ(bad.code, kUsage) << bad.Describe();
    bool needs_something = !c["subcommands"].empty();
    for (const json& o : c["options"])
      needs_something |= o["required"].get<bool>();
    // CLI11 names a missing required argument before an unexpected one.
    if (!needs_something) {
      EXPECT_TRUE(absl::StrContains(bad.json.dump(), "--no-such-flag"))
          << bad.Describe();
      continue;
    }
    // A group without its subcommand, a leaf without what it requires.
    Result bare = Run(absl::StrCat("--json ", path));
    ExpectJsonContract(path, bare);
    EXPECT_EQ(bare.code, kUsage) << bare.Describe();
    EXPECT_EQ(bare.json["error"]["code"], "INVALID_ARGUMENT")
        << bare.Describe();
  }
}

// The addresses are set explicitly, so poolctl starts nothing and every
// service call fails fast with UNAVAILABLE naming the address.
TEST_F(CommandsTest, EveryCommandWithTheSuiteDown) {
  for (const char* name :
       {"WALLET_VAULT", "CHAIN_GATEWAY", "ORCHESTRATOR", "MONITOR"}) {
    env_.push_back(absl::StrCat(
        "POOLOPS_", name, "_ADDRESS=unix:", home_.string(), "/nothing.sock"));
  }
  RunEveryCase(/*suite_up=*/false);
  Result r = Run("--json wallet list");
  EXPECT_TRUE(absl::StrContains(r.json.dump(), "nothing.sock")) << r.Describe();
  EXPECT_FALSE(fs::exists(home_ / "run" / "wallet-vault.json"));
}

// The first service command finds the suite down and starts it (progress on
// stderr); then every case runs against the empty suite.
TEST_F(CommandsTest, EveryCommandAgainstAFreshSuite) {
  Result first = Run("--json wallet list");
  ASSERT_EQ(first.code, 0) << first.Describe();
  EXPECT_EQ(first.json, json({{"wallets", json::array()}}));
  EXPECT_TRUE(absl::StrContains(first.err, "starting the local suite"))
      << first.err;
  RunEveryCase(/*suite_up=*/true);
}

// --json output is one JSON object whatever bytes a path or a message holds
// (a throwing dump aborted poolctl), and what reaches the terminal carries
// no escape sequence. All fail before any service is called.
TEST_F(CommandsTest, JsonAndTextSurviveInvalidUtf8AndEscapes) {
  std::string bad_dir = absl::StrCat("{files}/caf\xe9\xff");
  Result r = Run(absl::StrCat("--json chain import ", bad_dir, "/chain.json"));
  EXPECT_FALSE(r.hung);
  EXPECT_EQ(r.code, kNotFound) << r.Describe();
  ASSERT_TRUE(r.json.is_object()) << r.Describe();
  ASSERT_TRUE(r.json["error"]["message"].is_string()) << r.Describe();
  EXPECT_TRUE(absl::StrContains(r.json["error"]["message"].get<std::string>(),
                                "caf\xEF\xBF\xBD\xEF\xBF\xBD"))
      << r.Describe();
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1);  // one line, one object

  // A file that is not UTF-8: an error naming it, not an INTERNAL.
  std::ofstream(files_ / "latin1.json") << "{\"default\":\"caf\xe9\"}";
  r = Run("--json chain import {files}/latin1.json");
  EXPECT_EQ(r.code, kUsage) << r.Describe();
  EXPECT_EQ(r.json["error"]["code"], "INVALID_ARGUMENT") << r.Describe();
  EXPECT_TRUE(absl::StrContains(r.json["error"]["message"].get<std::string>(),
                                "latin1.json is not UTF-8 text"))
      << r.Describe();

  // Human mode: the message reaches stderr without its escape sequences.
  r = Run("chain import {files}/\x1b[2J\x1b]0;title\x07x.json");
  EXPECT_EQ(r.code, kNotFound) << r.Describe();
  EXPECT_TRUE(absl::StrContains(r.err, "x.json")) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x07'), std::string::npos) << r.err;
}

// `wallet list` says why a wallet is locked (the operator's lock wins), and
// `wallet policy set --typed-data-rule` reaches the vault, which then refuses
// EIP-191 messages (the policy has rules, no --allow-messages).
TEST_F(CommandsTest, WalletLockReasonsAndTypedDataRules) {
  Result r =
      Run("--json wallet import core --private-key-file {files}/key "
          "--password-file {files}/pw");
  ASSERT_EQ(r.code, 0) << r.Describe();
  r = Run("--json wallet list");
  ASSERT_EQ(r.code, 0) << r.Describe();
  EXPECT_EQ(r.json["wallets"][0]["lockReason"], "not-unlocked") << r.out;
  ASSERT_EQ(Run("wallet unlock core --password-file {files}/pw").code, 0);
  r = Run("--json wallet list");
  EXPECT_TRUE(r.json["wallets"][0]["lockReason"].is_null()) << r.out;
  r = Run("--json wallet lock core");
  ASSERT_EQ(r.code, 0) << r.Describe();
  EXPECT_EQ(r.json["lockReason"], "operator") << r.out;
  EXPECT_TRUE(r.json["lockedAt"].is_string()) << r.out;
  r = Run("wallet list");
  EXPECT_TRUE(absl::StrContains(r.out, "locked by the operator")) << r.out;

  r =
      Run("--json wallet policy set core --chain-id 134 --typed-data-rule "
          "primaryType=WorkerpoolOrder,domain.name=iExecODB,domain.chainId=134,"
          "message.workerpool={pool}");
  ASSERT_EQ(r.code, 0) << r.Describe();
  const json& rule = r.json["policy"]["typedDataRules"][0];
  EXPECT_EQ(rule["primaryType"], "WorkerpoolOrder") << r.out;
  EXPECT_EQ(rule["domain"]["chainId"], "134") << r.out;
  EXPECT_EQ(rule["message"]["workerpool"], kPool) << r.out;
  EXPECT_EQ(r.json["policy"]["allowMessages"], false) << r.out;
  ASSERT_EQ(Run("wallet unlock core --password-file {files}/pw").code, 0);
  r = Run("--json wallet sign-message core --message-file {files}/msg.txt");
  EXPECT_EQ(r.code, 5) << r.Describe();  // PERMISSION_DENIED
  EXPECT_TRUE(absl::StrContains(r.out, "policy allow_messages")) << r.out;
  r = Run("--json wallet policy set core --typed-data-rule nokey");
  EXPECT_EQ(r.code, kUsage) << r.Describe();
  EXPECT_TRUE(absl::StrContains(r.out, "--typed-data-rule #1")) << r.out;
}

}  // namespace
