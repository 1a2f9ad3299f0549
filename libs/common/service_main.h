// The whole main() of a poolops service: harden the process (no core dumps,
// not dumpable: process_hardening.h), parse the common flags, set up
// logging, then `serve` builds the service objects and calls RunServer.
// Returns the process exit code: 2 for bad flags or logging set-up, 1 when
// `serve` fails (logged), 0 after a clean stop.
#pragma once

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "libs/common/server.h"

namespace poolops {

int ServiceMain(int argc, char** argv, std::string_view service_name,
                const std::function<absl::Status(const ServerOptions&)>& serve);

}  // namespace poolops
