// An amount of RLC, held exactly in nRLC (1 RLC = 10^9 nRLC) on eth::U256:
// what stakes, prices and balances are, instead of decimal strings compared
// and subtracted by hand.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/uint256.h"
#include "libs/eth/units.h"

namespace poolops::iexec {

class NRlc {
 public:
  NRlc() = default;
  explicit NRlc(const eth::U256& nrlc) : nrlc_(nrlc) {}

  // Strictly "<decimal>" or "<decimal> <unit>" with unit RLC or nRLC (any
  // case), e.g. "1.5 RLC", "1500000000 nRLC", "1500000000" (in
  // `default_unit`). Decimal: digits with at most one '.', no sign, exponent
  // or padding; finer than 1 nRLC is refused. InvalidArgumentError naming
  // the text.
  static absl::StatusOr<NRlc> Parse(std::string_view text,
                                    eth::Unit default_unit = eth::Unit::kNRlc);

  const eth::U256& nrlc() const { return nrlc_; }
  bool IsZero() const { return nrlc_.IsZero(); }
  std::string NrlcDecimal() const;  // "1500000000"
  std::string RlcDecimal() const;   // "1.5" (no trailing zeros)
  std::string ToString() const;     // "1500000000 nRLC (1.5 RLC)"

  // OutOfRangeError on overflow (Plus) or below zero (Minus).
  absl::StatusOr<NRlc> Plus(const NRlc& o) const;
  absl::StatusOr<NRlc> Minus(const NRlc& o) const;

  friend bool operator==(const NRlc& a, const NRlc& b) {
    return a.nrlc_ == b.nrlc_;
  }
  friend bool operator!=(const NRlc& a, const NRlc& b) { return !(a == b); }
  friend bool operator<(const NRlc& a, const NRlc& b) {
    return a.nrlc_ < b.nrlc_;
  }
  friend bool operator>(const NRlc& a, const NRlc& b) { return b < a; }
  friend bool operator<=(const NRlc& a, const NRlc& b) { return !(b < a); }
  friend bool operator>=(const NRlc& a, const NRlc& b) { return !(a < b); }

 private:
  eth::U256 nrlc_;
};

}  // namespace poolops::iexec
