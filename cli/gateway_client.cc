#include "cli/gateway_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace poolops::cli {

absl::StatusOr<cv1::Amount::Unit> ParseUnitFlag(const std::string& unit) {
  std::string u = absl::AsciiStrToLower(unit);
  if (u.empty()) return cv1::Amount::UNIT_UNSPECIFIED;
  if (u == "rlc") return cv1::Amount::UNIT_RLC;
  if (u == "nrlc") return cv1::Amount::UNIT_NRLC;
  if (u == "wei") return cv1::Amount::UNIT_WEI;
  return absl::InvalidArgumentError(
      absl::StrCat("--unit \"", unit, "\" is not RLC, nRLC or wei"));
}

}  // namespace poolops::cli
