// Top-level command groups built on demand. Building the whole tree (~90
// commands, their options and validators) is most of what `poolctl --help`
// or a one-call command does besides starting up: a group's subcommands
// are added only when the command line names the group (CLI11's pre-parse
// callback, which runs before the group's own arguments are parsed), or when
// the whole tree is wanted (`poolctl commands`: PopulateAllGroups). What the
// user sees and what parses is the same as with an eager tree.
#pragma once

#include <functional>
#include <string>

#include "CLI/CLI.hpp"

namespace poolops::cli {

// Adds the group `name` to `app`; `populate(group)` adds its subcommands and
// options, at most once.
CLI::App* AddGroup(CLI::App& app, const std::string& name,
                   const std::string& description,
                   std::function<void(CLI::App*)> populate);

// Populates every group AddGroup added that is not yet.
void PopulateAllGroups();

}  // namespace poolops::cli
