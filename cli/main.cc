// poolctl: the operator's command line over the poolops services (CLI.md).
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "libs/common/files.h"

namespace {

// --json must shape errors even when parsing fails before CLI11 stores it.
bool WantsJson(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

// CLI11 reads a word that names a command as that command even where an
// optional positional is expected, so `poolctl status devnet` would run the
// devnet command. For the commands with an optional positional, the word
// after them goes to their hidden option instead (`status --pool=devnet`).
std::vector<std::string> OptionalPositionals(int argc, char** argv) {
  struct Rule {
    std::vector<std::string> path;
    const char* option;
  };
  static const Rule kRules[] = {{{"status"}, "--pool"},
                                {{"chain", "show"}, "--name"}};
  std::vector<std::string> args(argv, argv + argc);
  // The command words, skipping global options and their values.
  std::vector<size_t> words;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a == "--home" || a == "--chain") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    words.push_back(i);
  }
  for (const Rule& rule : kRules) {
    size_t n = rule.path.size();
    if (words.size() <= n) continue;
    bool match = true;
    for (size_t k = 0; k < n; ++k) match &= args[words[k]] == rule.path[k];
    // The positional must follow the command directly.
    size_t value = words[n];
    if (match && value == words[n - 1] + 1) {
      args[value] = std::string(rule.option) + "=" + args[value];
      break;
    }
  }
  return args;
}

// The deepest subcommand the user named.
CLI::App* Selected(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands()) {
    if (sub->parsed()) return Selected(sub);
  }
  return app;
}

int Run(int argc, char** argv) {
  poolops::cli::Context ctx;
  ctx.argv.assign(argv, argv + argc);
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
  // Before any command runs: a home that others may write to is refused,
  // never chmod-ed (a missing one is created 0700 by whoever needs it).
  app.parse_complete_callback([&ctx] {
    std::filesystem::path home = ctx.Home();
    std::error_code ec;
    if (!std::filesystem::exists(home, ec)) return;
    if (absl::Status s = poolops::files::EnsureOwnDir(home); !s.ok()) {
      throw CLI::RuntimeError(ctx.Fail(
          absl::Status(s.code(), absl::StrCat("home folder ", s.message()))));
    }
  });

  poolops::cli::AddServicesCommands(app, ctx, &exit_code);
  poolops::cli::AddWalletCommands(app, ctx, &exit_code);
  poolops::cli::AddDevnetCommands(app, ctx, &exit_code);
  poolops::cli::AddChainCommands(app, ctx, &exit_code);
  poolops::cli::AddChainOpsCommands(app, ctx, &exit_code);
  poolops::cli::AddOrderCommands(app, ctx, &exit_code);
  poolops::cli::AddPoolCommands(app, ctx, &exit_code);
  poolops::cli::AddStatusCommands(app, ctx, &exit_code);
  poolops::cli::AddCommandsCommand(app, ctx, &exit_code);

  try {
    std::vector<std::string> args = OptionalPositionals(argc, argv);
    std::reverse(args.begin() + 1, args.end());  // CLI11 wants them reversed
    args.erase(args.begin());
    app.parse(args);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // already reported
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

}  // namespace

// A command's work and its output are done when Run returns: the process
// ends there, without the static destructors and gRPC's shutdown (joining
// its threads takes longer than the command itself; Context::Channel keeps
// gRPC initialised for that reason).
int main(int argc, char** argv) {
  // Start-up costs a command pays before its one call (issue 18): a malloc
  // arena per gRPC thread (mapped and faulted in), and Abseil's mutex
  // deadlock detection, on in Debian's build and run on every lock.
  mallopt(M_ARENA_MAX, 1);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  int code = Run(argc, argv);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}
