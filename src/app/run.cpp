// run, exec and the drop-in mode: CLI11 wiring over launch().
#include <cstdio>

#include <CLI/CLI.hpp>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/core/suggest.hpp"
#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/net_allowlist.hpp"

namespace gsb::app {

namespace {

void add_sandbox_options(CLI::App& app, core::Options& o, std::string& inode_check) {
  app.add_option("--workspace", o.workspaces,
                 "Workspace directory bound read-write at the same path (repeatable; default: the current directory)")
      ->type_name("DIR");
  app.add_option("--bind", o.binds, "Extra read-write bind mount (repeatable)")->type_name("SRC[:DST]");
  app.add_option("--ro-bind", o.ro_binds, "Extra read-only bind mount (repeatable)")->type_name("SRC[:DST]");
  app.add_flag_callback("--share-net", [&o] { o.share_net = true; o.net = core::NetMode::Host; },
                        "Alias of --net host");
  app.add_option_function<std::string>(
         "--net", [&o](const std::string& s) { o.net = *core::parse_net_mode(s); },
         "Network inside: none (default: only lo), proxy (only lo, plus an HTTP proxy that reaches the hosts of "
         "GOPROXY, GOSUMDB and --allow-host), host (the host's network: everything; see docs/network.md)")
      ->type_name("MODE")
      ->check([](const std::string& s) {
        auto r = core::parse_net_mode(s);
        return r ? std::string() : r.error().message;
      });
  app.add_option("--allow-host", o.allow_hosts,
                 "With --net proxy: also allow HOST, *.DOMAIN, HOST:PORT (default ports 80 and 443; repeatable), "
                 "e.g. a GOPRIVATE VCS host")
      ->type_name("PATTERN")
      ->check([](const std::string& s) {
        auto r = core::parse_host_pattern(s);
        return r ? std::string() : r.error().message;
      });
  app.add_option_function<std::string>("--gopls", [&o](const std::string& s) { o.gopls = s; },
                                       "The real gopls binary (default: first gopls on PATH that is not this launcher)")
      ->type_name("PATH");
  app.add_flag("--dry-run", o.dry_run, "Print the resolved plan (mounts, environment, argv) as JSON and exit");
  app.add_option_function<std::string>("--profile", [&o](const std::string& s) { o.profile = s; },
                                       "Seccomp profile name or file (default: gopls)")
      ->type_name("NAME|FILE");
  app.add_option_function<std::string>("--log", [&o](const std::string& s) { o.log = s; },
                                       "Denial log file (JSON Lines)")
      ->type_name("FILE");
  app.add_option_function<std::string>("--metrics", [&o](const std::string& s) { o.metrics = s; },
                                       "Relay stdio through an LSP-aware proxy and keep Prometheus metrics in FILE")
      ->type_name("FILE");
  app.add_option("--inode-check", inode_check, "Compare cache directories inside with the host: off, warn (default), strict")
      ->type_name("MODE");
  app.add_flag_callback("-v,--verbose", [&o] { o.verbose = true; }, "Explain what the launcher does on stderr");
  app.add_option("--env", o.env,
                 "Pass an environment variable beyond the default allowlist: NAME (your value) or NAME=VALUE "
                 "(repeatable; see README \"Environment\")")
      ->type_name("NAME[=VALUE]")
      ->check([](const std::string& s) {
        auto r = core::check_env_entry(s);
        return r ? std::string() : r.error().message;
      });
  app.add_flag_callback("--writable-vcs", [&o] { o.writable_vcs = true; },
                        "Bind the workspace's .git, .hg, .jj, .svn, .envrc, .vscode and .idea read-write (default: "
                        "read-only, since the host runs what they contain)");
  app.add_option_function<std::string>(
         "--cache-mode", [&o](const std::string& s) { o.cache_mode = *core::parse_cache_mode(s); },
         "GOCACHE, GOMODCACHE and gopls' cache inside: cow (default: the host's caches read-only under a private "
         "writable layer), private (the domain's own caches only), shared (the host's caches read-write: unsafe)")
      ->type_name("MODE")
      ->check([](const std::string& s) {
        auto r = core::parse_cache_mode(s);
        return r ? std::string() : r.error().message;
      });
  app.add_option_function<std::string>(
         "--cache-domain", [&o](const std::string& s) { o.cache_domain = s; },
         "Share the caches' writable layers with the other workspaces of domain NAME (default: one domain per workspace)")
      ->type_name("NAME")
      ->check([](const std::string& s) {
        auto r = core::check_domain_name(s);
        return r ? std::string() : r.error().message;
      });
  app.add_option_function<std::string>(  // issue 16 (core/landlock_only.hpp)
         "--require", [&o](const std::string& s) { o.require = *core::parse_require(s); },
         "Weakest isolation accepted: landlock (default: namespaces, else Landlock-only), namespaces, none")
      ->type_name("LEVEL")
      ->check([](const std::string& s) { return core::parse_require(s) ? std::string() : "expected namespaces, landlock or none"; });
  app.footer(
      "Options may also be set in $XDG_CONFIG_HOME/gopls-sandbox/config.toml and with GOPLS_SANDBOX_* environment\n"
      "variables (see README); the command line wins.");
}

int parse_and_launch(CLI::App& app, const Args& args, core::Options& o, std::string& ic, LaunchRequest& req) {
  if (auto rc = parse_cli(app, args, "gopls-sandbox " + app.get_name())) return *rc;
  req.args = app.remaining();
  // A mistyped launcher option must not become an argument of gopls (or the program's name):
  // before `--`, a `--word` for run, or any `-word` for exec, that we do not know is an error.
  if (!req.args.empty() && req.args[0] != "--" && req.args[0].size() > 1 && req.args[0][0] == '-' &&
      (req.kind == ProgramKind::Any || req.args[0].rfind("--", 0) == 0)) {
    std::string word = req.args[0].substr(0, req.args[0].find('='));
    std::vector<std::string> names;
    for (const CLI::Option* opt : app.get_options())
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    std::string hint = core::closest(word, names);
    std::fprintf(stderr, "gopls-sandbox %s: unknown option %s%s\nRun 'gopls-sandbox %s --help' for usage%s.\n",
                 app.get_name().c_str(), word.c_str(), hint.empty() ? "" : ("; did you mean " + hint + "?").c_str(),
                 app.get_name().c_str(), req.kind == ProgramKind::Gopls ? "; gopls' own flags go after --" : "");
    return 2;
  }
  if (!req.args.empty() && req.args[0] == "--") req.args.erase(req.args.begin());
  if (req.kind == ProgramKind::Any && req.args.empty()) {
    std::fprintf(stderr, "gopls-sandbox exec: missing PROGRAM\nRun 'gopls-sandbox exec --help' for usage.\n");
    return 2;
  }
  if (!ic.empty()) {
    auto v = core::parse_inode_check(ic);
    if (!v) return report(v.error());
    o.inode_check = *v;
  }
  req.cli = o;
  return launch(req);
}

}  // namespace

int cmd_run(const Args& args) {
  CLI::App app{"Run gopls in the sandbox. Arguments after -- go to gopls unchanged.", "run"};
  app.description(app.get_description() + "\nUsage: " + std::string("gopls-sandbox run [OPTIONS] [-- GOPLS-ARGS...]"));
  core::Options o;
  std::string ic;
  LaunchRequest req;
  req.kind = ProgramKind::Gopls;
  add_sandbox_options(app, o, ic);
  app.add_option("--notify-client", req.notify_client,
                 "Show the user what the sandbox refused or could not bind as window/showMessage in the editor: on "
                 "(default), off (also GOPLS_SANDBOX_NOTIFY_CLIENT)")
      ->type_name("on|off")
      ->check(CLI::IsMember({"on", "off"}));
  app.prefix_command(true);
  return parse_and_launch(app, args, o, ic, req);
}

int cmd_exec(const Args& args) {
  CLI::App app{"Run any program in the same sandbox gopls gets (for tests and diagnosis).", "exec"};
  app.description(app.get_description() + "\nUsage: " + std::string("gopls-sandbox exec [OPTIONS] -- PROGRAM [ARGS...]"));
  core::Options o;
  std::string ic;
  LaunchRequest req;
  req.kind = ProgramKind::Any;
  add_sandbox_options(app, o, ic);
  app.add_flag("--share-tty", o.share_tty,
               "Keep the caller's session and controlling terminal (for an interactive program; by default the "
               "program runs in a new session, so nothing inside can push input into your shell)");
  app.prefix_command(true);
  return parse_and_launch(app, args, o, ic, req);
}

int cmd_dropin(const Args& args) {
  LaunchRequest req;
  req.kind = ProgramKind::Gopls;
  req.args = args;
  return launch(req);
}

}  // namespace gsb::app
