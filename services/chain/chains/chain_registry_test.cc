#include "services/chain/chains/chain_registry.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/temp_dir_test_support.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

ChainConfig Custom(std::string name) {
  ChainConfig c;
  c.name = std::move(name);
  c.chain_id = 1337;
  c.rpcs = {"http://127.0.0.1:1"};
  c.hub = *eth::Address::Parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  return c;
}

TEST(ChainRegistry, PresetsAndDefault) {
  test::TempDir home;
  ChainRegistry r(home.path());
  absl::StatusOr<ChainConfig> b = r.Get("");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->name, "bellecour");
  EXPECT_EQ(b->chain_id, 134u);
  EXPECT_TRUE(b->native);
  EXPECT_TRUE(b->zero_gas_price);
  EXPECT_EQ(b->fee_mode, FeeMode::kLegacy);
  EXPECT_EQ(b->hub.ToChecksum(), "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  absl::StatusOr<ChainConfig> arb = r.Get("arbitrum-mainnet");
  ASSERT_TRUE(arb.ok());
  EXPECT_EQ(arb->chain_id, 42161u);
  EXPECT_FALSE(arb->native);
  EXPECT_EQ(arb->fee_mode, FeeMode::kEip1559);
  absl::StatusOr<ChainConfig> sep = r.Get("arbitrum-sepolia-testnet");
  ASSERT_TRUE(sep.ok());
  EXPECT_EQ(sep->chain_id, 421614u);
  EXPECT_EQ(r.List()->size(), 3u);
}

TEST(ChainRegistry, UnknownChainNamesTheKnownOnes) {
  test::TempDir home;
  ChainRegistry r(home.path());
  absl::Status s = r.Get("nope").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("bellecour"), std::string::npos) << s;
}

