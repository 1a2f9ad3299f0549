#include "devnet/simulators/spring_values.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "devnet/simulators/http_client.h"

namespace poolops::sim {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads [+-]?[0-9]+ at s[*i]; false when there are no digits or too many.
// *negative keeps the sign of "-0" (PT-0.5S).
bool ReadSignedInt(const std::string& s, size_t* i, int64_t* out,
                   bool* negative) {
  *negative = false;
  if (*i < s.size() && (s[*i] == '+' || s[*i] == '-')) {
    *negative = s[(*i)++] == '-';
  }
  size_t start = *i;
  while (*i < s.size() && IsDigit(s[*i])) ++*i;
  if (*i == start || !absl::SimpleAtoi(s.substr(start, *i - start), out)) {
    return false;
  }
  if (*negative) *out = -*out;
  return true;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseIsoDuration(const std::string& text) {
  const std::string s = absl::AsciiStrToUpper(text);
  auto bad = [&text] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not an ISO-8601 duration (e.g. PT5S, PT0.25S)"));
  };
  size_t i = 0;
  bool negate = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negate = s[i++] == '-';
  if (i >= s.size() || s[i++] != 'P') return bad();
  absl::Duration total = absl::ZeroDuration();
  bool in_time = false;
  bool any_part = false;
  bool any_time_part = false;
  int last_rank = -1;  // D, H, M, S in this order, each at most once
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return bad();
      in_time = true;
      ++i;
      continue;
    }
    int64_t n = 0;
    bool negative = false;
    if (!ReadSignedInt(s, &i, &n, &negative)) return bad();
    int64_t nanos = 0;
    bool fraction = false;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      size_t start = ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i - start > 9) return bad();
      std::string digits = s.substr(start, i - start);
      digits.resize(9, '0');
      absl::SimpleAtoi(digits, &nanos);
      fraction = true;
    }
    if (i >= s.size()) return bad();
    char unit = s[i++];
    int rank = 0;
    absl::Duration part;
    switch (unit) {
      case 'D':
        if (in_time) return bad();
        rank = 0;
        part = absl::Hours(24) * n;
        break;
      case 'H':
        rank = 1;
        part = absl::Hours(n);
        break;
      case 'M':
        rank = 2;
        part = absl::Minutes(n);
        break;
      case 'S':
        rank = 3;
        // The fraction takes the seconds' sign: PT-0.5S is -500ms.
        part = absl::Seconds(n) + (negative ? -absl::Nanoseconds(nanos)
                                            : absl::Nanoseconds(nanos));
        break;
      default:
        return bad();
    }
    if ((rank > 0) != in_time || (fraction && unit != 'S') ||
        rank <= last_rank) {
      return bad();
    }
    last_rank = rank;
    total += part;
    any_part = true;
    any_time_part = any_time_part || in_time;
  }
  if (!any_part || (in_time && !any_time_part)) return bad();
  return negate ? -total : total;
}

absl::StatusOr<SpringDuration> ParseSpringDuration(const std::string& text) {
  std::string s(absl::StripAsciiWhitespace(text));
  size_t body = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (body < s.size() && (s[body] == 'P' || s[body] == 'p')) {
    absl::StatusOr<absl::Duration> iso = ParseIsoDuration(s);
    if (!iso.ok()) return iso.status();
    return SpringDuration{*iso, false};
  }
  size_t i = 0;
  int64_t n = 0;
  bool negative = false;
  if (!ReadSignedInt(s, &i, &n, &negative)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a duration (ISO-8601 such as PT5S, or 5s)"));
  }
  std::string unit = absl::AsciiStrToLower(s.substr(i));
  if (unit.empty()) return SpringDuration{absl::Milliseconds(n), true};
  if (unit == "ns") return SpringDuration{absl::Nanoseconds(n), false};
  if (unit == "us") return SpringDuration{absl::Microseconds(n), false};
  if (unit == "ms") return SpringDuration{absl::Milliseconds(n), false};
  if (unit == "s") return SpringDuration{absl::Seconds(n), false};
  if (unit == "m") return SpringDuration{absl::Minutes(n), false};
  if (unit == "h") return SpringDuration{absl::Hours(n), false};
  if (unit == "d") return SpringDuration{absl::Hours(24) * n, false};
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' has an unknown duration unit (ns, us, ms, s, m, h, d)"));
}

