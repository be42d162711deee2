#include "gopls_sandbox/app/main.hpp"

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/suggest.hpp"
#include "gopls_sandbox/sys/console.hpp"

namespace gsb::app {

namespace {

constexpr const char* kHelp = R"(gopls-sandbox — run gopls (and the go commands it spawns) in a Linux sandbox

Usage:
  gopls-sandbox [GOPLS-ARGS...]              drop-in: run gopls with these arguments, sandboxed
  gopls-sandbox run [OPTIONS] [-- ARGS...]   the same, with launcher options
  gopls-sandbox exec [OPTIONS] -- PROGRAM [ARGS...]
                                             any program in the same sandbox
  gopls-sandbox profile list|check|show|export|generate
                                             seccomp profiles (TOML)
  gopls-sandbox learn [OPTIONS] -o FILE [-- ARGS...]
                                             record what a run needs into a profile
  gopls-sandbox diagnose LOG...              explain failing syscalls in a trace or denial log
  gopls-sandbox inspect PID                  procfs snapshot of a running gopls
  gopls-sandbox doctor                       check the setup and reproduce a gopls startup
  gopls-sandbox cache list|du|prune          the copy-on-write caches' layers per trust domain
  gopls-sandbox --help | --version

With no arguments it is an LSP server on stdio, exactly like gopls. Point your editor's gopls
path at the installed `gopls` link: /usr/local/libexec/gopls-sandbox/gopls after cmake --install,
/usr/libexec/gopls-sandbox/gopls from the .deb (VS Code: "go.alternateTools": {"gopls": PATH}).
Invoked through a link named `gopls`, every argument goes to gopls.

The sandbox: new user, pid, mount, uts, ipc and net namespaces; a fresh root with /usr, GOROOT
(read-only), GOMODCACHE, GOCACHE and gopls' cache (copy-on-write: the host's read-only under a
writable layer of the workspace's own), gopls' config and the workspace (read-write) at their
real paths; no capabilities, no_new_privs, a seccomp allowlist.

Options (run/exec; also config.toml and GOPLS_SANDBOX_* variables): see
`gopls-sandbox run --help`.

Exit status: the program's own; 128+N when it was killed by signal N; 2 usage or
configuration error; 125 sandbox setup failed; 126 program not executable; 127 not found.
)";

bool invoked_as_gopls(const char* argv0) {
  if (!argv0) return false;
  const char* base = std::strrchr(argv0, '/');
  base = base ? base + 1 : argv0;
  return std::strcmp(base, "gopls") == 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (invoked_as_gopls(argc > 0 ? argv[0] : nullptr)) return cmd_dropin(args);
  if (!args.empty()) {
    const std::string& sub = args[0];
    Args rest(args.begin() + 1, args.end());
    if (sub == "--help" || sub == "help") {
      sys::print_out(kHelp);
      return 0;
    }
    if (sub == "--version") {
      std::printf("gopls-sandbox %s\n", GSB_VERSION);
      return 0;
    }
    if (sub == "run") return cmd_run(rest);
    if (sub == "exec") return cmd_exec(rest);
    if (sub == "profile") return cmd_profile(rest);
    if (sub == "learn") return cmd_learn(rest);
    if (sub == "diagnose") return cmd_diagnose(rest);
    if (sub == "inspect") return cmd_inspect(rest);
    if (sub == "doctor") return cmd_doctor(rest);
    if (sub == "cache") return cmd_cache(rest);
    // A first word that is neither a gopls command nor ours but close to one of ours is a typo
    // ("docter"), not something to hand to gopls (which would print its whole usage).
    static const std::vector<std::string> kOurs = {"run",     "exec",   "profile", "learn", "diagnose",
                                                   "inspect", "doctor", "cache",   "help"};
    static const std::vector<std::string> kGopls = {
        "api-json", "bug", "call_hierarchy", "check", "codeaction", "codelens", "definition", "execute", "fix",
        "folding_ranges", "format", "highlight", "implementation", "imports", "licenses", "links", "mcp",
        "prepare_rename", "references", "remote", "rename", "semtok", "serve", "signature", "stats", "symbols",
        "version", "vulncheck", "workspace_symbol"};
    if (!sub.empty() && sub[0] != '-' && std::find(kGopls.begin(), kGopls.end(), sub) == kGopls.end()) {
      std::string near = core::closest(sub, kOurs);
      if (!near.empty()) {
        std::fprintf(stderr,
                     "gopls-sandbox: unknown command \"%s\"; did you mean \"%s\"?\nRun 'gopls-sandbox --help' for "
                     "usage (gopls' own commands pass through unchanged).\n",
                     sub.c_str(), near.c_str());
        return 2;
      }
    }
  }
  return cmd_dropin(args);
}

}  // namespace gsb::app
