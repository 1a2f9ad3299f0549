#include "services/chain/gateway/chain_registry.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/test_util.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

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
  json doc = json::parse(*files::ReadFile(home.path() / "chains/mychain.json", 1 << 20));
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
  EXPECT_NE(r.Add(c, false).status().message().find("Bad Name"), std::string::npos);
  c.name = "ok";
  c.rpcs = {"ftp://x"};
  EXPECT_NE(r.Add(c, false).status().message().find("ftp://x"), std::string::npos);
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

TEST(ChainRegistry, ImportRejectsWhatTheSdkRejects) {
  test::TempDir home;
  ChainRegistry r(home.path());
  auto err = [&](const char* text) {
    return std::string(r.Import(json::parse(text), "c.json").status().message());
  };
  EXPECT_NE(err(R"({"chains":{"x":{"id":65535,"host":"http://a","hub":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"}}})")
                .find("chains.x.id"), std::string::npos);
  EXPECT_NE(err(R"({"chains":{"x":{"id":"1","host":"http://a","hub":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512","foo":1}}})")
                .find("chains.x.foo"), std::string::npos);
  EXPECT_NE(err(R"({"chains":{"x":{"id":"1","hub":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"}}})")
                .find("host"), std::string::npos);
  EXPECT_NE(err(R"({"bogus":1,"chains":{}})").find("bogus"), std::string::npos);
  EXPECT_NE(err(R"({"default":"nowhere","chains":{}})").find("nowhere"), std::string::npos);
}

TEST(ChainRegistry, ReadsTheDevnetChainFile) {
  test::TempDir home;
  std::filesystem::create_directories(home.path() / "chains");
  ASSERT_TRUE(files::WriteFileAtomic(home.path() / "chains/devnet.json", R"({
    "default": "devnet", "chains": {"devnet": {"id": "65535",
    "host": "http://127.0.0.1:8545", "hub": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    "useGas": false, "native": true, "iexecGateway": "http://127.0.0.1:9"}}})", 0600).ok());
  ASSERT_TRUE(files::WriteFileAtomic(home.path() / "chains/default", "devnet\n", 0600).ok());
  ChainRegistry r(home.path());
  absl::StatusOr<ChainConfig> d = r.Get("");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->origin, "devnet");
  EXPECT_EQ(d->rpcs[0], "http://127.0.0.1:8545");
  EXPECT_EQ(r.List()->size(), 4u);
}

}  // namespace
}  // namespace poolops::chain
