#include "services/orchestrator/spring_duration.h"

#include <cstdint>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace poolops::orchestrator {
namespace {

// Digits with an optional fraction, as a Duration in `unit`s.
bool Amount(const std::string& digits, absl::Duration unit,
            absl::Duration* out) {
  if (digits.empty()) return true;
  size_t dot = digits.find('.');
  int64_t whole = 0;
  if (!absl::SimpleAtoi(digits.substr(0, dot), &whole) || whole > 1000000) {
    return false;
  }
  *out += whole * unit;
  if (dot == std::string::npos) return true;
  std::string frac = digits.substr(dot + 1);
  if (frac.empty() || frac.size() > 9) return false;
  int64_t n = 0;
  if (!absl::SimpleAtoi(frac, &n)) return false;
  int64_t scale = 1;
  for (size_t i = 0; i < frac.size(); ++i) scale *= 10;
  *out += unit * n / scale;
  return true;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseSpringDuration(const std::string& text,
                                                   const std::string& what) {
  const std::string t(absl::StripAsciiWhitespace(text));
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(what, " '", t, "': ", why));
  };
  if (t.size() > 40) return bad("too long for a duration");
  static const std::regex kIso(
      "P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\\.[0-9]+)?)"
      "S)?)?",
      std::regex::icase);
  static const std::regex kSimple("([0-9]+)(ns|us|ms|s|m|h|d)");
  std::smatch m;
  absl::Duration d = absl::ZeroDuration();
  if (std::regex_match(t, m, kIso) && t.size() > 1 &&
      absl::AsciiStrToUpper(t) != "PT") {
    if (!Amount(m[1], absl::Hours(24), &d) ||
        !Amount(m[2], absl::Hours(1), &d) ||
        !Amount(m[3], absl::Minutes(1), &d) ||
        !Amount(m[4], absl::Seconds(1), &d)) {
      return bad("a number out of range");
    }
    return d;
  }
  if (std::regex_match(t, m, kSimple)) {
    static const std::pair<const char*, absl::Duration> kUnits[] = {
        {"ns", absl::Nanoseconds(1)},  {"us", absl::Microseconds(1)},
        {"ms", absl::Milliseconds(1)}, {"s", absl::Seconds(1)},
        {"m", absl::Minutes(1)},       {"h", absl::Hours(1)},
        {"d", absl::Hours(24)}};
    for (const auto& [unit, size] : kUnits) {
      if (m[2] == unit && Amount(m[1], size, &d)) return d;
    }
    return bad("a number out of range");
  }
  int64_t bare;
  if (absl::SimpleAtoi(t, &bare)) {
    return bad(absl::StrCat(
        "a bare number is read as milliseconds by the 9.x services (", bare,
        " ms); write an ISO-8601 duration such as PT", bare, "S"));
  }
  return bad("not an ISO-8601 duration (PT5S, PT0.25S) nor 250ms/5s");
}

std::string IsoSeconds(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  std::string out = absl::StrCat("PT", ms / 1000);
  if (int64_t frac = ms % 1000; frac != 0) {
    std::string digits = absl::StrCat(1000 + frac).substr(1);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    absl::StrAppend(&out, ".", digits);
  }
  return out + "S";
}

absl::Status CheckV9BlockTime(absl::Duration d, const std::string& what) {
  if (d < absl::Milliseconds(100) || d > absl::Seconds(20)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " ", IsoSeconds(d),
        ": core 9.3 refuses to start with a block time outside 100 ms to 20 "
        "s"));
  }
  return absl::OkStatus();
}

}  // namespace poolops::orchestrator
