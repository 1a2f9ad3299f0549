#include "services/wallet/policy.h"

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/wallet/vault_test_support.h"

namespace poolops::wallet {
namespace {

using ::testing::HasSubstr;

using vault_testing::kHub;

Policy Chains134() {
  Policy p;
  p.allowed_chain_ids = {eth::U256(134)};
  return p;
}

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
  const nlohmann::json none;
  Policy p;
  p.allowed_domain_names = {"iExecODB"};
  eth::eip712::DomainInfo nameless;
  auto r = CheckTypedData(p, "core", nameless, "Mail", none);
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
  r = CheckTypedData(q, "core", domain("iExecODB", "", ""), "Mail", none);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, "allowed_verifying_contracts");
  EXPECT_FALSE(CheckTypedData(q, "core", domain("", kHub, ""), "Mail", none)
                   .has_value());

  // A chain rule refuses a domain without a chainId: its signature would be
  // valid on every chain (fail closed).
  Policy c;
  c.allowed_chain_ids = {eth::U256(134)};
  r = CheckTypedData(c, "core", {}, "Mail", none);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, "allowed_chain_ids");
  EXPECT_THAT(r->status.message(), HasSubstr("without a chainId"));
  EXPECT_TRUE(
      CheckTypedData(c, "core", domain("", "", "1"), "Mail", none).has_value());
  EXPECT_FALSE(CheckTypedData(c, "core", domain("", "", "134"), "Mail", none)
                   .has_value());
}

constexpr char kPool[] = "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db";

nlohmann::json Order(std::string workerpool) {
  return {{"types",
           {{"WorkerpoolOrder",
             {{{"name", "workerpool"}, {"type", "address"}},
              {{"name", "workerpoolprice"}, {"type", "uint256"}},
              {{"name", "volume"}, {"type", "uint256"}}}}}},
          {"primaryType", "WorkerpoolOrder"},
          {"domain", {}},
          {"message",
           {{"workerpool", workerpool},
            {"workerpoolprice", "0"},
            {"volume", 1000000}}}};
}

nlohmann::json Challenge(std::string fields_type = "string") {
  return {{"types",
           {{"Challenge", {{{"name", "challenge"}, {"type", fields_type}}}}}},
          {"primaryType", "Challenge"},
          {"domain", {}},
          {"message", {{"challenge", "xyz"}}}};
}

eth::eip712::DomainInfo Odb(std::string chain = "134",
                            std::string contract = kHub) {
  return {"iExecODB", "5.0.0", std::move(chain), std::move(contract)};
}

