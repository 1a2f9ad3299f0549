#include "libs/common/bounded_json.h"

#include "absl/strings/str_cat.h"

namespace poolops {
namespace {

std::string Prefixed(std::string_view what, std::string_view message) {
  if (what.empty()) return std::string(message);
  return absl::StrCat(std::string(what), ": ", std::string(message));
}

}  // namespace

bool JsonNestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

absl::StatusOr<nlohmann::json> ParseBoundedJson(std::string_view text,
                                                JsonLimits limits,
                                                std::string_view what) {
  if (text.size() > limits.max_bytes)
    return absl::InvalidArgumentError(Prefixed(
        what,
        absl::StrCat("JSON of ", text.size(), " bytes exceeds the cap of ",
                     limits.max_bytes, " bytes")));
  if (!JsonNestingWithin(text, limits.max_depth))
    return absl::InvalidArgumentError(Prefixed(
        what,
        absl::StrCat("JSON nested deeper than ", limits.max_depth, " levels")));
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(Prefixed(
        what, text.empty()
                  ? std::string("not JSON (empty)")
                  : absl::StrCat("not JSON (invalid at byte ", e.byte, ")")));
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(Prefixed(what, "not JSON"));
  }
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false,
                nlohmann::json::error_handler_t::replace);
}

}  // namespace poolops
