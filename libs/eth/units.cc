#include "libs/eth/units.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace poolops::eth {

absl::StatusOr<Unit> ParseUnit(std::string_view name) {
  std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "wei") return Unit::kWei;
  if (lower == "nrlc") return Unit::kNRlc;
  if (lower == "rlc") return Unit::kRlc;
  if (lower == "ether" || lower == "eth") return Unit::kEther;
  return absl::InvalidArgumentError(
      absl::StrCat("unit: unknown unit \"", std::string(name),
                   "\" (expected wei, nRLC, RLC or ether)"));
}

std::string UnitName(Unit unit) {
  switch (unit) {
    case Unit::kWei:
      return "wei";
    case Unit::kNRlc:
      return "nRLC";
    case Unit::kRlc:
      return "RLC";
    case Unit::kEther:
      return "ether";
  }
  return "wei";
}

int UnitDecimals(Unit unit) {
  switch (unit) {
    case Unit::kWei:
      return 0;
    case Unit::kNRlc:
      return 9;
    case Unit::kRlc:
    case Unit::kEther:
      return 18;
  }
  return 0;
}

absl::StatusOr<U256> ParseAmount(std::string_view text, Unit unit, Unit base) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount \"", std::string(text), "\": ", std::string(why)));
  };
  if (text.empty()) return bad("empty");
  size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (int_part.empty() || (dot != std::string_view::npos && frac_part.empty()))
    return bad("expected digits with an optional fraction, e.g. 1.5");
  for (std::string_view part : {int_part, frac_part})
    for (char c : part)
      if (c < '0' || c > '9')
        return bad(c == '-' ? "negative amounts are not allowed"
                            : "only decimal digits and one '.' are allowed");
  while (!frac_part.empty() && frac_part.back() == '0')
    frac_part.remove_suffix(1);
  // value = digits * 10^exponent, in units of `base`.
  std::string digits =
      absl::StrCat(std::string(int_part), std::string(frac_part));
  int exponent = UnitDecimals(unit) - UnitDecimals(base) -
                 static_cast<int>(frac_part.size());
  while (exponent < 0 && digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (exponent < 0 && digits.find_first_not_of('0') != std::string::npos)
    return bad(absl::StrCat("more precise than 1 ", UnitName(base)));
  if (exponent < 0) return U256();  // all zeros
  absl::StatusOr<U256> value = U256::FromDecimal(digits, "amount");
  if (!value.ok()) return bad("too large");
  U256 scale = 1;
  for (int i = 0; i < exponent; ++i) scale = scale * 10;
  absl::StatusOr<U256> out = value->CheckedMul(scale);
  if (!out.ok()) return bad("too large");
  return out;
}

std::string FormatAmount(const U256& amount, Unit base, Unit unit) {
  std::string digits = amount.ToDecimal();
  int shift = UnitDecimals(unit) - UnitDecimals(base);
  if (shift <= 0) {
    if (!amount.IsZero()) digits.append(static_cast<size_t>(-shift), '0');
    return digits;
  }
  size_t frac_len = static_cast<size_t>(shift);
  if (digits.size() <= frac_len)
    digits.insert(0, frac_len + 1 - digits.size(), '0');
  std::string int_part = digits.substr(0, digits.size() - frac_len);
  std::string frac_part = digits.substr(digits.size() - frac_len);
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
  return frac_part.empty() ? int_part : absl::StrCat(int_part, ".", frac_part);
}

}  // namespace poolops::eth
