#include "libs/iexec/validation.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace poolops::iexec {
namespace {

using nlohmann::json;

absl::Status Invalid(std::string_view path, std::string_view rest) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(path), std::string(rest)));
}

absl::Status Required(std::string_view path) {
  return Invalid(path, " is a required field");
}

// String conversion of a non-string value, as a JavaScript string schema
// casts it (numbers and booleans print as JavaScript would).
std::optional<std::string> AsString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return std::nullopt;
}

// JavaScript's +"text": NaN when not a number.
double JsNumber(std::string text) {
  std::string s;
  for (char c : text)
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) s.push_back(c);
  if (s.empty()) return NAN;
  if (s == "Infinity" || s == "+Infinity") return INFINITY;
  if (s == "-Infinity") return -INFINITY;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    double out = 0;
    for (size_t i = 2; i < s.size(); ++i) {
      int d = absl::ascii_isdigit(static_cast<unsigned char>(s[i]))
                  ? s[i] - '0'
                  : (absl::ascii_isxdigit(static_cast<unsigned char>(s[i]))
                         ? absl::ascii_tolower(s[i]) - 'a' + 10
                         : -1);
      if (d < 0) return NAN;
      out = out * 16 + d;
    }
    return out;
  }
  for (char c : s)  // strtod also takes "inf", "nan" and hex floats
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '.' &&
        c != 'e' && c != 'E' && c != '+' && c != '-')
      return NAN;
  char* end = nullptr;
  double out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() ? out : NAN;
}

}  // namespace

std::string PrintValue(const json& value) {
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isnan(d)) return "NaN";
  }
  return value.dump();
}

absl::StatusOr<std::optional<uint64_t>> IntegerField(const json* value,
                                                     std::string_view path,
                                                     uint64_t min, uint64_t max,
                                                     bool required) {
  if (value == nullptr || value->is_null()) {
    if (required) return Required(path);
    return std::nullopt;
  }
  double d = NAN;
  if (value->is_number()) {
    d = value->get<double>();
  } else if (value->is_string()) {
    d = JsNumber(value->get<std::string>());
  }
  if (std::isnan(d)) {
    std::string cast = value->is_number()
                           ? "."
                           : absl::StrCat(" (cast from the value `",
                                          PrintValue(*value), "`).");
    return Invalid(path, absl::StrCat(" must be a `number` type, but the "
                                      "final value was: `NaN`",
                                      cast));
  }
  if (std::isinf(d) || d != std::floor(d))
    return Invalid(path, " must be an integer");
  if (d < static_cast<double>(min))
    return Invalid(path,
                   absl::StrCat(" must be greater than or equal to ", min));
  if (d > static_cast<double>(max))
    return Invalid(path, absl::StrCat(" must be less than or equal to ", max));
  return static_cast<uint64_t>(d);
}

absl::StatusOr<std::optional<eth::Address>> AddressField(const json* value,
                                                         std::string_view path,
                                                         bool required) {
  if (value == nullptr || value->is_null()) {
    if (required) return Required(path);
    return std::nullopt;
  }
  std::optional<std::string> text = AsString(*value);
  if (text.has_value()) {
    absl::StatusOr<eth::Address> a =
        eth::Address::Parse(absl::AsciiStrToLower(*text));
    if (a.ok()) return *a;
  }
  return Invalid(path, " is not a valid ethereum address");
}

absl::StatusOr<std::optional<AddressOrAny>> AddressOrAnyField(
    const json* value, std::string_view path) {
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_string() && value->get<std::string>() == "any")
    return AddressOrAny{true, eth::Address()};
  std::optional<std::string> text = AsString(*value);
  if (text.has_value()) {
    absl::StatusOr<eth::Address> a =
        eth::Address::Parse(absl::AsciiStrToLower(*text));
    if (a.ok()) return AddressOrAny{false, *a};
  }
  return Invalid(path, " is neither \"any\" nor a valid ethereum address");
}

absl::StatusOr<std::optional<std::string>> Bytes32Field(const json* value,
                                                        std::string_view path,
                                                        bool required) {
  if (value == nullptr || value->is_null()) {
    if (required) return Required(path);
    return std::nullopt;
  }
  std::optional<std::string> text = AsString(*value);
  if (text.has_value()) {
    std::string lower = absl::AsciiStrToLower(*text);
    bool ok = lower.size() == 66 && absl::StartsWith(lower, "0x");
    for (size_t i = 2; ok && i < lower.size(); ++i)
      ok = absl::ascii_isxdigit(static_cast<unsigned char>(lower[i]));
    if (ok) return lower;
  }
  return Invalid(path, " must be a bytes32 hexstring");
}

absl::StatusOr<std::optional<bool>> BooleanField(const json* value,
                                                 std::string_view path) {
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  std::optional<std::string> text = AsString(*value);
  if (text.has_value()) {
    std::string lower = absl::AsciiStrToLower(*text);
    if (lower == "true" || lower == "1") return true;
    if (lower == "false" || lower == "0") return false;
  }
  return Invalid(path,
                 absl::StrCat(" must be a `boolean` type, but the final value "
                              "was: `",
                              PrintValue(*value), "`."));
}

absl::StatusOr<std::optional<std::string>> SignField(const json* value,
                                                     std::string_view path,
                                                     bool required) {
  if (value == nullptr || value->is_null()) {
    if (required) return Required(path);
    return std::nullopt;
  }
  std::optional<std::string> text = AsString(*value);
  if (text.has_value() && absl::StartsWith(*text, "0x")) return *text;
  return Invalid(path, " must be a valid signature");
}

}  // namespace poolops::iexec
