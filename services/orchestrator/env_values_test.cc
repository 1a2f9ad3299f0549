// Values reaching rendered files: .env lines read back byte for byte by the
// real docker-compose (v1 here; the rules for v2's compose-go parser are in
// env_values.h), injection attempts refused by validation, chain-file
// values checked, and every template variable with a kind.
#include "services/orchestrator/env_values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/common/missing_tool_test_support.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/renderer.h"

namespace poolops::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using test::HaveDockerCompose;

// `docker-compose config` in `dir` (no daemon needed); the environment of
// service `s` as compose resolved it ("$$" in its output is one "$").
std::map<std::string, std::string> ComposeEnvironment(const fs::path& dir) {
  std::string cmd = absl::StrCat("cd '", dir.string(),
                                 "' && docker-compose config > out.yml 2>err");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << dir;
  YAML::Node doc = YAML::LoadFile((dir / "out.yml").string());
  std::map<std::string, std::string> out;
  for (auto it : doc["services"]["s"]["environment"]) {
    out[it.first.as<std::string>()] =
        absl::StrReplaceAll(it.second.as<std::string>(), {{"$$", "$"}});
  }
  return out;
}

TEST(EnvValuesTest, DockerComposeReadsBackEveryWritableValueExactly) {
  if (!HaveDockerCompose())
    POOLOPS_MISSING_TOOL("docker-compose not installed");
  const std::vector<std::string> values = {
      "plain-value_1.2:3@x,y+z=w",
      "a$b",
      "$HOME",
      "$$double",
      "back\\slash",
      "\\leading backslash",
      "#hash",
      "a #comment-like",
      "  two leading spaces",
      "trailing spaces  ",
      "it's",
      "say \"hi\"",
      "x\"y$z\\w",
      "100% naïve ünïcødé",
      "semi;colon&amp|pipe<>()*?[]{}~`!",
      "$ {not-a-ref}",
  };
  poolops::test::TempDir tmp;
  std::string env, compose =
                       "version: '3'\nservices:\n  s:\n    image: busybox\n"
                       "    environment:\n";
  for (size_t i = 0; i < values.size(); ++i) {
    std::string name = absl::StrCat("V", i);
    absl::StatusOr<std::string> line = EnvLine(name, values[i]);
    ASSERT_TRUE(line.ok()) << values[i] << " " << line.status();
    env += *line;
    absl::StrAppend(&compose, "      - ", name, "=$", name, "\n");
  }
  std::ofstream(tmp.path() / ".env") << env;
  std::ofstream(tmp.path() / "docker-compose.yml") << compose;
  std::map<std::string, std::string> got = ComposeEnvironment(tmp.path());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(got[absl::StrCat("V", i)], values[i]) << env;
  }
}

TEST(EnvValuesTest, ValuesNoQuotingKeepsAreRefusedNotChanged) {
  for (const std::string& v : std::vector<std::string>{
           "${X}",  // v1 expands it even in quotes
           "pre${HOME}post",
           "${unclosed",   // refused too: simpler than v1's regex
           "a\\\\b",       // v1 reads \\ as \ in '...'
           "trailing \\",  // v2: \' does not close the quote
           "it's $HOME",   // ' forces "...", where $ expands
           "it's \"quoted\"",
           "it's a \\ backslash",
           "line\nWORKER_IMAGE=evil",  // newline: a second variable
           "x'\nWORKER_IMAGE=evil/worker",
           "carriage\rreturn",
           "tab\tinside",
           std::string("nul\0byte", 8),
           "esc\x1b[31m",
           "bad utf8 \xc3\x28",
           "c1 \xc2\x85 next line",
           "ls \xe2\x80\xa8 separator",
       }) {
    absl::StatusOr<std::string> line = EnvLine("PROD_MONGO_PASSWORD", v);
    EXPECT_FALSE(line.ok()) << v << " -> " << *line;
    if (!line.ok()) {
      EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
      // The message says why without repeating the (secret) value.
      if (v.size() > 4) {
        EXPECT_EQ(std::string(line.status().message()).find(v),
                  std::string::npos);
      }
    }
  }
}

// A pool whose secrets and values are hostile but writable: the rendered
// bundles go through docker-compose config and come back intact.
TEST(EnvValuesTest, RenderedBundlesCarryHostilePasswordsIntact) {
  if (!HaveDockerCompose())
    POOLOPS_MISSING_TOOL("docker-compose not installed");
  auto r = Renderer::Create();
  ASSERT_TRUE(r.ok());
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  RenderInput in = test::FakeInput(p.spec);
  in.secrets.wallet_passwords["worker"] = "w$rk \"er\" #1 \\x";
  in.secrets.values["PROD_MONGO_PASSWORD"] = "it's mongo #2";
  auto bundles = r->Render(in);
  ASSERT_TRUE(bundles.ok()) << bundles.status();
  poolops::test::TempDir tmp;
  for (const Bundle& b : *bundles) {
    fs::path dir = tmp.path() / b.name;
    fs::create_directories(dir);
    for (const BundleFile& f : b.files) {
      fs::create_directories((dir / f.path).parent_path());
      std::ofstream(dir / f.path) << f.content;
    }
    std::string cmd = absl::StrCat("cd '", dir.string(),
                                   "' && docker-compose config > out.yml");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << b.name;
    YAML::Node doc = YAML::LoadFile((dir / "out.yml").string());
    std::set<std::string> env_values;
    for (auto svc : doc["services"]) {
      for (auto e : svc.second["environment"]) {
        env_values.insert(
            absl::StrReplaceAll(e.second.as<std::string>(""), {{"$$", "$"}}));
      }
    }
    if (b.name == "worker0") {
      EXPECT_TRUE(env_values.count("w$rk \"er\" #1 \\x")) << b.name;
    }
    if (b.name == "core") {
      EXPECT_TRUE(env_values.count("it's mongo #2")) << b.name;
    }
  }
}

