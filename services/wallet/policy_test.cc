#include "services/wallet/policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

using ::testing::HasSubstr;

constexpr char kHub[] = "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f";

TEST(PolicyTest, TextAndJsonRoundTrip) {
  PolicyText text;
  text.allowed_chain_ids = {"134", "0x10", "134"};
  text.allowed_to = {"0x3eca1b216a7df1c7689aeb259ffb83adfb894e7f"};
  text.max_value_wei = "1000";
  text.allowed_domain_names = {"iExecODB"};
  text.allowed_verifying_contracts = {kHub};
  absl::StatusOr<Policy> p = PolicyFromText(text);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->allowed_chain_ids.size(), 2u) << "deduplicated";
  PolicyText back = PolicyToText(*p);
  EXPECT_EQ(back.allowed_chain_ids, (std::vector<std::string>{"134", "16"}));
  EXPECT_EQ(back.allowed_to, std::vector<std::string>{kHub});
  EXPECT_EQ(back.max_value_wei, "1000");
  absl::StatusOr<Policy> again = PolicyFromJson(PolicyToJson(*p));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *p);
  EXPECT_TRUE(PolicyFromJson(nlohmann::json())->empty());
  EXPECT_TRUE(PolicyFromText({})->empty());
}

TEST(PolicyTest, BadEntriesNameTheField) {
  auto bad = [](PolicyText t, std::string_view field) {
    absl::StatusOr<Policy> p = PolicyFromText(t);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(p.status().message(), HasSubstr(field));
  };
  bad(
      [] {
        PolicyText t;
        t.allowed_chain_ids = {"abc"};
        return t;
      }(),
      "allowed_chain_ids[0]");
  bad(
      [] {
        PolicyText t;
        t.allowed_chain_ids = {"1", "0"};
        return t;
      }(),
      "allowed_chain_ids[1]");
  bad(
      [] {
        PolicyText t;
        t.allowed_to = {kHub, "0x12"};
        return t;
      }(),
      "allowed_to[1]");
  bad(
      [] {
        PolicyText t;
        t.max_value_wei = "-5";
        return t;
      }(),
      "max_value_wei");
  bad(
      [] {
        PolicyText t;
        t.allowed_domain_names = {""};
        return t;
      }(),
      "allowed_domain_names[0]");
  bad(
      [] {
        PolicyText t;
        t.allowed_verifying_contracts = {"nope"};
        return t;
      }(),
      "allowed_verifying_contracts[0]");
  EXPECT_EQ(PolicyFromJson(nlohmann::json{{"allowedTo", 5}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PolicyTest, TypedDataRulesNeedTheFieldTheyCheck) {
  Policy p;
  p.allowed_domain_names = {"iExecODB"};
  eth::eip712::DomainInfo nameless;
  auto r = CheckTypedData(p, "core", nameless);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, "allowed_domain_names");
  EXPECT_EQ(r->status.code(), absl::StatusCode::kPermissionDenied);

  auto domain = [](std::string name, std::string contract, std::string chain) {
    eth::eip712::DomainInfo d;
    d.name = std::move(name);
    d.verifying_contract = std::move(contract);
    d.chain_id = std::move(chain);
    return d;
  };
  Policy q;
  q.allowed_verifying_contracts = {*eth::Address::Parse(kHub)};
  r = CheckTypedData(q, "core", domain("iExecODB", "", ""));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, "allowed_verifying_contracts");
  EXPECT_FALSE(CheckTypedData(q, "core", domain("", kHub, "")).has_value());

  // A chain rule does not refuse a domain without a chainId.
  Policy c;
  c.allowed_chain_ids = {eth::U256(134)};
  EXPECT_FALSE(CheckTypedData(c, "core", {}).has_value());
  EXPECT_TRUE(CheckTypedData(c, "core", domain("", "", "1")).has_value());
}

}  // namespace
}  // namespace poolops::wallet