// The publishing owner's policy: its workerpool's orders under the hub's
// domain, and the market's Challenge.
Policy PublisherPolicy() {
  PolicyText t;
  t.allowed_chain_ids = {"134"};
  t.allowed_to = {kHub};
  TypedDataRuleText order;
  order.primary_type = "WorkerpoolOrder";
  order.domain_name = "iExecODB";
  order.domain_version = "5.0.0";
  order.domain_chain_id = "134";
  order.domain_verifying_contract = kHub;
  order.message = {{"workerpool", absl::AsciiStrToLower(kPool)}};
  TypedDataRuleText challenge;
  challenge.primary_type = "Challenge";
  challenge.domain_name = "iExec Gateway";
  challenge.domain_version = "1";
  challenge.domain_chain_id = "134";
  challenge.encode_type = "Challenge(string challenge)";
  t.typed_data_rules = {order, challenge};
  absl::StatusOr<Policy> p = PolicyFromText(t);
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

TEST(PolicyTest, RulesPinDomainPrimaryTypeAndMessageFields) {
  Policy p = PublisherPolicy();
  // The pool's own order, address in another case: allowed.
  EXPECT_FALSE(CheckTypedData(p, "owner", Odb(), "WorkerpoolOrder",
                              Order(absl::AsciiStrToLower(kPool)))
                   .has_value());
  EXPECT_FALSE(
      CheckTypedData(p, "owner", Odb(), "WorkerpoolOrder", Order(kPool))
          .has_value());
  // Another workerpool's order, another hub, another chain, a domain without
  // a verifying contract, another version: refused, saying why.
  auto refused = [&](const eth::eip712::DomainInfo& d, std::string_view type,
                     const nlohmann::json& td, std::string_view why) {
    auto r = CheckTypedData(p, "owner", d, type, td);
    ASSERT_TRUE(r.has_value()) << why;
    EXPECT_EQ(r->status.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(r->status.message(), HasSubstr(why));
    EXPECT_THAT(r->status.message(), HasSubstr("for wallet owner"));
  };
  refused(Odb(), "WorkerpoolOrder",
          Order("0x0000000000000000000000000000000000000001"),
          "message.workerpool is not");
  refused(Odb("134", "0x0000000000000000000000000000000000000002"),
          "WorkerpoolOrder", Order(kPool), "domain verifyingContract");
  refused(Odb("134", ""), "WorkerpoolOrder", Order(kPool),
          "no domain verifyingContract");
  refused(Odb("1"), "WorkerpoolOrder", Order(kPool), "chain 1 not allowed");
  eth::eip712::DomainInfo v4 = Odb();
  v4.version = "4.0.0";
  refused(v4, "WorkerpoolOrder", Order(kPool), "domain version");
  // A request order (or any other type) under the hub's domain: refused.
  refused(Odb(), "RequestOrder", Order(kPool), "matches no rule");
  // The market Challenge: allowed in its exact shape only.
  eth::eip712::DomainInfo gateway{"iExec Gateway", "1", "134", ""};
  EXPECT_FALSE(CheckTypedData(p, "owner", gateway, "Challenge", Challenge())
                   .has_value());
  refused(gateway, "Challenge", Challenge("bytes32"), "expected shape");
  nlohmann::json wider = Challenge();
  wider["types"]["Challenge"].push_back(
      {{"name", "workerpool"}, {"type", "address"}});
  refused(gateway, "Challenge", wider, "expected shape");
  // A "Challenge" under the hub's domain is no order and no challenge.
  refused(Odb(), "Challenge", Challenge(), "matches no rule");
}

TEST(PolicyTest, MessagesNeedAllowMessagesOnceThereIsAnyRule) {
  EXPECT_FALSE(CheckMessage(Policy{}, "core").has_value()) << "no policy";
  Policy p = Chains134();
  auto r = CheckMessage(p, "core");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, "allow_messages");
  EXPECT_EQ(r->status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(r->status.message(), HasSubstr("EIP-191"));
  p.allow_messages = true;
  EXPECT_FALSE(CheckMessage(p, "core").has_value());
  EXPECT_TRUE(CheckMessage(PublisherPolicy(), "owner").has_value());
}

TEST(PolicyTest, RulesRoundTripThroughTextAndJson) {
  Policy p = PublisherPolicy();
  p.allow_messages = true;
  absl::StatusOr<Policy> back = PolicyFromText(PolicyToText(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, p);
  nlohmann::json j = PolicyToJson(p);
  EXPECT_EQ(j["typedDataRules"][0]["domain"]["verifyingContract"], kHub);
  EXPECT_EQ(j["typedDataRules"][0]["message"]["workerpool"],
            absl::AsciiStrToLower(kPool));
  EXPECT_EQ(j["typedDataRules"][1]["encodeType"],
            "Challenge(string challenge)");
  EXPECT_EQ(j["allowMessages"], true);
  absl::StatusOr<Policy> again = PolicyFromJson(j);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, p);
  EXPECT_FALSE(p.empty());
}

TEST(PolicyTest, BadRulesNameTheField) {
  auto bad = [](TypedDataRuleText rule, std::string_view field) {
    PolicyText t;
    t.typed_data_rules = {TypedDataRuleText{}, rule};
    t.typed_data_rules[0].primary_type = "Ok";
    absl::StatusOr<Policy> p = PolicyFromText(t);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(p.status().message(), HasSubstr(field));
  };
  TypedDataRuleText r;
  bad(r, "typed_data_rules[1].primary_type");
  r.primary_type = "Order";
  r.domain_chain_id = "x";
  bad(r, "typed_data_rules[1].domain_chain_id");
  r.domain_chain_id = "0";
  bad(r, "typed_data_rules[1].domain_chain_id: must be > 0");
  r.domain_chain_id = "";
  r.domain_verifying_contract = "0x12";
  bad(r, "typed_data_rules[1].domain_verifying_contract");
  r.domain_verifying_contract = "";
  r.encode_type = "Other(string a)";
  bad(r, "typed_data_rules[1].encode_type");
  r.encode_type = "";
  r.message = {{"a.b", "1"}};
  bad(r, "typed_data_rules[1].message");
  r.message = {{"a", "1"}, {"a", "2"}};
  bad(r, "typed_data_rules[1].message.a: given twice");
  EXPECT_THAT(
      PolicyFromJson({{"typedDataRules", {{{"primaryType", "A"}, {"x", 1}}}}})
          .status()
          .message(),
      HasSubstr("policy.typedDataRules[0].x: unknown field"));
  EXPECT_THAT(PolicyFromJson({{"allowMessages", "yes"}}).status().message(),
              HasSubstr("policy.allowMessages"));
}

}  // namespace
}  // namespace poolops::wallet
