// The pool spec: YAML/JSON parsing with lines, defaults, validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/spec_validator.h"

namespace poolops::orchestrator {
namespace {

using ::testing::HasSubstr;

using test::Dump;
using test::Find;

TEST(SpecTest, ExamplesAreValid) {
  for (const char* name :
       {"readme-v7.1.yaml", "full-featured.yaml", "devnet-pool.yaml"}) {
    ParsedSpec p = test::LoadExample(name);
    EXPECT_TRUE(p.violations.empty()) << name << "\n" << Dump(p.violations);
    EXPECT_FALSE(p.spec.name().empty()) << name;
    auto vs = ValidateSpec(p.spec, p.locations, test::ExamplesDir());
    EXPECT_TRUE(vs.empty()) << name << "\n" << Dump(vs);
  }
}

TEST(SpecTest, ReadmeExampleSaysWhatTheReadmeSays) {
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  const v1::PoolSpec& s = p.spec;
  EXPECT_EQ(s.chain(), "bellecour");
  EXPECT_EQ(s.stack_version(), v1::STACK_VERSION_V7_1);
  EXPECT_EQ(s.network_mode(), v1::NETWORK_MODE_BRIDGE);
  EXPECT_EQ(s.orders().publisher(), v1::PUBLISHER_IEXEC);
  ASSERT_EQ(s.workers_size(), 1);
  EXPECT_EQ(s.workers(0).cpu(), 2u);
  EXPECT_EQ(s.core().host(), "v7.core.prod-main-pool.bellecour.yourdomain");
}

TEST(SpecTest, JsonAndCamelCaseKeys) {
  auto p = ParseSpec(R"({"name":"p","chain":"bellecour","stackVersion":"v8.3",
    "core":{"target":"local:/x","host":"h","features":["tee"]},
    "workers":[{"name":"w","target":"local:/x","wallet":"w1","cpu":3}]})",
                     "p.json");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->violations.empty()) << Dump(p->violations);
  EXPECT_EQ(p->spec.stack_version(), v1::STACK_VERSION_V8_3);
  EXPECT_EQ(p->spec.core().features(0), v1::FEATURE_TEE);
  EXPECT_EQ(p->spec.workers(0).cpu(), 3u);
}

