#include "services/orchestrator/compose_file.h"

#include <gtest/gtest.h>

namespace poolops::orchestrator {
namespace {

TEST(ComposeFileTest, ReferencedVariablesAllForms) {
  auto refs = ReferencedVariables(
      "a: $A\nb: ${B}\nc: ${C:-x}\nd: /${D:?need}\ne: $$NOT\nf: $A ${E-y}");
  ASSERT_EQ(refs.size(), 5u);
  EXPECT_EQ(refs[0].name, "A");
  EXPECT_FALSE(refs[0].has_default);
  EXPECT_EQ(refs[1].name, "B");
  EXPECT_EQ(refs[2].name, "C");
  EXPECT_TRUE(refs[2].has_default);
  EXPECT_EQ(refs[3].name, "D");
  EXPECT_FALSE(refs[3].has_default);
  EXPECT_EQ(refs[4].name, "E");
  EXPECT_TRUE(refs[4].has_default);
}

TEST(ComposeFileTest, EditsAndEmitKeepPortsQuoted) {
  auto f = ComposeFile::Parse(R"(version: '3.4'
volumes:
  data:
services:
  core:
    image: x/core:$TAG
    environment:
      - A=1
      - B=$B
    ports:
      - "7001:13000"
      - 22:22
)",
                              "t.yml");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->GetEnv("core", "B"), "$B");
  f->SetEnv("core", "A", "2");
  f->SetEnv("core", "C", "3");
  f->ReplaceListEntry("core", "ports", "7001:13000", "8001:13000");
  std::string out = f->Emit();
  EXPECT_NE(out.find("- A=2"), std::string::npos) << out;
  EXPECT_NE(out.find("- C=3"), std::string::npos) << out;
  EXPECT_NE(out.find("\"8001:13000\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"22:22\""), std::string::npos) << out;
  EXPECT_NE(out.find("version: \"3.4\""), std::string::npos) << out;
  EXPECT_NE(out.find("data: {}"), std::string::npos) << out;
  // Round trip.
  auto again = ComposeFile::Parse(out, "out.yml");
  ASSERT_TRUE(again.ok()) << again.status() << out;
  EXPECT_EQ(again->GetEnv("core", "A"), "2");
}

TEST(ComposeFileTest, NotComposeIsAnError) {
  EXPECT_FALSE(ComposeFile::Parse("just: text", "x.yml").ok());
  EXPECT_FALSE(ComposeFile::Parse("services: [", "x.yml").ok());
}

}  // namespace
}  // namespace poolops::orchestrator
