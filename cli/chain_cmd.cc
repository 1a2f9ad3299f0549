// poolctl chain commands (CLI.md). Being built: nothing registered yet.
#include "cli/commands.h"

namespace poolops::cli {

void AddChainCommands(CLI::App& app, Context& ctx, int* exit_code) {}

}  // namespace poolops::cli