absl::Status CheckBlockTime(const std::string& what,
                            absl::Duration block_time) {
  if (block_time >= kMinBlockTime && block_time <= kMaxBlockTime) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is ", absl::FormatDuration(block_time),
                   ": the 9.x services want a block time within 100ms..20s"));
}

absl::StatusOr<absl::Duration> EnvBlockTime(const Env& env,
                                            const std::string& name,
                                            absl::Duration fallback) {
  std::string text = EnvOr(env, name, "");
  if (text.empty()) return fallback;
  absl::StatusOr<SpringDuration> d = ParseSpringDuration(text);
  if (!d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": ", d.status().message()));
  }
  absl::Status range = CheckBlockTime(absl::StrCat(name, "=", text), d->value);
  if (!range.ok() && d->bare_number) {
    // The v8 adapter read whole seconds; Spring reads a bare number as ms.
    return absl::InvalidArgumentError(absl::StrCat(
        name, "=", text, " is read by Spring as ", text,
        " ms (a bare number is milliseconds), outside the 100ms..20s the "
        "9.x services accept: write an ISO-8601 duration, e.g. PT",
        text, "S"));
  }
  if (!range.ok()) return range;
  return d->value;
}

absl::StatusOr<double> EnvPositiveDecimal(const Env& env,
                                          const std::string& name,
                                          double fallback) {
  std::string text = EnvOr(env, name, "");
  if (text.empty()) return fallback;
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, "='", text, "': must be a decimal greater than 0 (e.g. 1.0)"));
  }
  return value;
}

absl::StatusOr<int64_t> EnvNonNegativeInt64(const Env& env,
                                            const std::string& name,
                                            int64_t fallback) {
  std::string text = EnvOr(env, name, "");
  if (text.empty()) return fallback;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "='", text, "': must be a decimal integer >= 0"));
  }
  return value;
}

bool IsEthAddress(const std::string& s) {
  if (s.size() != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    return false;
  }
  for (size_t i = 2; i < s.size(); ++i) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsZeroAddress(const std::string& s) {
  return IsEthAddress(s) && s.find_first_not_of('0', 2) == std::string::npos;
}

absl::StatusOr<std::string> EnvNonZeroAddress(const Env& env,
                                              const std::string& name,
                                              const std::string& fallback) {
  std::string value = EnvOr(env, name, fallback);
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is required (0x + 40 hex digits)"));
  }
  if (!IsEthAddress(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, "='", value, "' is not an address (0x + 40 hex digits)"));
  }
  if (IsZeroAddress(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " is the zero address"));
  }
  return value;
}

absl::Status CheckUrl(const std::string& what, const std::string& url,
                      UrlSchemes schemes) {
  std::string lower = absl::AsciiStrToLower(url);
  std::string as_http = url;
  if (absl::StartsWith(lower, "https://")) {
    if (schemes == UrlSchemes::kHttpOnly) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, "='", url,
                       "': the simulator calls it and speaks plain http only"));
    }
    as_http = absl::StrCat("http://", url.substr(8));
  } else if (absl::StartsWith(lower, "http://")) {
    as_http = absl::StrCat("http://", url.substr(7));
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        what, "='", url, "' is not an ",
        schemes == UrlSchemes::kHttpOnly ? "http" : "http(s)", " URL"));
  }
  absl::StatusOr<HttpUrl> parsed = ParseHttpUrl(as_http);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "='", url, "': ", parsed.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EnvUrl(const Env& env, const std::string& name,
                                   const std::string& fallback,
                                   UrlSchemes schemes) {
  std::string value = EnvOr(env, name, fallback);
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " is required (an ",
        schemes == UrlSchemes::kHttpOnly ? "http" : "http(s)", " URL)"));
  }
  absl::Status ok = CheckUrl(name, value, schemes);
  if (!ok.ok()) return ok;
  return value;
}

}  // namespace poolops::sim