TEST(EnvValuesTest, RenderRefusesAPasswordItCannotWriteNamingTheVariable) {
  auto r = Renderer::Create();
  ASSERT_TRUE(r.ok());
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  RenderInput in = test::FakeInput(p.spec);
  in.secrets.values["PROD_MONGO_PASSWORD"] = "it's $ecret";
  auto bundles = r->Render(in);
  ASSERT_FALSE(bundles.ok());
  EXPECT_EQ(bundles.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bundles.status().message()),
              HasSubstr("PROD_MONGO_PASSWORD"));
  EXPECT_THAT(std::string(bundles.status().message()),
              ::testing::Not(HasSubstr("$ecret")));
}

TEST(EnvValuesTest, InjectionThroughSpecFieldsIsAViolation) {
  auto p = ParseSpec(
      "name: p\n"
      "chain: bellecour\n"
      "chain_params:\n"
      "  rpc: \"http://node'\\nWORKER_TAG=evil\"\n"
      "  market_api_host: \"market\\nDOCKER_REGISTRY=evil\"\n"
      "  result_host: \"r.example'x\"\n"
      "  sms_scone_url: \"https://sms/x'y\"\n"
      "images:\n"
      "  private_registry:\n"
      "    address: \"reg.example\\nWORKER_TAG=evil\"\n"
      "    username: \"bob'\\nDOCKER_REGISTRY=evil\"\n"
      "    password_file: reg.pw\n"
      "workerpool: {owner_wallet: o, description: \"d\\nX=1\"}\n",
      "pool.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<v1::Violation> vs = ValidateRenderedValues(p->spec, p->locations);
  std::set<std::string> fields;
  for (const auto& v : vs) fields.insert(v.field());
  for (const char* f :
       {"chain_params.rpc", "chain_params.market_api_host",
        "chain_params.result_host", "chain_params.sms_scone_url",
        "images.private_registry.address", "images.private_registry.username",
        "workerpool.description"}) {
    EXPECT_TRUE(fields.count(f)) << f;
  }
  EXPECT_EQ(fields.size(), 7u);
  // Good values pass.
  for (const auto& [kind, v] : std::vector<std::pair<ValueKind, std::string>>{
           {ValueKind::kUrl, "https://bellecour.iex.ec"},
           {ValueKind::kUrl, "http://127.0.0.1:8545/rpc?key=a-b_c%20"},
           {ValueKind::kHost, "v7.api.market.iex.ec"},
           {ValueKind::kHost, "127.0.0.1:3000"},
           {ValueKind::kHost, "[::1]:5000"},
           {ValueKind::kName, "robot+ci@example"},
           {ValueKind::kEmail, "ops@example.com"}}) {
    EXPECT_TRUE(CheckValue(kind, v).ok()) << v;
  }
  EXPECT_FALSE(CheckValue(ValueKind::kHost, "-oProxyCommand=x").ok());
  EXPECT_FALSE(CheckValue(ValueKind::kUrl, "file:///etc/passwd").ok());
  EXPECT_FALSE(CheckValue(ValueKind::kUrl, "http://a b").ok());
}

TEST(EnvValuesTest, GatewayChainValuesAreCheckedBeforeTheyReachAFile) {
  v1::PoolSpec spec;
  spec.set_name("p");
  spec.set_chain("evil");
  // chain-gateway is another process: what it says of a chain is checked
  // like any outside value (an id that is not digits, a URL with a newline).
  ChainFacts facts{.name = "evil",
                   .chain_id = "../../../tmp/x",
                   .rpc = "http://n",
                   .hub = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                   .native = false,
                   .market = "",
                   .origin = "custom"};
  auto chain = ResolveChain(spec, facts);
  ASSERT_TRUE(chain.ok()) << chain.status();
  absl::Status id = CheckChainInfo(*chain);
  EXPECT_FALSE(id.ok());
  EXPECT_THAT(std::string(id.message()), HasSubstr("id"));
  facts.chain_id = "1";
  facts.rpc = "http://n'\nWORKER_TAG=x";
  chain = ResolveChain(spec, facts);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_FALSE(CheckChainInfo(*chain).ok());
  ChainInfo bad_id = *chain;
  bad_id.rpc = "http://n";
  bad_id.public_rpc = "http://n";
  ASSERT_TRUE(CheckChainInfo(bad_id).ok());
  bad_id.chain_id = "../../../tmp/x";
  absl::Status s = CheckChainInfo(bad_id);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("id"));

  // The renderer refuses them too, whatever the caller checked.
  auto r = Renderer::Create();
  ASSERT_TRUE(r.ok());
  ParsedSpec p = test::LoadExample("readme-v7.1.yaml");
  RenderInput in = test::FakeInput(p.spec);
  in.chain.chain_id = "1/../../x";
  auto bundles = r->Render(in);
  ASSERT_FALSE(bundles.ok());
  EXPECT_EQ(bundles.status().code(), absl::StatusCode::kInvalidArgument);
  in = test::FakeInput(p.spec);
  in.chain.rpc = "http://n\nWORKER_TAG=evil";
  EXPECT_FALSE(r->Render(in).ok());
}

TEST(EnvValuesTest, EveryVariableOfEveryTemplateHasAKind) {
  int seen = 0;
  for (const auto& [path, text] : EmbeddedTemplates()) {
    for (const VariableRef& ref : ReferencedVariables(text)) {
      EXPECT_TRUE(IsKnownVariable(ref.name)) << path << ": " << ref.name;
      ++seen;
    }
  }
  EXPECT_GT(seen, 50);
}

}  // namespace
}  // namespace poolops::orchestrator
