#include "gopls_sandbox/app/cli.hpp"

#include <cstdio>

namespace gsb::app {

std::optional<int> parse_cli(CLI::App& app, const std::vector<std::string>& args, const std::string& cmd,
                             bool reject_extras) {
  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    app.parse(rev);
    if (reject_extras && !app.remaining().empty()) throw CLI::ExtrasError(app.remaining());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help (also of a sub-subcommand)
      app.exit(e);
      return 0;
    }
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n", cmd.c_str(), e.what(), cmd.c_str());
    return 2;
  }
  return std::nullopt;
}

}  // namespace gsb::app
