// Arbitrary bytes as a pool spec file (YAML, or JSON read as YAML): the
// parser with every limit of spec_text.h (size, UTF-8 text, nesting, alias
// expansion), duplicate keys, the limits of the parsed spec and the targets
// it names. Must never crash, hang or allocate without bound; what it
// returns must travel in proto3 strings (valid UTF-8). Accepted: the spec
// parses without violations, within its limits, and its targets parse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/orchestrator/spec_limits.h"
#include "services/orchestrator/spec_parser.h"
#include "services/orchestrator/spec_text.h"
#include "services/orchestrator/target_address.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

namespace o = poolops::orchestrator;

void MustBeUtf8(const std::string& s) {
  if (o::InvalidUtf8At(s) != std::string::npos) __builtin_trap();
}

// Whether the target parses.
bool Target(const std::string& text) {
  absl::StatusOr<o::TargetAddress> t = o::ParseTarget(text);
  MustBeUtf8(std::string(t.status().message()));
  if (!t.ok()) return false;
  if (t->kind != o::TargetAddress::Kind::kSsh) return true;
  // Nothing ssh could read as an option, nothing a shell reads as a line.
  if (t->host.empty() || t->host[0] == '-' ||
      (!t->user.empty() && t->user[0] == '-') || t->path[0] != '/' ||
      t->path.find_first_of("\n\r") != std::string::npos) {
    __builtin_trap();
  }
  // Its text form reads back the same.
  absl::StatusOr<o::TargetAddress> again = o::ParseTarget(t->ToString());
  if (!again.ok() || again->user != t->user || again->host != t->host ||
      again->port != t->port || again->path != t->path) {
    __builtin_trap();
  }
  return true;
}

}  // namespace

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<o::ParsedSpec> parsed = o::ParseSpec(text, "pool.yaml");
  MustBeUtf8(std::string(parsed.status().message()));
  if (!parsed.ok()) return false;
  for (const auto& v : parsed->violations) {
    MustBeUtf8(v.field());
    MustBeUtf8(v.message());
    MustBeUtf8(v.location());
  }
  std::vector<o::v1::Violation> limits =
      o::CheckSpecLimits(parsed->spec, parsed->locations);
  if (limits.empty()) {
    // Within its limits, the spec is a message the API can carry.
    std::string wire;
    o::v1::PoolSpec back;
    if (!parsed->spec.SerializeToString(&wire) || !back.ParseFromString(wire) ||
        back.workers_size() > o::kMaxSpecWorkers) {
      __builtin_trap();
    }
  }
  bool targets = Target(parsed->spec.core().target());
  for (const auto& w : parsed->spec.workers())
    targets = Target(w.target()) && targets;
  (void)parsed->locations.Of("workers[0].target");
  return parsed->violations.empty() && limits.empty() && targets;
}
