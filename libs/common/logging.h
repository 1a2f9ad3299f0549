// spdlog set-up: stderr and logs/<service>.log in the home (0600).
// Never log secrets: passwords, private keys, keystore JSON, raw signatures
// are not passed to the logger anywhere in poolops.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace poolops {

absl::Status InitLogging(std::string_view service_name, std::string_view home,
                         std::string_view level = "info");

}  // namespace poolops
