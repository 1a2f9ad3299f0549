#include "libs/iexec/chain_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops::iexec {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(ChainPresetsTest, KnowsThePublicChains) {
  std::optional<ChainPreset> b = FindChainPreset("bellecour");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->chain_id, 134u);
  EXPECT_TRUE(b->native);
  EXPECT_EQ(b->hub.ToChecksum(), "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f");
  std::optional<ChainPreset> a = FindChainPreset("arbitrum-mainnet");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->chain_id, 42161u);
  EXPECT_FALSE(a->native);
  EXPECT_EQ(FindChainPreset("arbitrum-sepolia-testnet")->chain_id, 421614u);
  EXPECT_FALSE(FindChainPreset("devnet").has_value());
  EXPECT_EQ(ChainPresets().size(), 3u);
}

TEST(SdkChainEntryTest, RoundTrips) {
  json in = {{"id", "65535"},
             {"host", "http://127.0.0.1:8545"},
             {"hub", "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"},
             {"native", true},
             {"useGas", false},
             {"iexecGateway", "http://127.0.0.1:3000"},
             {"sms", "http://127.0.0.1:13300"}};
  absl::StatusOr<SdkChainEntry> e = ParseSdkChainEntry(in, "c: chains.devnet");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(*e->id, 65535u);
  EXPECT_EQ(*e->host, "http://127.0.0.1:8545");
  EXPECT_EQ(e->hub->ToChecksum(), "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_TRUE(*e->native);
  EXPECT_FALSE(*e->use_gas);
  EXPECT_EQ(*e->iexec_gateway, "http://127.0.0.1:3000");

  json out = SdkChainEntryToJson(*e);
  EXPECT_EQ(out["id"], "65535");  // the SDK wants a string
  EXPECT_EQ(out["hub"], "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
  EXPECT_FALSE(out.contains("sms"));  // the SDK's own keys are not kept
  absl::StatusOr<SdkChainEntry> again = ParseSdkChainEntry(out, "again");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *e);

  // Absent fields stay absent both ways.
  absl::StatusOr<SdkChainEntry> empty = ParseSdkChainEntry(json::object(), "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, SdkChainEntry{});
  EXPECT_EQ(SdkChainEntryToJson(*empty), json::object());
}

TEST(SdkChainEntryTest, BadInputNamesTheKey) {
  struct Case {
    json entry;
    const char* message;
  };
  const Case cases[] = {
      {json::array(), "w must be an object"},
      {{{"id", 134}}, "w.id must be a string of digits"},
      {{{"id", "0"}}, "w.id must be a string of digits"},
      {{{"id", "abc"}}, "w.id must be a string of digits"},
      {{{"host", "ftp://x"}}, "w.host must be an http(s) URL"},
      {{{"host", 1}}, "w.host must be an http(s) URL"},
      {{{"iexecGateway", "file:///etc"}}, "w.iexecGateway must be an http(s)"},
      {{{"hub", "0x12"}}, "w.hub must be an address"},
      {{{"hub", 5}}, "w.hub must be an address"},
      {{{"native", "yes"}}, "w.native must be true or false"},
      {{{"useGas", 0}}, "w.useGas must be true or false"},
      {{{"rpc", "http://x"}}, "w.rpc is not a chain.json key (Unknown key)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SdkChainEntry> e = ParseSdkChainEntry(c.entry, "w");
    ASSERT_FALSE(e.ok()) << c.entry.dump();
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(e.status().message()), HasSubstr(c.message))
        << c.entry.dump();
  }
}

}  // namespace
}  // namespace poolops::iexec