TEST(ChainRegistry, AddWritesAnSdkChainJsonAndExtras) {
  test::TempDir home;
  ChainRegistry r(home.path());
  ChainConfig c;
  c.name = "mychain";
  c.chain_id = 1337;
  c.rpcs = {"http://127.0.0.1:1", "http://127.0.0.1:2"};
  c.hub = *eth::Address::Parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  c.native = true;
  c.zero_gas_price = true;
  c.market = "http://127.0.0.1:3";
  c.confirmations = 2;
  ASSERT_TRUE(r.Add(c, /*make_default=*/true).ok());
  EXPECT_EQ(*r.DefaultName(), "mychain");
  absl::StatusOr<ChainConfig> back = r.Get("");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->rpcs, c.rpcs);
  EXPECT_EQ(back->confirmations, 2u);
  EXPECT_EQ(back->market, c.market);
  EXPECT_TRUE(back->native);
  EXPECT_EQ(back->origin, "custom");
  // The file is an SDK chain.json: id as a string, no poolops-only keys.
  json doc = json::parse(
      *files::ReadFile(home.path() / "chains/mychain.json", 1 << 20));
  EXPECT_EQ(doc["chains"]["mychain"]["id"], "1337");
  EXPECT_FALSE(doc["chains"]["mychain"].contains("fallbackRpcs"));
  struct stat st;
  ASSERT_EQ(stat((home.path() / "chains/mychain.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(r.Add(c, false).status().code(), absl::StatusCode::kAlreadyExists);
  c.name = "bellecour";
  EXPECT_EQ(r.Add(c, false).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(ChainRegistry, AddRejectsBadInputNamingIt) {
  test::TempDir home;
  ChainRegistry r(home.path());
  ChainConfig c;
  c.name = "Bad Name";
  c.chain_id = 1;
  c.rpcs = {"http://x"};
  c.hub = *eth::Address::Parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_NE(r.Add(c, false).status().message().find("Bad Name"),
            std::string::npos);
  c.name = "ok";
  c.rpcs = {"ftp://x"};
  EXPECT_NE(r.Add(c, false).status().message().find("ftp://x"),
            std::string::npos);
  c.rpcs = {"http://x"};
  c.hub = eth::Address();
  EXPECT_NE(r.Add(c, false).status().message().find("hub"), std::string::npos);
}

TEST(ChainRegistry, ImportsAnSdkChainJson) {
  test::TempDir home;
  ChainRegistry r(home.path());
  json doc = json::parse(R"({
    "default": "dev",
    "chains": {
      "bellecour": {},
      "mainnet": {},
      "dev": {"id": "65535", "host": "http://127.0.0.1:8545",
              "hub": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
              "native": true, "useGas": false,
              "iexecGateway": "http://127.0.0.1:3000", "sms": "http://x"}
    }})");
  absl::StatusOr<std::vector<ChainConfig>> got = r.Import(doc, "chain.json");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->size(), 2u);  // mainnet is not a poolops chain
  absl::StatusOr<ChainConfig> dev = r.Get("");
  ASSERT_TRUE(dev.ok()) << dev.status();
  EXPECT_EQ(dev->name, "dev");
  EXPECT_EQ(dev->chain_id, 65535u);
  EXPECT_TRUE(dev->native);
  EXPECT_TRUE(dev->zero_gas_price);
  EXPECT_EQ(dev->market, "http://127.0.0.1:3000");
}

// SDK 9's chain.json has no native/useGas (it knows only Arbitrum's kind of
// chain): its entries are token chains with EIP-1559 fees.
TEST(ChainRegistry, Sdk9ChainJsonImportsTokenChainsWithEip1559Fees) {
  test::TempDir home;
  ChainRegistry r(home.path());
  json doc = json::parse(R"({
    "default": "arb-dev", "allowExperimentalNetworks": true,
    "chains": {
      "bellecour": {},
      "arb-dev": {"id": "412346", "host": "http://127.0.0.1:8545",
                  "hub": "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0",
                  "iexecGateway": "http://127.0.0.1:3000",
                  "sms": {"tdx": "http://127.0.0.1:5000"},
                  "compass": "http://127.0.0.1:7000",
                  "pocoSubgraph": "http://127.0.0.1:8000",
                  "ipfsGateway": "http://127.0.0.1:9000"}
    }})");
  EXPECT_TRUE(IsSdk9ChainJson(doc));
  absl::StatusOr<std::vector<ChainConfig>> got = r.Import(doc, "chain.json");
  ASSERT_TRUE(got.ok()) << got.status();
  absl::StatusOr<ChainConfig> arb = r.Get("arb-dev");
  ASSERT_TRUE(arb.ok()) << arb.status();
  EXPECT_EQ(arb->fee_mode, FeeMode::kEip1559);
  EXPECT_FALSE(arb->native);
  EXPECT_FALSE(arb->zero_gas_price);
  EXPECT_EQ(*r.DefaultName(), "arb-dev");
  // The preset's empty entry keeps the preset as it is.
  absl::StatusOr<ChainConfig> bellecour = r.Get("bellecour");
  ASSERT_TRUE(bellecour.ok());
  EXPECT_TRUE(bellecour->native);
  EXPECT_EQ(bellecour->fee_mode, FeeMode::kLegacy);
}

TEST(ChainRegistry, Sdk8ChainJsonKeepsItsDefaults) {
  const char* kEntry =
      R"("id": "412346", "host": "http://127.0.0.1:8545",
         "hub": "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0")";
  // Keys only SDK 8 knows make the file SDK 8's.
  for (std::string extra :
       {std::string(R"(, "resultProxy": "http://127.0.0.1:1")"),
        std::string(R"(, "native": false)"),
        std::string(R"(, "useGas": true)")}) {
    SCOPED_TRACE(extra);
    test::TempDir home;
    ChainRegistry r(home.path());
    json doc = json::parse(
        absl::StrCat(R"({"chains": {"tok": {)", kEntry, extra, "}}}"));
    EXPECT_FALSE(IsSdk9ChainJson(doc));
    ASSERT_TRUE(r.Import(doc, "chain.json").ok());
    absl::StatusOr<ChainConfig> tok = r.Get("tok");
    ASSERT_TRUE(tok.ok()) << tok.status();
    EXPECT_EQ(tok->fee_mode, FeeMode::kLegacy);
    EXPECT_FALSE(tok->native);
  }
  EXPECT_FALSE(IsSdk9ChainJson(json::parse(absl::StrCat(
      R"({"providers": {}, "chains": {"tok": {)", kEntry, "}}}"))));

  // A legacy chain met again in an SDK 9 file: what would change is said.
  test::TempDir home;
  ChainRegistry r(home.path());
  ASSERT_TRUE(r.Add(Custom("mine"), false).ok());
  json sdk9 = {{"chains",
                {{"mine",
                  {{"id", "1337"},
                   {"host", "http://127.0.0.1:1"},
                   {"hub", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"}}}}}};
  absl::Status s = r.Import(sdk9, "sdk9.json").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("fee mode: legacy -> eip1559"), std::string::npos)
      << s;
}

TEST(ChainRegistry, ImportRejectsWhatTheSdkRejects) {
  test::TempDir home;
  ChainRegistry r(home.path());
  auto err = [&](const char* text) {
    return std::string(
        r.Import(json::parse(text), "c.json").status().message());
  };
  EXPECT_NE(
      err(R"({"chains":{"x":{"id":65535,"host":"http://a","hub":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"}}})")
          .find("chains.x.id"),
      std::string::npos);
  EXPECT_NE(
      err(R"({"chains":{"x":{"id":"1","host":"http://a","hub":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512","foo":1}}})")
          .find("chains.x.foo"),
      std::string::npos);
  EXPECT_NE(
      err(R"({"chains":{"x":{"id":"1","hub":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"}}})")
          .find("host"),
      std::string::npos);
  EXPECT_NE(err(R"({"bogus":1,"chains":{}})").find("bogus"), std::string::npos);
  EXPECT_NE(err(R"({"default":"nowhere","chains":{}})").find("nowhere"),
            std::string::npos);
}

TEST(ChainRegistry, ReadsTheDevnetChainFile) {
  test::TempDir home;
  std::filesystem::create_directories(home.path() / "chains");
  ASSERT_TRUE(files::WriteFileAtomic(home.path() / "chains/devnet.json", R"({
    "default": "devnet", "chains": {"devnet": {"id": "65535",
    "host": "http://127.0.0.1:8545", "hub": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    "useGas": false, "native": true, "iexecGateway": "http://127.0.0.1:9"}}})",
                                     0600)
                  .ok());
  ASSERT_TRUE(
      files::WriteFileAtomic(home.path() / "chains/default", "devnet\n", 0600)
          .ok());
  ChainRegistry r(home.path());
  absl::StatusOr<ChainConfig> d = r.Get("");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->origin, "devnet");
  EXPECT_EQ(d->rpcs[0], "http://127.0.0.1:8545");
  EXPECT_EQ(r.List()->size(), 4u);
}

TEST(ChainRegistry, ChainNamesAreIdentifiers) {
  for (const char* ok : {"a", "devnet", "my_chain-2", "0x"}) {
    EXPECT_TRUE(IsValidChainName(ok)) << ok;
  }
  for (std::string bad :
       {std::string(), std::string("."), std::string(".."), std::string("a.b"),
        std::string("a/b"), std::string("../x"), std::string("-x"),
        std::string("_x"), std::string("A"), std::string("a\nb"),
        std::string("a\x1b[2J"), std::string("a b"), std::string(65, 'a'),
        std::string("caf\xc3\xa9")}) {
    EXPECT_FALSE(IsValidChainName(bad)) << bad;
  }
  test::TempDir home;
  ChainRegistry r(home.path());
  for (const char* bad : {"..", ".", "a/b", "a.b", ""}) {
    absl::Status s = r.Add(Custom(bad), false).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    json doc = {{"chains", {{bad, ChainToSdkEntry(Custom("x"))}}}};
    absl::Status imported = r.Import(doc, "c.json").status();
    EXPECT_EQ(imported.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(imported.message().find("is not a valid chain name"),
              std::string::npos)
        << imported;
    if (*bad != '\0')  // "" asks for the default chain
      EXPECT_EQ(r.Get(bad).status().code(), absl::StatusCode::kInvalidArgument)
          << bad;
  }
  // Nothing landed outside (or inside) chains/.
  EXPECT_FALSE(std::filesystem::exists(home.path() / "chains"));
}

TEST(ChainRegistry, ImportNeverSilentlyReplacesAPresetOrAChain) {
  test::TempDir home;
  ChainRegistry r(home.path());
  // A preset overridden by a chain.json: refused, naming it and the change.
  json evil = json::parse(R"({"chains": {"bellecour": {
      "host": "https://evil.example/rpc", "iexecGateway": "https://evil.example"}}})");
  absl::Status s = r.Import(evil, "evil.json").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("chain \"bellecour\" (preset) would change: rpc: "
                             "https://bellecour.iex.ec -> "
                             "https://evil.example/rpc"),
            std::string::npos)
      << s;
  EXPECT_NE(s.message().find("--replace"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(home.path() / "chains/bellecour.json"));
  EXPECT_EQ(r.Get("bellecour")->rpcs[0], "https://bellecour.iex.ec");

  // An existing chain: the same entry again is fine (nothing changes), a
  // different one is refused and nothing of the document is written.
  ASSERT_TRUE(r.Add(Custom("mine"), false).ok());
  json same = {{"chains", {{"mine", ChainToSdkEntry(Custom("mine"))}}}};
  absl::StatusOr<std::vector<ChainConfig>> again = r.Import(same, "same.json");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)[0].changes.empty());
  ChainConfig moved = Custom("mine");
  moved.chain_id = 1;
  json doc = {{"default", "fresh"},
              {"chains",
               {{"mine", ChainToSdkEntry(moved)},
                {"fresh", ChainToSdkEntry(Custom("fresh"))}}}};
  s = r.Import(doc, "other.json").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("chain \"mine\" (custom) would change: chain id: "
                             "1337 -> 1"),
            std::string::npos)
      << s;
  EXPECT_EQ(r.Get("fresh").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*r.DefaultName(), "bellecour");

  // With replace: done, and the answer says what changed.
  absl::StatusOr<std::vector<ChainConfig>> replaced =
      r.Import(doc, "other.json", /*replace=*/true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  for (const ChainConfig& c : *replaced) {
    if (c.name == "mine") {
      EXPECT_EQ(c.changes, std::vector<std::string>{"chain id: 1337 -> 1"});
    } else {
      EXPECT_TRUE(c.changes.empty()) << c.name;  // new
    }
  }
  EXPECT_EQ(r.Get("mine")->chain_id, 1u);
  EXPECT_EQ(*r.DefaultName(), "fresh");
}

