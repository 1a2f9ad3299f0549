// poolctl: the operator's command line over the poolops services (CLI.md).
#include <cstring>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "cli/commands.h"
#include "cli/context.h"

namespace {

// --json must shape errors even when parsing fails before CLI11 stores it.
bool WantsJson(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

// The deepest subcommand the user named.
CLI::App* Selected(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands()) {
    if (sub->parsed()) return Selected(sub);
  }
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  poolops::cli::Context ctx;
  int exit_code = 0;

  CLI::App app(
      "poolctl: run an iExec workerpool (wallets, chain, stacks, "
      "status) over the poolops services",
      "poolctl");
  app.set_version_flag("--version", std::string("poolctl ") + POOLOPS_VERSION);
  app.add_option("--home", ctx.home_flag,
                 "poolops home folder (default ~/.poolops)")
      ->envname("POOLOPS_HOME");
  app.add_flag("--json", ctx.json,
               "One JSON object on stdout (errors as {\"error\":{...}})");
  app.add_option("--chain", ctx.chain,
                 "Chain name (default: the home's default chain)");
  // Global flags are also accepted after the command: `poolctl wallet list
  // --json`.
  app.fallthrough();

  poolops::cli::AddServicesCommands(app, ctx, &exit_code);
  poolops::cli::AddWalletCommands(app, ctx, &exit_code);
  poolops::cli::AddDevnetCommands(app, ctx, &exit_code);
  poolops::cli::AddChainCommands(app, ctx, &exit_code);
  poolops::cli::AddChainOpsCommands(app, ctx, &exit_code);
  poolops::cli::AddOrderCommands(app, ctx, &exit_code);
  poolops::cli::AddPoolCommands(app, ctx, &exit_code);
  poolops::cli::AddStatusCommands(app, ctx, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    ctx.json = WantsJson(argc, argv);
    if (!ctx.json) std::cerr << "Run with --help for usage.\n";
    return ctx.Fail(absl::InvalidArgumentError(e.what()));
  }

  // A command group without its subcommand (or no command at all): usage.
  CLI::App* selected = Selected(&app);
  if (!selected->get_subcommands([](CLI::App*) { return true; }).empty() &&
      selected->get_subcommands().empty()) {
    std::cerr << selected->help();
    return ctx.Fail(absl::InvalidArgumentError(
        selected == &app
            ? "a command is required"
            : "poolctl " + selected->get_name() + " needs a subcommand"));
  }
  return exit_code;
}
