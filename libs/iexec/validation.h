// Field checks of the iExec market API's request schemas (yup), with the
// API's messages: "<path> is a required field", "<path> must be an integer",
// "<path> must be greater than or equal to <min>", "<path> is not a valid
// ethereum address", "<path> must be a bytes32 hexstring", ...
//
// A value is a JSON value as received (query parameters are JSON strings);
// nullptr means absent. Failures are InvalidArgumentError (HTTP 400).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "nlohmann/json.hpp"

namespace poolops::iexec {

// JavaScript's Number.MAX_SAFE_INTEGER: the API's upper bound for numbers.
inline constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

// An integer in [min, max] given as a JSON number or a numeric string (cast
// as JavaScript's unary + does).
absl::StatusOr<std::optional<uint64_t>> IntegerField(
    const nlohmann::json* value, std::string_view path, uint64_t min,
    uint64_t max, bool required);

// An Ethereum address in any letter case (returned as an Address; EIP-55
// when printed).
absl::StatusOr<std::optional<eth::Address>> AddressField(
    const nlohmann::json* value, std::string_view path, bool required);

// An address or the keyword "any".
struct AddressOrAny {
  bool any = false;
  eth::Address address;
};
absl::StatusOr<std::optional<AddressOrAny>> AddressOrAnyField(
    const nlohmann::json* value, std::string_view path);

// "0x" + 64 hex digits, lowercased.
absl::StatusOr<std::optional<std::string>> Bytes32Field(
    const nlohmann::json* value, std::string_view path, bool required);

// true/false/1/0 in any case.
absl::StatusOr<std::optional<bool>> BooleanField(const nlohmann::json* value,
                                                 std::string_view path);

// A string that starts with "0x" (the API's signature check).
absl::StatusOr<std::optional<std::string>> SignField(
    const nlohmann::json* value, std::string_view path, bool required);

// A JSON value as the API prints it in messages: strings quoted.
std::string PrintValue(const nlohmann::json& value);

}  // namespace poolops::iexec
