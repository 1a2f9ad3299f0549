#include "libs/iexec/rlc.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace poolops::iexec {
namespace {

absl::Status Refuse(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text.substr(0, 80)),
                   "\" is not an RLC amount: ", std::string(why)));
}

}  // namespace

absl::StatusOr<NRlc> NRlc::Parse(std::string_view text,
                                 eth::Unit default_unit) {
  std::string_view number = text;
  eth::Unit unit = default_unit;
  if (size_t space = text.find(' '); space != std::string_view::npos) {
    number = text.substr(0, space);
    std::string name =
        absl::AsciiStrToLower(std::string(text.substr(space + 1)));
    if (name == "rlc") {
      unit = eth::Unit::kRlc;
    } else if (name == "nrlc") {
      unit = eth::Unit::kNRlc;
    } else {
      return Refuse(text, "the unit is RLC or nRLC");
    }
  }
  if (unit != eth::Unit::kRlc && unit != eth::Unit::kNRlc)
    return Refuse(text, "the unit is RLC or nRLC");
  if (number.empty()) return Refuse(text, "no number");
  int dots = 0;
  for (char c : number) {
    if (c == '.') {
      ++dots;
    } else if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return Refuse(text, "digits and one '.' only");
    }
  }
  if (dots > 1 || number.front() == '.' || number.back() == '.')
    return Refuse(text, "digits and one '.' only");
  absl::StatusOr<eth::U256> v =
      eth::ParseAmount(number, unit, eth::Unit::kNRlc);
  if (!v.ok()) return Refuse(text, std::string(v.status().message()));
  return NRlc(*v);
}

std::string NRlc::NrlcDecimal() const { return nrlc_.ToDecimal(); }

std::string NRlc::RlcDecimal() const {
  return eth::FormatAmount(nrlc_, eth::Unit::kNRlc, eth::Unit::kRlc);
}

std::string NRlc::ToString() const {
  return absl::StrCat(NrlcDecimal(), " nRLC (", RlcDecimal(), " RLC)");
}

absl::StatusOr<NRlc> NRlc::Plus(const NRlc& o) const {
  absl::StatusOr<eth::U256> sum = nrlc_.CheckedAdd(o.nrlc_);
  if (!sum.ok())
    return absl::OutOfRangeError(absl::StrCat(
        NrlcDecimal(), " + ", o.NrlcDecimal(), " nRLC overflows 256 bits"));
  return NRlc(*sum);
}

absl::StatusOr<NRlc> NRlc::Minus(const NRlc& o) const {
  if (*this < o)
    return absl::OutOfRangeError(absl::StrCat(
        NrlcDecimal(), " - ", o.NrlcDecimal(), " nRLC is below zero"));
  return NRlc(nrlc_ - o.nrlc_);
}

}  // namespace poolops::iexec
