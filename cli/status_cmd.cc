// poolctl status, monitor commands (CLI.md). Being built: nothing registered yet.
#include "cli/commands.h"

namespace poolops::cli {

void AddStatusCommands(CLI::App& app, Context& ctx, int* exit_code) {}

}  // namespace poolops::cli