TEST(ChainRegistry, AddWithReplaceSaysWhatChanged) {
  test::TempDir home;
  ChainRegistry r(home.path());
  ChainConfig c = Custom("bellecour");
  absl::Status s = r.Add(c, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("chain \"bellecour\" already exists (preset)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.message().find("chain id: 134 -> 1337"), std::string::npos) << s;
  absl::StatusOr<ChainConfig> added = r.Add(c, false, /*replace=*/true);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_NE(std::find(added->changes.begin(), added->changes.end(),
                      "chain id: 134 -> 1337"),
            added->changes.end());
  EXPECT_EQ(r.Get("bellecour")->chain_id, 1337u);
}

// One malformed file under chains/ never breaks the list: it is listed as
// broken, naming the file, and the others are still there.
TEST(ChainRegistry, ListShowsBrokenFilesWithoutFailing) {
  test::TempDir home;
  ChainRegistry r(home.path());
  ASSERT_TRUE(r.Add(Custom("good"), false).ok());
  std::filesystem::path dir = home.path() / "chains";
  ASSERT_TRUE(
      files::WriteFileAtomic(dir / "truncated.json", "{\"chains\":", 0600)
          .ok());
  ASSERT_TRUE(files::WriteFileAtomic(
                  dir / "deep.json",
                  std::string(400'000, '[') + std::string(400'000, ']'), 0600)
                  .ok());
  ASSERT_TRUE(files::WriteFileAtomic(dir / "other.json",
                                     R"({"chains":{"someone-else":{}}})", 0600)
                  .ok());
  ASSERT_TRUE(files::WriteFileAtomic(dir / "my.chain.json", "{}", 0600).ok());
  ASSERT_TRUE(
      files::WriteFileAtomic(dir / "bad\xff\x1b[2J.json", "{}", 0600).ok());
  absl::StatusOr<std::vector<ChainConfig>> list = r.List();
  ASSERT_TRUE(list.ok()) << list.status();
  std::map<std::string, ChainConfig> by_name;
  for (const ChainConfig& c : *list) by_name[c.name] = c;
  EXPECT_EQ(by_name["good"].origin, "custom");
  EXPECT_EQ(by_name["bellecour"].origin, "preset");
  for (const char* broken :
       {"truncated", "deep", "other", "my.chain", "bad\xEF\xBF\xBD"}) {
    SCOPED_TRACE(broken);
    ASSERT_EQ(by_name.count(broken), 1u);
    EXPECT_EQ(by_name[broken].origin, "broken");
    EXPECT_NE(by_name[broken].error.find("chains/"), std::string::npos)
        << by_name[broken].error;
  }
  EXPECT_NE(by_name["deep"].error.find("JSON nested deeper than"),
            std::string::npos);
  EXPECT_NE(by_name["my.chain"].error.find("is not a valid chain name"),
            std::string::npos);
  EXPECT_EQ(list->size(), 4u + 5u);
}

}  // namespace
}  // namespace poolops::chain
