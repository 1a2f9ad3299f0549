// poolctl commands: every command of this poolctl with its description,
// options and positionals, read from the same CLI11 tree that --help prints.
// Scripts and tests/cli/commands_test.cc walk it, so a command added later
// is checked (help, --json, exit codes) without anyone listing it by hand.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command_group.h"
#include "cli/commands.h"

namespace poolops::cli {
namespace {

using json = nlohmann::json;

std::string OptionName(const CLI::Option& o) {
  std::vector<std::string> names;
  for (const std::string& s : o.get_snames()) names.push_back("-" + s);
  for (const std::string& l : o.get_lnames()) names.push_back("--" + l);
  if (names.empty()) return o.get_single_name();  // a positional
  return absl::StrJoin(names, ",");
}

json OptionsJson(const CLI::App& app) {
  json options = json::array();
  for (const CLI::Option* o : app.get_options()) {
    if (o == app.get_help_ptr()) continue;  // CLI11's own, the same everywhere
    options.push_back({{"name", OptionName(*o)},
                       {"description", o->get_description()},
                       {"positional", o->get_positional()},
                       {"required", o->get_required()},
                       // Hidden options are kept: they need a description too.
                       {"hidden", o->get_group().empty()}});
  }
  return options;
}

// Depth first, parents before their subcommands, in declaration order.
void Walk(const CLI::App& app, const std::string& path, json* out,
          std::string* human) {
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App*) { return true; })) {
    std::string sub_path = path.empty()
                               ? sub->get_name()
                               : absl::StrCat(path, " ", sub->get_name());
    std::vector<const CLI::App*> children =
        sub->get_subcommands([](const CLI::App*) { return true; });
    json names = json::array();
    for (const CLI::App* c : children) names.push_back(c->get_name());
    out->push_back({{"path", sub_path},
                    {"description", sub->get_description()},
                    {"aliases", sub->get_aliases()},
                    {"subcommands", names},
                    {"options", OptionsJson(*sub)}});
    absl::StrAppend(
        human, "poolctl ", sub_path,
        std::string(sub_path.size() < 28 ? 28 - sub_path.size() : 1, ' '),
        sub->get_description(), "\n");
    Walk(*sub, sub_path, out, human);
  }
}

}  // namespace

void AddCommandsCommand(CLI::App& app, Context& ctx, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "commands",
      "Every poolctl command with its description (with --json: its options "
      "and positionals too, for scripts)");
  const CLI::App* root = &app;
  cmd->callback([&ctx, exit_code, root] {
    PopulateAllGroups();  // the whole tree, not only the groups parsed
    json commands = json::array();
    std::string human;
    Walk(*root, "", &commands, &human);
    *exit_code = ctx.Ok(
        {{"globalOptions", OptionsJson(*root)}, {"commands", commands}}, human);
  });
}

}  // namespace poolops::cli
