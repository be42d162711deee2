// gopls-sandbox learn: run in the normal sandbox; whatever the base profile would refuse is
// recorded through the user-notification supervisor and allowed to proceed; at exit the
// learned profile (base + what the run needed) is written.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/sys/output_file.hpp"

namespace gsb::app {

int cmd_learn(const Args& args) {
  CLI::App app{
      "Run gopls (or, with --exec, any program) in the sandbox and write a profile that allows what it "
      "needed: the base profile plus every syscall the base would have refused, commented with counts. "
      "No strace, no root.\nUsage: gopls-sandbox learn [OPTIONS] -o FILE [-- ARGS...]",
      "learn"};
  core::Options o;
  std::string output, base = "gopls", ic;
  bool exec_mode = false;
  app.add_option("-o,--output", output, "Where to write the learned profile (TOML)")->required()->type_name("FILE");
  app.add_option("--base", base, "Profile to start from (name or file; default gopls)")->type_name("NAME|FILE");
  app.add_flag("--exec", exec_mode, "ARGS are PROGRAM [ARGS...] instead of gopls arguments");
  app.add_option("--workspace", o.workspaces, "Workspace directory (repeatable)")->type_name("DIR");
  app.add_option("--bind", o.binds, "Extra read-write bind mount")->type_name("SRC[:DST]");
  app.add_option("--ro-bind", o.ro_binds, "Extra read-only bind mount")->type_name("SRC[:DST]");
  app.add_flag_callback("--share-net", [&o] { o.share_net = true; }, "Keep the host network");
  app.add_option_function<std::string>("--gopls", [&o](const std::string& s) { o.gopls = s; }, "The real gopls")
      ->type_name("PATH");
  app.add_flag_callback("-v,--verbose", [&o] { o.verbose = true; }, "Explain what the launcher does on stderr");
  app.prefix_command(true);
  if (auto rc = parse_cli(app, args, "gopls-sandbox learn")) return *rc;
  // A bad -o (a device, FIFO, directory or symlink) is refused now, not after the run.
  if (auto c = sys::check_output_target(output); !c) {
    std::fprintf(stderr, "gopls-sandbox learn: %s\n", c.error().message.c_str());
    if (!c.error().hint.empty()) std::fprintf(stderr, "  hint: %s\n", c.error().hint.c_str());
    return 2;
  }
  LaunchRequest req;
  req.learn = true;
  req.learn_output = output;
  req.kind = exec_mode ? ProgramKind::Any : ProgramKind::Gopls;
  req.args = app.remaining();
  if (!req.args.empty() && req.args[0] == "--") req.args.erase(req.args.begin());
  if (exec_mode && req.args.empty()) {
    std::fprintf(stderr, "gopls-sandbox learn: --exec needs PROGRAM after --\n");
    return 2;
  }
  o.profile = base;
  req.cli = o;
  return launch(req);
}

}  // namespace gsb::app
