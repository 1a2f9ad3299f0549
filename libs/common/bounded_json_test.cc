#include "libs/common/bounded_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops {
namespace {

using ::testing::HasSubstr;

TEST(BoundedJsonTest, ParsesOrdinaryDocuments) {
  absl::StatusOr<nlohmann::json> j =
      ParseBoundedJson(R"({"a":[1,{"b":"[[[{{"}],"c":"\"[["})", "doc");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["a"][1]["b"], "[[[{{");
  EXPECT_EQ((*j)["c"], "\"[[");
}

// A million '[' (closed or not) is refused before nlohmann builds it: a
// built one crashes the process on its first copy (recursive per level).
TEST(BoundedJsonTest, RefusesDeepNestingWithoutCrashing) {
  for (const std::string& text :
       {std::string(1'000'000, '['),
        std::string(1'000'000, '[') + std::string(1'000'000, ']'),
        R"({"x":)" + std::string(500'000, '{')}) {
    absl::StatusOr<nlohmann::json> j =
        ParseBoundedJson(text, {.max_bytes = 4'000'000}, "market http://m");
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(j.status().message(),
              "market http://m: JSON nested deeper than 64 levels");
  }
}

TEST(BoundedJsonTest, DepthIsCountedOutsideStringsOnly) {
  std::string in_string = "\"" + std::string(1000, '[') + "\\\"" + "\"";
  EXPECT_TRUE(ParseBoundedJson(in_string, {.max_depth = 2}, "s").ok());
  EXPECT_TRUE(ParseBoundedJson("[[1]]", {.max_depth = 2}, "s").ok());
  EXPECT_FALSE(ParseBoundedJson("[[[1]]]", {.max_depth = 2}, "s").ok());
  // Closing brackets first cannot buy depth for later openings.
  EXPECT_FALSE(JsonNestingWithin("]]]]][[[", 2));
}

TEST(BoundedJsonTest, RefusesOversizedAndInvalidNamingWhat) {
  absl::StatusOr<nlohmann::json> big =
      ParseBoundedJson(std::string(100, ' ') + "1", {.max_bytes = 50}, "core");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(),
            "core: JSON of 101 bytes exceeds the cap of 50 bytes");
  absl::StatusOr<nlohmann::json> bad =
      ParseBoundedJson("{\"a\": nope}", "f.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("f.json: not JSON (invalid at byte"));
  EXPECT_EQ(ParseBoundedJson("", "f.json").status().message(),
            "f.json: not JSON (empty)");
  // Invalid UTF-8 inside a string is not JSON either.
  EXPECT_FALSE(ParseBoundedJson("\"\xff\"", "x").ok());
  // No prefix when `what` is empty.
  EXPECT_EQ(ParseBoundedJson("[[[", {.max_depth = 2}, "").status().message(),
            "JSON nested deeper than 2 levels");
}

TEST(BoundedJsonTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  nlohmann::json j = {{"path", std::string("/tmp/\xff\xfe/x")}};
  EXPECT_EQ(DumpJson(j), "{\"path\":\"/tmp/\xEF\xBF\xBD\xEF\xBF\xBD/x\"}");
  EXPECT_TRUE(nlohmann::json::accept(DumpJson(j)));
  EXPECT_EQ(DumpJson({{"a", 1}}, 2), "{\n  \"a\": 1\n}");
}

}  // namespace
}  // namespace poolops