TEST(SpecTest, ShapeErrorsNameFieldAndLine) {
  auto p = ParseSpec(
      "name: p\n"                  // 1
      "chain: bellecour\n"         // 2
      "colour: blue\n"             // 3
      "stack_version: v9\n"        // 4
      "core:\n"                    // 5
      "  target: local:/x\n"       // 6
      "  features: [tee, fast]\n"  // 7
      "workers:\n"                 // 8
      "  - name: w\n"              // 9
      "    cpu: many\n"            // 10
      "    gpu: maybe\n",          // 11
      "pool.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  const auto& vs = p->violations;
  ASSERT_NE(Find(vs, "colour"), nullptr) << Dump(vs);
  EXPECT_EQ(Find(vs, "colour")->location(), "pool.yaml:3");
  ASSERT_NE(Find(vs, "stack_version"), nullptr) << Dump(vs);
  EXPECT_EQ(Find(vs, "stack_version")->location(), "pool.yaml:4");
  EXPECT_THAT(Find(vs, "stack_version")->message(), HasSubstr("v7.1, v8.3"));
  ASSERT_NE(Find(vs, "core.features[1]"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "core.features[1]")->message(),
              HasSubstr("rev-proxy-http"));
  ASSERT_NE(Find(vs, "workers[0].cpu"), nullptr) << Dump(vs);
  EXPECT_EQ(Find(vs, "workers[0].cpu")->location(), "pool.yaml:10");
  ASSERT_NE(Find(vs, "workers[0].gpu"), nullptr) << Dump(vs);
}

TEST(SpecTest, SyntaxErrorHasLine) {
  auto p = ParseSpec("name: p\nchain: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("bad.yaml:"));
  EXPECT_FALSE(ParseSpec("- a list\n", "l.yaml").ok());
}

TEST(SpecTest, ValidationNamesEveryBadField) {
  auto p = ParseSpec(
      "name: Bad_Name\n"                                      // 1
      "chain: bellecour\n"                                    // 2
      "workerpool:\n"                                         // 3
      "  address: 0x123\n"                                    // 4
      "core:\n"                                               // 5
      "  target: ftp://x/y\n"                                 // 6
      "  host: not a host\n"                                  // 7
      "  features: [rev-proxy-http, rev-proxy-https, tee]\n"  // 8
      "orders:\n"                                             // 9
      "  tag: tee,fast\n"                                     // 10
      "  requester_restrict: nobody\n"                        // 11
      "workers:\n"                                            // 12
      "  - name: w\n"                                         // 13
      "    target: ssh://u@h/opt\n"                           // 14
      "    wallet: same\n"                                    // 15
      "    tee: true\n"                                       // 16
      "  - name: w\n"                                         // 17
      "    target: local:/x\n"                                // 18
      "    wallet: same\n"                                    // 19
      "    results_dir: relative/dir\n"                       // 20
      "    wallet_password_file: /nonexistent/pw\n",          // 21
      "pool.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  auto vs = ValidateSpec(p->spec, p->locations, "/tmp");
  std::string dump = Dump(vs);
  for (const char* field :
       {"name", "workerpool.address", "workerpool.owner_wallet", "core.target",
        "core.host", "core.features", "core.letsencrypt_email",
        "core.tee.scontain_username", "core.tee.scontain_password_file",
        "orders.tag", "orders.requester_restrict", "workers[1].name",
        "workers[1].wallet", "workers[1].results_dir"}) {
    EXPECT_NE(Find(vs, field), nullptr) << field << "\n" << dump;
  }
  // Secret files are the client's to read: no check of the server's disk.
  EXPECT_EQ(Find(vs, "workers[1].wallet_password_file"), nullptr) << dump;
  EXPECT_EQ(Find(vs, "name")->location(), "pool.yaml:1");
  EXPECT_EQ(Find(vs, "core.host")->location(), "pool.yaml:7");
  EXPECT_EQ(Find(vs, "workers[1].results_dir")->location(), "pool.yaml:20");
  // The tee worker is fine: the feature is on.
  EXPECT_EQ(Find(vs, "workers[0].tee"), nullptr) << dump;
}

TEST(SpecTest, FeatureRules) {
  auto base = [](const std::string& extra,
                 const std::string& core =
                     "{target: 'local:/x', host: h.example}") {
    return ParseSpec(
        "name: p\nchain: bellecour\nworkerpool: {owner_wallet: o, "
        "description: d}\ncore: " +
            core +
            "\n"
            "workers: [{name: w, target: 'local:/x', wallet: w}]\n" +
            extra,
        "f.yaml");
  };
  auto v8_http =
      base("stack_version: v8.3\n",
           "{target: 'local:/x', host: h, features: [rev-proxy-http]}");
  ASSERT_TRUE(v8_http.ok());
  EXPECT_TRUE(v8_http->violations.empty()) << Dump(v8_http->violations);
  auto vs = ValidateSpec(v8_http->spec, v8_http->locations, "");
  EXPECT_NE(Find(vs, "core.features[0]"), nullptr) << Dump(vs);
  EXPECT_NE(Find(vs, "core.letsencrypt_email"), nullptr) << Dump(vs);

  auto sims_v8 = base("stack_version: v8.3\nimages: {simulators: true}\n");
  ASSERT_TRUE(sims_v8.ok());
  vs = ValidateSpec(sims_v8->spec, sims_v8->locations, "");
  EXPECT_NE(Find(vs, "images.simulators"), nullptr) << Dump(vs);

  auto ok = base("");
  ASSERT_TRUE(ok.ok());
  vs = ValidateSpec(ok->spec, ok->locations, "");
  EXPECT_TRUE(vs.empty()) << Dump(vs);
}

TEST(SpecTest, Defaults) {
  v1::PoolSpec s;
  s.mutable_core()->set_host("core.example");
  s.mutable_workerpool()->set_description("desc");
  s.add_workers()->set_name("w");
  v1::PoolSpec d = WithDefaults(s);
  EXPECT_EQ(d.stack_version(), v1::STACK_VERSION_V7_1);
  EXPECT_EQ(d.network_mode(), v1::NETWORK_MODE_BRIDGE);
  EXPECT_EQ(d.images().core_tag(), "7.1.0");
  EXPECT_EQ(d.images().blockchain_adapter_tag(), "7.1.1");
  EXPECT_EQ(d.core().chain_adapter_host(), "core.example");
  EXPECT_EQ(d.core().grafana_home_name(), "desc");
  EXPECT_EQ(d.orders().trust(), "1");
  EXPECT_EQ(d.orders().max_open_orders(), 3u);
  EXPECT_EQ(d.workers(0).results_dir(), "/tmp/results");
  s.set_stack_version(v1::STACK_VERSION_V8_3);
  EXPECT_EQ(WithDefaults(s).images().core_tag(), "8.3.0");
}

TEST(SpecTest, Tags) {
  EXPECT_EQ(*TagToBytes32("0x0"), "0x" + std::string(64, '0'));
  EXPECT_EQ(*TagToBytes32("tee,scone"), "0x" + std::string(63, '0') + "3");
  EXPECT_EQ(*TagToBytes32("tee, gramine"), "0x" + std::string(63, '0') + "5");
  EXPECT_EQ(*TagToBytes32("gpu"), "0x" + std::string(61, '0') + "100");
  EXPECT_FALSE(TagToBytes32("fast").ok());
  EXPECT_FALSE(TagToBytes32("0xzz").ok());
}

TEST(SpecTest, Targets) {
  auto t = ParseTarget("ssh://deploy@core.example:2222/srv/iexec");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->user, "deploy");
  EXPECT_EQ(t->host, "core.example");
  EXPECT_EQ(t->port, 2222);
  EXPECT_EQ(t->path, "/srv/iexec");
  EXPECT_EQ(ParseTarget("local:bundles")->path, "bundles");
  EXPECT_FALSE(ParseTarget("ssh://host").ok());
  EXPECT_FALSE(ParseTarget("ssh://h:99999/x").ok());
  EXPECT_FALSE(ParseTarget("/opt").ok());
}

// The rollout: a count of workers, 1 when left out, bounded.
TEST(SpecTest, MaintenancePrunesOnAKnownPeriodKeepingValidPatterns) {
  const std::string head =
      "name: p\nchain: bellecour\ncore: {target: 'local:/x', host: h}\n"
      "workerpool: {owner_wallet: o}\n"
      "workers: [{name: w, target: 'local:/x', wallet: w1}]\n";
  auto p = ParseSpec(head +
                         "maintenance: {prune_images: daily, keep: "
                         "['registry.example/app:*', 'mine/*']}\n",
                     "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  auto vs = ValidateSpec(p->spec, p->locations, "/");
  EXPECT_EQ(Find(vs, "maintenance.prune_images"), nullptr) << Dump(vs);
  EXPECT_EQ(p->spec.maintenance().keep_size(), 2);
  p = ParseSpec(head +
                    "maintenance: {prune_images: monthly, keep: ['a b', "
                    "'$(id)']}\n",
                "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  vs = ValidateSpec(p->spec, p->locations, "/");
  ASSERT_NE(Find(vs, "maintenance.prune_images"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "maintenance.prune_images")->message(),
              HasSubstr("hourly, daily, weekly or off"));
  EXPECT_NE(Find(vs, "maintenance.keep[0]"), nullptr) << Dump(vs);
  EXPECT_NE(Find(vs, "maintenance.keep[1]"), nullptr) << Dump(vs);
}

TEST(SpecTest, RolloutWorkersAtOnce) {
  const std::string head =
      "name: p\nchain: bellecour\ncore: {target: 'local:/x', host: h}\n"
      "workerpool: {owner_wallet: o}\n"
      "workers: [{name: w, target: 'local:/x', wallet: w1}]\n";
  auto p = ParseSpec(head + "rollout: {workers_at_once: 3}\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->violations.empty()) << Dump(p->violations);
  EXPECT_EQ(p->spec.rollout().workers_at_once(), 3u);
  p = ParseSpec(head, "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(WithDefaults(p->spec).rollout().workers_at_once(), 1u);
  p = ParseSpec(head + "rollout: {workers_at_once: 5000}\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  auto vs = ValidateSpec(p->spec, p->locations, "/");
  ASSERT_NE(Find(vs, "rollout.workers_at_once"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "rollout.workers_at_once")->message(),
              HasSubstr("at most 1000"));
  p = ParseSpec(head + "rollout: {workers_at_once: -1}\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_NE(Find(p->violations, "rollout.workers_at_once"), nullptr)
      << Dump(p->violations);
}

}  // namespace
}  // namespace poolops::orchestrator
