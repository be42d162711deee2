// gopls-sandbox diagnose LOG… [--json] [--workspace DIR] [--goroot DIR] [--gomodcache DIR]
//                           [--gocache DIR] [--home DIR] [--share-net] [-v]
// errno attribution of strace logs and denial logs: which failing calls matter and why.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/core/diagnose.hpp"
#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/core/strace.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/sys/console.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/self.hpp"
#include "gopls_sandbox/sys/trace_files.hpp"

extern char** environ;

namespace gsb::app {

namespace {

namespace fs = std::filesystem;
namespace dg = core::diagnose;
constexpr const char* kCmd = "gopls-sandbox diagnose";

int fail(const Error& e) {
  std::fprintf(stderr, "%s: %s\n", kCmd, e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "  hint: %s\n", e.hint.c_str());
  return 2;
}

std::optional<core::GoEnv> host_go_env() {
  const char* path = sys::env_or_null("PATH");
  std::string go = sys::find_in_path("go", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  if (go.empty()) return std::nullopt;
  auto r = sys::run_capture({go, "env", "-json"}, host_go_environment());
  if (!r || r->status != 0) return std::nullopt;
  auto g = core::parse_go_env_json(r->out);
  if (!g) return std::nullopt;
  return *g;
}

// "a -> b -> a": follows the symbolic links met while resolving `path` on this machine.
std::string symlink_chain(const std::string& path) {
  std::string chain;
  std::string cur = path;
  std::set<std::string> seen;
  for (int step = 0; step < 12; ++step) {
    // The first component prefix that is a symlink.
    std::string prefix;
    bool found = false;
    fs::path p(cur);
    for (const auto& comp : p) {
      if (comp == "/") {
        prefix = "/";
        continue;
      }
      prefix = prefix == "/" ? "/" + comp.string() : prefix + "/" + comp.string();
      sys::PathInfo st = sys::path_info(prefix, false);
      if (!st.exists()) return chain;
      if (st.kind == sys::FileKind::Symlink) {
        found = true;
        break;
      }
    }
    if (!found) return chain;
    auto link = sys::read_link(prefix);
    if (!link) return chain;
    const std::string target = *link;
    chain += (chain.empty() ? "" : ", ") + prefix + " -> " + target;
    if (!seen.insert(prefix).second) {
      chain += " (loop)";
      return chain;
    }
    fs::path resolved = target.starts_with("/") ? fs::path(target) : fs::path(prefix).parent_path() / target;
    std::string rest = cur.size() > prefix.size() ? cur.substr(prefix.size()) : "";
    cur = resolved.lexically_normal().string() + rest;
  }
  return chain;
}

// The logs, each recognised by content: strace output into one Trace, denial logs into calls.
Result<void> read_logs(const std::vector<std::string>& logs, strace::Trace& trace, std::vector<dg::Call>& denials) {
  for (const auto& log : logs) {
    auto inputs = sys::read_trace_inputs({log});
    if (!inputs) return std::move(inputs).error();
    std::error_code ec;
    bool is_dir = log != "-" && fs::is_directory(log, ec);
    for (auto& in : *inputs) {
      // In a directory, files that are neither kind of log (a README) are passed over.
      if (is_dir && !dg::looks_like_denial_log(in.text)) {
        strace::Trace probe;
        probe.parse(std::string_view(in.text).substr(0, 65536), in.name, in.pid);
        if (probe.stats().syscalls == 0 && probe.stats().summary_rows == 0) {
          std::fprintf(stderr, "%s: %s: not a log, skipped\n", kCmd, in.name.c_str());
          continue;
        }
      }
      if (dg::looks_like_denial_log(in.text)) {
        auto d = dg::calls_from_denial_log(in.text, in.name);
        if (!d) return std::move(d).error();
        denials.insert(denials.end(), d->begin(), d->end());
        continue;
      }
      strace::Stats before = trace.stats();
      std::string name = in.name;
      trace.parse_owned(std::move(in.text), std::move(in.name), in.pid);
      strace::Stats delta = trace.stats() - before;
      uint64_t nonblank = delta.lines - delta.blank;
      if (delta.syscalls == 0 && delta.summary_rows == 0) {
        std::string first;
        for (const auto& u : trace.unparsed_samples())
          if (u.source == name) {
            first = u.text;
            break;
          }
        return Error::usage(name + ": neither an strace log nor a denial log" +
                                 (first.empty() ? std::string() : " (first line: " + first + ")"));
      }
      if (nonblank > 0 && delta.unparsed * 2 > nonblank)
        return Error::usage(name + ": " + std::to_string(delta.unparsed) + " of " + std::to_string(nonblank) +
                                 " lines are not strace output");
    }
  }

  return {};
}

// Directories: command line > host go env (when the trace uses it) > inferred from the trace > host.
dg::Dirs resolve_dirs(const dg::Dirs& given, const strace::Trace& trace) {
  dg::Dirs inferred = dg::infer_dirs(trace);
  auto host = host_go_env();
  bool have_paths = !trace.events().empty();
  auto pick = [&](std::string& out, const std::string& host_v, const std::string& inferred_v) {
    if (!out.empty()) return;
    if (!host_v.empty() && (!have_paths || dg::trace_mentions(trace, host_v))) out = host_v;
    else if (!inferred_v.empty()) out = inferred_v;
    else out = host_v;
  };
  dg::Dirs dirs = given;
  std::string host_gopath = host ? host->gopath.substr(0, host->gopath.find(':')) : "";
  pick(dirs.goroot, host ? host->goroot : "", inferred.goroot);
  pick(dirs.gomodcache, host ? host->gomodcache : "", inferred.gomodcache);
  pick(dirs.gocache, host ? host->gocache : "", inferred.gocache);
  pick(dirs.gopath, host_gopath, inferred.gopath);
  const char* home = sys::env_or_null("HOME");
  pick(dirs.home, home ? home : "", inferred.home);
  if (dirs.workspaces.empty()) dirs.workspaces = inferred.workspaces;
  for (auto& w : dirs.workspaces) w = fs::absolute(fs::path(w)).lexically_normal().string();

  return dirs;
}

// The analysis options; ELOOP paths get their symbolic-link chain resolved here, on the host.
dg::Options analysis_options(bool share_net, const strace::Trace& trace, const std::vector<dg::Call>& denials) {
  dg::Options opts;
  opts.share_net = share_net;
  for (const auto& c : dg::calls_from_trace(trace))
    if (c.err == "ELOOP" && !c.path.empty() && !opts.symlink_chains.count(c.path))
      opts.symlink_chains[c.path] = symlink_chain(c.path);
  for (const auto& c : denials)
    if (c.err == "ELOOP" && !c.path.empty() && !opts.symlink_chains.count(c.path))
      opts.symlink_chains[c.path] = symlink_chain(c.path);

  return opts;
}

}  // namespace

int cmd_diagnose(const Args& args) {
  CLI::App app{
      "Explain the failing system calls of a sandboxed run: groups them by (syscall, errno, path pattern),\n"
      "separates the known benign noise of Go programs from real problems and names the most likely cause\n"
      "on the first line. Inputs are strace logs (any format, gzip, -ff directories) and the launcher's\n"
      "denial logs (--log FILE), recognised by content. Record with e.g.:\n"
      "  strace -f -tt -T -o /tmp/t.strace gopls-sandbox exec -- go build ./...\n"
      "  gopls-sandbox diagnose /tmp/t.strace ~/.local/state/gopls-sandbox/denials.jsonl\n"
      "Directories default to the host's `go env -json` when the trace uses them, else to what the trace shows.\n"
      "Exit status: 0 nothing wrong, 1 a problem was found, 2 bad input.",
      "diagnose"};
  std::vector<std::string> logs;
  bool json_out = false, verbose = false, share_net = false;
  dg::Dirs given;
  app.add_option("logs", logs, "strace logs, -ff directories or denial logs ('-' = stdin)")->required();
  app.add_flag("--json", json_out, "print a machine-readable report on stdout");
  app.add_option("--workspace", given.workspaces, "workspace directory (repeatable; default: from the trace)")
      ->type_name("DIR");
  app.add_option("--goroot", given.goroot, "GOROOT (default: go env, else from the trace)")->type_name("DIR");
  app.add_option("--gomodcache", given.gomodcache, "GOMODCACHE (default: go env, else from the trace)")->type_name("DIR");
  app.add_option("--gocache", given.gocache, "GOCACHE (default: go env, else from the trace)")->type_name("DIR");
  app.add_option("--home", given.home, "HOME (default: $HOME, else from the trace)")->type_name("DIR");
  app.add_flag("--share-net", share_net, "the run used --share-net (DNS failures are then not the sandbox's doing)");
  app.add_flag("-v,--verbose", verbose, "show every benign group and more examples");

  if (auto rc = parse_cli(app, args, kCmd)) return *rc;

  strace::Trace trace;
  std::vector<dg::Call> denials;
  if (auto r = read_logs(logs, trace, denials); !r) return fail(r.error());
  dg::Dirs dirs = resolve_dirs(given, trace);
  dg::Options opts = analysis_options(share_net, trace, denials);
  dg::Report rep = dg::diagnose(trace, denials, dirs, opts);
  std::string out = json_out ? dg::to_json(rep).dump(2) + "\n" : dg::to_text(rep, verbose);
  sys::print_out(out);
  return rep.problem ? 1 : 0;
}

}  // namespace gsb::app
