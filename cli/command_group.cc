#include "cli/command_group.h"

#include <memory>
#include <utility>
#include <vector>

namespace poolops::cli {
namespace {

// One per group; poolctl is one thread and parses once.
std::vector<std::function<void()>>& Populators() {
  static auto* populators = new std::vector<std::function<void()>>();
  return *populators;
}

}  // namespace

CLI::App* AddGroup(CLI::App& app, const std::string& name,
                   const std::string& description,
                   std::function<void(CLI::App*)> populate) {
  CLI::App* group = app.add_subcommand(name, description);
  auto once = std::make_shared<std::function<void()>>(
      [group, populate = std::move(populate)]() mutable {
        if (!populate) return;
        auto run = std::move(populate);
        populate = nullptr;
        run(group);
      });
  group->preparse_callback([once](std::size_t) { (*once)(); });
  Populators().push_back([once] { (*once)(); });
  return group;
}

void PopulateAllGroups() {
  for (const std::function<void()>& populate : Populators()) populate();
}

}  // namespace poolops::cli
