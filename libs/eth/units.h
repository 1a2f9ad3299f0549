// Amount units: wei (10^-18 ETH-like native), nRLC (10^-9 RLC), RLC.
// On native iExec chains 1 nRLC of stake = 10^9 wei of native value.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/uint256.h"

namespace poolops::eth {

enum class Unit { kWei, kNRlc, kRlc, kEther };

// Parses "wei", "nRLC", "RLC", "ether"/"eth" (case-insensitive).
absl::StatusOr<Unit> ParseUnit(std::string_view name);
std::string UnitName(Unit unit);  // "wei", "nRLC", "RLC", "ether"

// Parses a decimal amount ("1.5", "100", "0.000000001") in `unit` into the
// base unit `base` (kWei or kNRlc). Fractions finer than `base`, negative
// numbers, exponents and garbage are InvalidArgumentErrors.
absl::StatusOr<U256> ParseAmount(std::string_view text, Unit unit, Unit base);

// Formats `amount` expressed in `base` as a decimal string in `unit`, without
// trailing zeros ("1.5", "0", "1000").
std::string FormatAmount(const U256& amount, Unit base, Unit unit);

// Decimal exponent of a unit relative to wei: wei 0, nRLC 9, RLC 18, ether 18.
int UnitDecimals(Unit unit);

}  // namespace poolops::eth
