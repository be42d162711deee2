// Shared CLI11 handling for every subcommand: `--help` to stdout (exit 0), a parse error as one
// line plus a pointer to --help on stderr (exit 2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gsb::app {

// Parses args (without the program and subcommand words). Returns the exit status when the
// command is done (help shown, or a usage error), nullopt when it should go on. With
// reject_extras, leftover arguments are a usage error too.
std::optional<int> parse_cli(CLI::App& app, const std::vector<std::string>& args, const std::string& cmd,
                             bool reject_extras = false);

}  // namespace gsb::app
