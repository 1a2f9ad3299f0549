// Each command group adds its subcommands to the poolctl app. A callback
// stores its exit code in *exit_code (0 on success).
#pragma once

#include "CLI/CLI.hpp"
#include "cli/context.h"

namespace poolops::cli {

void AddServicesCommands(CLI::App& app, Context& ctx, int* exit_code);
void AddWalletCommands(CLI::App& app, Context& ctx, int* exit_code);
void AddDevnetCommands(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace poolops::cli
