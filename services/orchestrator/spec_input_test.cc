// A pool spec as hostile input: its size, text, nesting, aliases, duplicate
// keys and the limits of the parsed spec, each refused with an error that
// names the file (and the line).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/orchestrator/orchestrator_test_support.h"
#include "services/orchestrator/spec_limits.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/spec_text.h"
#include "services/orchestrator/spec_validator.h"

namespace poolops::orchestrator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using test::Dump;
using test::Find;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

constexpr char kHead[] =
    "name: p\n"
    "chain: bellecour\n"
    "workerpool: {owner_wallet: o, description: d}\n"
    "core: {target: 'local:/x', host: h.example}\n";

std::string Workers(int n) {
  std::string out = "workers:\n";
  for (int i = 0; i < n; ++i) {
    absl::StrAppend(&out, "  - {name: w", i, ", target: 'local:/x', wallet: w",
                    i, "}\n");
  }
  return out;
}

long MaxRssKb() {
  rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST(SpecInputTest, SizeIsCheckedBeforeParsing) {
  // Not YAML at all: the size is what the error is about.
  std::string big(kMaxSpecBytes + 1, '[');
  auto p = ParseSpec(big, "big.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(p.status()));
  EXPECT_THAT(Message(p.status()), HasSubstr("big.yaml: "));
  EXPECT_THAT(Message(p.status()), HasSubstr("at most 1 MiB"));
  // Exactly at the limit is a spec like any other.
  std::string spec = std::string(kHead) + Workers(1);
  spec += "#" + std::string(kMaxSpecBytes - spec.size() - 2, 'x') + "\n";
  ASSERT_EQ(spec.size(), kMaxSpecBytes);
  auto ok = ParseSpec(spec, "max.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->violations.empty()) << Dump(ok->violations);
}

TEST(SpecInputTest, BinaryAndNonUtf8TextNameTheFileAndLine) {
  struct Case {
    std::string text, want;
  } cases[] = {
      {std::string("name: p\nchain: \0x\n", 17), "bin.yaml:2: a NUL byte"},
      {"\x7f"
       "ELF\x02\x01",
       "bin.yaml:1: control character 0x7f"},
      {"name: p\ndescription: \x1b[31m\n",
       "bin.yaml:2: control character 0x1b"},
      {"name: p\n\nworkerpool: {description: caf\xe9}\n",
       "bin.yaml:3: not UTF-8 text (byte 0xe9 at column 30)"},
      {"name: \xc0\xaf\n", "bin.yaml:1: not UTF-8"},          // overlong '/'
      {"name: \xed\xa0\x80\n", "bin.yaml:1: not UTF-8"},      // a surrogate
      {"name: \xf4\x90\x80\x80\n", "bin.yaml:1: not UTF-8"},  // > U+10FFFF
      {"name: \xe2\x82\n", "bin.yaml:1: not UTF-8"},          // cut short
  };
  for (const Case& c : cases) {
    auto p = ParseSpec(c.text, "bin.yaml");
    ASSERT_FALSE(p.ok()) << c.want;
    EXPECT_TRUE(absl::IsInvalidArgument(p.status()));
    EXPECT_THAT(Message(p.status()), HasSubstr(c.want));
  }
  // Text that is fine: tabs in comments, CRLF line ends, UTF-8 names.
  auto ok = ParseSpec(std::string(kHead) + "#\tcomment\r\n" + Workers(1) +
                          "orders: {tag: '0x0'}\r\n",
                      "ok.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  auto utf8 = ParseSpec(
      "workerpool: {description: \"caf\xc3\xa9 \xe2\x9c\x93\"}\n", "u.yaml");
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  EXPECT_EQ(utf8->spec.workerpool().description(), "caf\xc3\xa9 \xe2\x9c\x93");
  // A file name that is not UTF-8 itself is shown escaped.
  auto named = ParseSpec("\xff", "bad\xff.yaml");
  ASSERT_FALSE(named.ok());
  EXPECT_THAT(Message(named.status()), HasSubstr("bad\\xff.yaml:1"));
  EXPECT_EQ(InvalidUtf8At(Message(named.status())), std::string::npos);
}

// yaml-cpp quotes one byte of what it could not read: the first byte of a
// multi-byte character after a backslash (found by pool_spec_fuzz) must not
// reach the message raw.
TEST(SpecInputTest, ParserMessagesAreUtf8WhateverTheParserQuotes) {
  for (const std::string& text : {std::string("{\"rgdtworkers[0\\\xd2\x81"
                                              "49 }\n"),
                                  std::string("name: \"\\\xe2\x9c\x93\"\n")}) {
    auto p = ParseSpec(text, "esc.yaml");
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_THAT(Message(p.status()), HasSubstr("esc.yaml:1"));
    EXPECT_EQ(InvalidUtf8At(Message(p.status())), std::string::npos)
        << Message(p.status());
  }
}

// Any gRPC client may send a spec that is not UTF-8: the request still
// parses off the wire (the field is bytes), so the spec checks, not protobuf,
// answer, naming the line and the byte.
TEST(SpecInputTest, NonUtf8TextFromAnyClientReachesTheSpecChecks) {
  v1::ValidateRequest sent;
  sent.mutable_spec()->set_yaml("name: p\ndescription: caf\xe9\n");
  sent.mutable_spec()->set_path("other-client.yaml");
  std::string wire;
  ASSERT_TRUE(sent.SerializeToString(&wire));
  v1::ValidateRequest received;
  ASSERT_TRUE(received.ParseFromString(wire));
  auto p = ParseSpec(received.spec().yaml(), received.spec().path());
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(Message(p.status()),
              HasSubstr("other-client.yaml:2: not UTF-8 text (byte 0xe9"));
}

TEST(SpecInputTest, AliasBombIsRefusedQuicklyInBoundedMemory) {
  // "Billion laughs": 10^9 scalars in 600 bytes, aliases of aliases.
  std::string bomb =
      "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    absl::StrAppend(&bomb, "a", i, ": &a", i, " [");
    for (int k = 0; k < 10; ++k)
      absl::StrAppend(&bomb, k ? ", " : "", "*a", i - 1);
    absl::StrAppend(&bomb, "]\n");
  }
  // The same through the fields the parser walks: 10^5 workers.
  std::string workers = "w: &w {name: x, target: 'local:/x', wallet: y}\n";
  absl::StrAppend(&workers,
                  "l0: &l0 [*w, *w, *w, *w, *w, *w, *w, *w, *w, *w]\n");
  for (int i = 1; i < 5; ++i) {
    absl::StrAppend(&workers, "l", i, ": &l", i, " [");
    for (int k = 0; k < 10; ++k)
      absl::StrAppend(&workers, k ? ", " : "", "*l", i - 1);
    absl::StrAppend(&workers, "]\n");
  }
  absl::StrAppend(&workers, "workers: *l4\n");
  for (const std::string& text : {bomb + "name: *a9\n", workers}) {
    long rss_before = MaxRssKb();
    auto start = std::chrono::steady_clock::now();
    auto p = ParseSpec(text, "bomb.yaml");
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(p.ok());
    EXPECT_TRUE(absl::IsInvalidArgument(p.status()));
    EXPECT_THAT(Message(p.status()),
                HasSubstr("bomb.yaml: more than 100000 values"));
    EXPECT_THAT(Message(p.status()), HasSubstr("aliases"));
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_LT(MaxRssKb() - rss_before, 64 * 1024) << "KiB more at peak";
  }
  // A big scalar repeated by aliases is bounded by its bytes.
  std::string bytes = "s: &s " + std::string(100000, 'x') + "\nl: [";
  for (int k = 0; k < 50; ++k) absl::StrAppend(&bytes, k ? ", " : "", "*s");
  auto b = ParseSpec(bytes + "]\n", "bytes.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(Message(b.status()), HasSubstr("bytes of values"));
  // An alias inside its own anchor is a cycle, not a hang.
  for (const char* cycle :
       {"name: p\nworkers: &x [*x]\n", "core: &c {tee: *c}\n"}) {
    auto c = ParseSpec(cycle, "cycle.yaml");
    ASSERT_FALSE(c.ok()) << cycle;
    EXPECT_THAT(Message(c.status()), HasSubstr("cycle.yaml:"));
  }
  // Aliases used as YAML means them still work.
  auto ok = ParseSpec(std::string(kHead) +
                          "workers:\n"
                          "  - {name: a, wallet: a, target: &t 'local:/x'}\n"
                          "  - {name: b, wallet: b, target: *t}\n",
                      "ok.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->spec.workers_size(), 2);
  EXPECT_EQ(ok->spec.workers(1).target(), "local:/x");
}

TEST(SpecInputTest, NestingDepthIsBounded) {
  // Deeper than a spec can be, under a key nobody reads.
  std::string flow =
      "name: p\nextra: " + std::string(40, '[') + std::string(40, ']') + "\n";
  auto p = ParseSpec(flow, "deep.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(Message(p.status()),
              HasSubstr("deep.yaml:2: nested more than 32"));
  std::string block = "name: p\nworkers:\n";
  for (int i = 0; i < 40; ++i) block += "- ";
  p = ParseSpec(block + "x\n", "deep.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(Message(p.status()), HasSubstr("nested more than 32"));
  // Past the YAML parser's own limit: its error, said clearly.
  std::string deeper = "x: " + std::string(100000, '[') + "\n";
  p = ParseSpec(deeper, "deeper.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(Message(p.status()),
              HasSubstr("deeper.yaml: nested more than 500 levels"));
  EXPECT_THAT(Message(p.status()), Not(HasSubstr("bad file")));
}

TEST(SpecInputTest, DuplicateKeysNameBothLines) {
  auto p = ParseSpec(
      "name: p\n"              // 1
      "chain: bellecour\n"     // 2
      "core:\n"                // 3
      "  target: local:/a\n"   // 4
      "  host: h\n"            // 5
      "core:\n"                // 6
      "  target: local:/b\n"   // 7
      "workers:\n"             // 8
      "  - name: w\n"          // 9
      "    wallet: a\n"        // 10
      "    name: v\n"          // 11
      "stack_version: v8.3\n"  // 12
      "stackVersion: v7.1\n"   // 13
      "colour: red\n"          // 14
      "colour: blue\n",        // 15
      "pool.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  const auto& vs = p->violations;
  const v1::Violation* core = Find(vs, "core");
  ASSERT_NE(core, nullptr) << Dump(vs);
  EXPECT_EQ(core->location(), "pool.yaml:6");
  EXPECT_THAT(core->message(),
              HasSubstr("duplicate key 'core' at lines 3 and 6"));
  const v1::Violation* name = Find(vs, "workers[0].name");
  ASSERT_NE(name, nullptr) << Dump(vs);
  EXPECT_THAT(name->message(), HasSubstr("lines 9 and 11"));
  // The same field by its two spellings.
  const v1::Violation* version = Find(vs, "stack_version");
  ASSERT_NE(version, nullptr) << Dump(vs);
  EXPECT_THAT(version->message(),
              HasSubstr("duplicate key 'stackVersion' at lines 12 and 13"));
  EXPECT_THAT(Dump(vs), HasSubstr("duplicate key 'colour' at lines 14 and 15"));
  // The first value stands (nothing is silently replaced).
  EXPECT_EQ(p->spec.core().target(), "local:/a");
  EXPECT_EQ(p->spec.workers(0).name(), "w");

  // JSON: on one line, the columns tell them apart.
  auto j = ParseSpec(
      R"({"name":"p","core":{"host":"a","host":"b"},"name":"q"})", "pool.json");
  ASSERT_TRUE(j.ok()) << j.status();
  ASSERT_NE(Find(j->violations, "core.host"), nullptr) << Dump(j->violations);
  EXPECT_THAT(Find(j->violations, "core.host")->message(),
              HasSubstr("duplicate key 'host' at line 1 (columns 21 and 32)"));
  ASSERT_NE(Find(j->violations, "name"), nullptr) << Dump(j->violations);
  EXPECT_EQ(Find(j->violations, "name")->location(), "pool.json:1");
}

TEST(SpecInputTest, WorkersAndListsAreBounded) {
  auto at = ParseSpec(std::string(kHead) + Workers(kMaxSpecWorkers), "w.yaml");
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->spec.workers_size(), kMaxSpecWorkers);
  auto vs = ValidateSpec(at->spec, at->locations, "");
  EXPECT_TRUE(vs.empty()) << Dump(vs).substr(0, 2000);

  auto over =
      ParseSpec(std::string(kHead) + Workers(kMaxSpecWorkers + 1), "w.yaml");
  ASSERT_TRUE(over.ok()) << over.status();
  vs = ValidateSpec(over->spec, over->locations, "");
  ASSERT_EQ(vs.size(), 1u) << Dump(vs).substr(0, 2000);
  EXPECT_EQ(vs[0].field(), "workers");
  EXPECT_EQ(vs[0].location(), "w.yaml:5");
  EXPECT_THAT(vs[0].message(),
              HasSubstr("1001 workers; a pool has at most 1000"));

  // A spec sent as a message (no file, no parser) meets the same limits.
  v1::PoolSpec message = at->spec;
  message.add_workers()->set_name("one-too-many");
  for (int i = 0; i <= kMaxSpecListItems; ++i) {
    message.mutable_core()->add_features(v1::FEATURE_TEE);
  }
  message.mutable_workerpool()->set_description(std::string(5000, 'd'));
  vs = ValidateSpec(message, SpecLocations(), "");
  EXPECT_NE(Find(vs, "workers"), nullptr) << Dump(vs);
  EXPECT_NE(Find(vs, "core.features"), nullptr) << Dump(vs);
  ASSERT_NE(Find(vs, "workerpool.description"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "workerpool.description")->message(),
              HasSubstr("5000 bytes; at most 4096"));
}

TEST(SpecInputTest, ValuesAreBoundedUtf8WithoutNul) {
  auto p = ParseSpec(
      "name: \"p\\0q\"\n"
      "chain: " +
          std::string(kMaxSpecValueBytes + 1, 'c') +
          "\n"
          "\"k\\e[2J\\u0085\": 1\n"
          "stack_version: \"v7\\e]0;title\\a\"\n",
      "esc.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  const auto& vs = p->violations;
  ASSERT_NE(Find(vs, "name"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "name")->message(), HasSubstr("NUL"));
  EXPECT_EQ(p->spec.name(), "");  // not taken
  ASSERT_NE(Find(vs, "chain"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "chain")->message(),
              HasSubstr("4097 bytes; at most 4096"));
  // Keys and values echoed back carry no escape sequence and stay UTF-8.
  for (const v1::Violation& v : vs) {
    std::string all = v.field() + v.message() + v.location();
    EXPECT_EQ(all.find('\x1b'), std::string::npos) << all;
    EXPECT_EQ(all.find('\x07'), std::string::npos) << all;
    EXPECT_EQ(all.find("\xc2\x85"), std::string::npos) << all;
    EXPECT_EQ(InvalidUtf8At(all), std::string::npos) << all;
  }
  EXPECT_THAT(Dump(vs), HasSubstr("k\\x1b[2J\\xc2\\x85"));
}

TEST(SpecInputTest, ValidateRefusesTargetsThatWouldBeSshOptions) {
  auto p = ParseSpec(
      "name: p\n"                                                         // 1
      "chain: bellecour\n"                                                // 2
      "workerpool: {owner_wallet: o, description: d}\n"                   // 3
      "core: {target: 'ssh://-oProxyCommand=id/srv', host: h.example}\n"  // 4
      "workers:\n"                                                        // 5
      "  - {name: a, wallet: a, target: 'ssh://-oProxyCommand=id@h/srv'}\n"
      "  - {name: b, wallet: b, target: \"ssh://u@h/srv\\nid\"}\n"     // 7
      "  - {name: c, wallet: c, target: 'ssh://u@[::1]:2222/srv'}\n",  // 8
      "pool.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  auto vs = ValidateSpec(p->spec, p->locations, "");
  ASSERT_NE(Find(vs, "core.target"), nullptr) << Dump(vs);
  EXPECT_EQ(Find(vs, "core.target")->location(), "pool.yaml:4");
  EXPECT_THAT(Find(vs, "core.target")->message(),
              HasSubstr("host '-oProxyCommand=id' is not a host name"));
  ASSERT_NE(Find(vs, "workers[0].target"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "workers[0].target")->message(),
              HasSubstr("user '-oProxyCommand=id' is not a login name"));
  ASSERT_NE(Find(vs, "workers[1].target"), nullptr) << Dump(vs);
  EXPECT_THAT(Find(vs, "workers[1].target")->message(), HasSubstr("newline"));
  EXPECT_EQ(Find(vs, "workers[1].target")->message().find('\n'),
            std::string::npos);
  EXPECT_EQ(Find(vs, "workers[2].target"), nullptr) << Dump(vs);  // IPv6
}

TEST(SpecInputTest, ManyProblemsMakeABoundedReply) {
  std::string text;
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&text, "unknown", i, ": 1\n");
  auto p = ParseSpec(text, "many.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->violations.size(), 201u);
  EXPECT_EQ(p->violations.back().message(), "and 4800 more problems");
  EXPECT_EQ(p->violations.back().location(), "many.yaml");
}

TEST(SpecInputTest, PrintableText) {
  EXPECT_EQ(PrintableText("plain caf\xc3\xa9"), "plain caf\xc3\xa9");
  EXPECT_EQ(PrintableText("a\nb\x1b\xff"), "a\\x0ab\\x1b\\xff");
  EXPECT_EQ(PrintableText(std::string(300, 'x'), 10), "xxxxxxxxxx...");
}

}  // namespace
}  // namespace poolops::orchestrator
