#include "gopls_sandbox/app/cli.hpp"

#include <cstdio>

#include "gopls_sandbox/core/suggest.hpp"

namespace gsb::app {

namespace {

std::vector<const CLI::App*> subs(const CLI::App& app) {
  return app.get_subcommands(std::function<bool(const CLI::App*)>([](const CLI::App*) { return true; }));
}

// " (did you mean X?)" for a word close to one of `app`'s subcommands or long options.
std::string near_hint(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names;
  if (!word.empty() && word[0] == '-') {
    for (const CLI::Option* opt : app.get_options())
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
  } else {
    for (const CLI::App* sub : subs(app)) names.push_back(sub->get_name());
  }
  std::string n = core::closest(word.substr(0, word.find('=')), names);
  return n.empty() ? std::string() : "; did you mean \"" + n + "\"?";
}

}  // namespace

std::optional<int> parse_cli(CLI::App& app, const std::vector<std::string>& args, const std::string& cmd,
                             bool reject_extras) {
  // A first word that is not one of the subcommands (`profile lst`): one line naming the
  // closest, not CLI11's "A subcommand is required".
  if (!args.empty() && !args[0].empty() && args[0][0] != '-' && !subs(app).empty() &&
      app.get_require_subcommand_min() > 0) {
    bool known = false;
    for (const CLI::App* sub : subs(app)) known = known || sub->check_name(args[0]);
    if (!known) {
      std::fprintf(stderr, "%s: unknown subcommand \"%s\"%s\nRun '%s --help' for usage.\n", cmd.c_str(),
                   args[0].c_str(), near_hint(app, args[0]).c_str(), cmd.c_str());
      return 2;
    }
  }
  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    app.parse(rev);
    if (reject_extras && !app.remaining().empty()) throw CLI::ExtrasError(app.remaining());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help (also of a sub-subcommand)
      app.exit(e);
      return 0;
    }
    std::string hint;
    for (const auto& a : app.remaining())
      if (!a.empty() && a[0] == '-') {
        hint = near_hint(app, a);
        break;
      }
    std::fprintf(stderr, "%s: %s%s\nRun '%s --help' for usage.\n", cmd.c_str(), e.what(), hint.c_str(), cmd.c_str());
    return 2;
  }
  return std::nullopt;
}

}  // namespace gsb::app
