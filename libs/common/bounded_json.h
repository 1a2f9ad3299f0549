// JSON from outside the process (nodes, markets, cores, clients, files a
// person may have edited) is parsed only within limits: its size and its
// nesting are checked by a flat scan BEFORE nlohmann builds anything, since
// nlohmann's copy, compare and destroy recurse per level and a deep document
// (a million '[') exhausts the stack of whoever touches it afterwards.
// Dumps of JSON holding outside strings replace invalid UTF-8 instead of
// throwing (an uncaught throw would abort the process).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace poolops {

struct JsonLimits {
  size_t max_bytes = 4 << 20;
  // Real documents of the suite (typed data, chain.json, market answers,
  // JSON-RPC results) nest fewer than 20 levels.
  int max_depth = 64;
};

// Parses `text` as one JSON value. InvalidArgument naming `what` (e.g.
// "market http://m: GET /challenge") when it is larger than the limits
// allow, nested deeper, or not JSON (with the byte where it stops being
// JSON). An empty `what` leaves the message without a prefix.
absl::StatusOr<nlohmann::json> ParseBoundedJson(std::string_view text,
                                                JsonLimits limits,
                                                std::string_view what);
inline absl::StatusOr<nlohmann::json> ParseBoundedJson(std::string_view text,
                                                       std::string_view what) {
  return ParseBoundedJson(text, JsonLimits{}, what);
}

// True when no array or object in `text` (outside strings) opens more than
// `max_depth` levels deep. Flat: constant stack whatever the input.
bool JsonNestingWithin(std::string_view text, int max_depth);

// j.dump(indent) that never throws: invalid UTF-8 in strings becomes U+FFFD.
std::string DumpJson(const nlohmann::json& j, int indent = -1);

}  // namespace poolops
