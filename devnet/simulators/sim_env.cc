#include "devnet/simulators/sim_env.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace poolops::sim {

Env ProcessEnv() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

std::string EnvOr(const Env& env, const std::string& name,
                  const std::string& fallback) {
  auto it = env.find(name);
  if (it == env.end()) return fallback;
  std::string value(absl::StripAsciiWhitespace(it->second));
  return value.empty() ? fallback : value;
}

absl::StatusOr<int> EnvInt(const Env& env, const std::string& name,
                           int fallback) {
  std::string value = EnvOr(env, name, "");
  if (value.empty()) return fallback;
  int out = 0;
  if (!absl::SimpleAtoi(value, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is not an integer: '", value, "'"));
  }
  return out;
}

absl::StatusOr<bool> EnvBool(const Env& env, const std::string& name,
                             bool fallback) {
  std::string value = absl::AsciiStrToLower(EnvOr(env, name, ""));
  if (value.empty()) return fallback;
  if (value == "true") return true;
  if (value == "false") return false;
  return absl::InvalidArgumentError(
      absl::StrCat(name, " is not true/false: '", value, "'"));
}

}  // namespace poolops::sim
