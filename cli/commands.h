// Each command group adds its subcommands to the poolctl app. A callback
// stores its exit code in *exit_code (0 on success).
#pragma once

#include "CLI/CLI.hpp"
#include "cli/context.h"

namespace poolops::cli {

void AddServicesCommands(CLI::App& app, Context& ctx, int* exit_code);
void AddWalletCommands(CLI::App& app, Context& ctx, int* exit_code);
void AddDevnetCommands(CLI::App& app, Context& ctx, int* exit_code);
// devnet fund, over chain-gateway (devnet_fund_cmd.cc).
void AddDevnetFundCommand(CLI::App* devnet, Context& ctx, int* exit_code);
// chain list|show|add|import (chain_cmd.cc).
void AddChainCommands(CLI::App& app, Context& ctx, int* exit_code);
// account, workerpool (chain_ops_cmd.cc).
void AddChainOpsCommands(CLI::App& app, Context& ctx, int* exit_code);
// order, orderbook, publisher (order_cmd.cc).
void AddOrderCommands(CLI::App& app, Context& ctx, int* exit_code);
// pool validate|render|plan|up|down|history|rollback (pool_cmd.cc).
void AddPoolCommands(CLI::App& app, Context& ctx, int* exit_code);
// `pool stats` (pool_stats_cmd.cc), under the pool group.
void AddPoolStats(CLI::App* pool, Context& ctx, int* exit_code);
// status, monitor watch|... (status_cmd.cc).
void AddStatusCommands(CLI::App& app, Context& ctx, int* exit_code);
// commands: the command tree as --help knows it (commands_cmd.cc).
void AddCommandsCommand(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace poolops::cli
