#include "services/orchestrator/override_env_check.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/stack_migration.h"
#include "services/orchestrator/stack_variables.h"

namespace poolops::orchestrator {

std::vector<std::string> CheckOverrideEnv(v1::StackVersion version,
                                          std::string_view text,
                                          const std::set<std::string>& read) {
  std::vector<std::string> out;
  if (version != v1::STACK_VERSION_V9_3) return out;
  int n = 0;
  for (absl::string_view raw :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++n;
    std::string line(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line[0] == '#') continue;
    if (absl::StartsWith(line, "export ")) line = line.substr(7);
    size_t eq = line.find('=');
    std::string name(absl::StripAsciiWhitespace(line.substr(0, eq)));
    auto problem = [&](const std::string& why) {
      out.push_back(absl::StrCat("override.env:", n, ": ", name, ": ", why));
    };
    if (eq == std::string::npos || !IsEnvName(name)) {
      if (!IsEnvName(name)) name = "(line)";
      problem("not NAME=value");
      continue;
    }
    std::string value =
        UnquoteEnvValue(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (!read.count(name)) {
      if (auto why = WhyV9ReadsNo(name)) {
        problem(absl::StrCat(
            "a v8 variable the v9.3 files do not read (ignored): ", *why));
      } else if (absl::StartsWith(name, "IEXEC_") || name == "POOL_ADDRESS") {
        problem(
            "a container variable: override.env only feeds the compose "
            "files' $VARIABLES; set it under override_env in the spec");
      } else {
        problem("no compose file of this bundle reads it (ignored)");
      }
      continue;
    }
    std::optional<std::string> bad;
    if (name == "GAS_PRICE_MULTIPLIER") {
      bad = BadV9Value("IEXEC_GAS_PRICE_MULTIPLIER", value);
    } else if (name == "CHAIN_BLOCK_TIME") {
      bad = BadV9Value("IEXEC_BLOCK_TIME", value);
    }
    if (bad) problem(*bad);
  }
  return out;
}

}  // namespace poolops::orchestrator
