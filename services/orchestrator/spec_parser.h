// Reads a pool spec written as YAML or JSON (JSON is read as YAML) into the
// PoolSpec message, remembering the line of every field so that errors can
// say "pool.yaml:14". Keys are the proto field names (snake_case) or their
// lowerCamel JSON names; enums take their short names ("v7.1", "tee",
// "host", "iexec"). Unknown keys, wrong types and keys written twice are
// violations, collected all at once; a YAML syntax error or a broken limit
// (spec_text.h: size, UTF-8 text, nesting, alias expansion) stops the parse.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

// Where each field of a parsed spec was written: "workers[1].wallet" -> line
// (1-based). Parents are present too ("workers[1]", "workers").
class SpecLocations {
 public:
  SpecLocations() = default;
  explicit SpecLocations(std::string file) : file_(std::move(file)) {}
  void Set(const std::string& field, int line) { lines_[field] = line; }
  // "file:line" for the field or its closest recorded parent; the file alone
  // (or "") when nothing is known.
  std::string Of(const std::string& field) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::map<std::string, int> lines_;
};

struct ParsedSpec {
  v1::PoolSpec spec;
  SpecLocations locations;
  std::vector<v1::Violation> violations;  // shape errors (unknown keys, types)
};

// Returns InvalidArgument (naming file:line) when the text is not UTF-8
// YAML within the limits of spec_text.h or not a mapping at the top; shape
// errors go to `violations`.
absl::StatusOr<ParsedSpec> ParseSpec(std::string_view text,
                                     const std::string& file);

// "v7.1" for STACK_VERSION_V7_1, "rev-proxy-http" for FEATURE_REV_PROXY_HTTP:
// the short name an operator writes.
std::string EnumShortName(const google::protobuf::EnumValueDescriptor* value);

}  // namespace poolops::orchestrator
