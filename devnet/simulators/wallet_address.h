// Reads the "address" field of an Ethereum keystore (V3) file. The
// simulators never decrypt: the password variables are read and ignored.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace poolops::sim {

// Returns "0x" + 40 lower-case hex digits.
absl::StatusOr<std::string> WalletAddressFromKeystore(const std::string& json);
absl::StatusOr<std::string> ReadWalletAddress(const std::string& path);

}  // namespace poolops::sim
