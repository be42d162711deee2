#include "gopls_sandbox/app/lsp_workspace.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/app/settings.hpp"
#include "gopls_sandbox/core/lsp_initialize.hpp"
#include "gopls_sandbox/core/workspace_discovery.hpp"
#include "gopls_sandbox/sys/fd.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/io.hpp"

namespace gsb::app {

namespace {

std::string get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return {};
  return buf;
}

}  // namespace

bool wants_initialize(const LaunchRequest& req, const core::Options& o, const std::map<std::string, std::string>& env) {
  if (req.kind != ProgramKind::Gopls || req.learn || o.dry_run || o.metrics || !o.workspaces.empty()) return false;
  std::string v = get(env, "GOPLS_SANDBOX_FROM_INITIALIZE");
  if (v == "off" || v == "0" || v == "false") return false;
  return core::is_lsp_stdio_server(req.args);
}

Result<LspStart> read_lsp_start(int fd) {
  LspStart s;
  char buf[65536];
  for (;;) {
    auto f = core::scan_first_frame(s.prefix);
    if (f.status == core::FirstFrame::NotLsp) break;
    if (f.status == core::FirstFrame::Complete) {
      auto init = core::folders_from_initialize(f.body);
      if (!init.is_initialize) break;
      s.source = init.source;
      for (const auto& u : init.rejected)
        s.messages.push_back("workspace folder " + u + " is not a local directory; it is not visible in the sandbox");
      for (const auto& d : init.folders) {
        sys::PathInfo st = sys::path_info(d);
        if (!st.is_dir()) {
          s.messages.push_back("workspace folder " + d + " could not be bound: " +
                               (!st.exists() ? errno_text(st.err) : std::string("not a directory")));
          continue;
        }
        s.folders.push_back(d);
      }
      s.from_initialize = !s.folders.empty();
      break;
    }
    ssize_t n = sys::read_fd(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys("reading the LSP client's first message", "read", errno);
    }
    if (n == 0) break;  // the client closed stdin: hand over what came, today's rules
    s.prefix.append(buf, static_cast<size_t>(n));
  }
  s.relay = true;
  return s;
}

void add_go_discovery(core::PlanInputs& in, const std::map<std::string, std::string>& env,
                      std::vector<std::string>& notes) {
  std::vector<std::string> folders;
  for (size_t i = 0; i < in.workspaces.size(); ++i) {
    std::string g = core::normalize_path(in.workspaces[i]);
    std::string r = i < in.workspaces_real.size() ? core::normalize_path(in.workspaces_real[i]) : g;
    if (g == "/") continue;
    if (!in.workspaces_explicit && !core::default_workspace_refusal(in, g, r).empty()) continue;
    folders.push_back(g);
    if (!r.empty() && r != g) folders.push_back(r);
  }
  if (folders.empty()) return;
  core::DiscoveryEnv denv;
  denv.gowork = get(env, "GOWORK");
  denv.go111module = get(env, "GO111MODULE");
  if (in.go) denv.gopath = in.go->gopath;
  denv.goflags = get(env, "GOFLAGS");
  denv.home = in.home;
  denv.home_real = in.home_real;
  denv.runtime_dir = in.runtime_dir;
  core::DiscoveryFs fs;
  fs.read = [](const std::string& p) -> std::optional<std::string> {
    sys::PathInfo st = sys::path_info(p);
    if (!st.is_file() || st.size > (1 << 20)) return std::nullopt;
    auto t = sys::read_file(p);
    if (!t) return std::nullopt;
    return *t;
  };
  fs.is_dir = [](const std::string& p) { return sys::is_dir(p); };
  fs.is_file = [](const std::string& p) { return sys::is_file(p); };
  auto d = core::discover_go_paths(folders, denv, fs);
  for (auto& n : d.notes) notes.push_back(std::move(n));
  for (const auto& b : d.binds) {
    std::string src = real_path(b.path);
    if (src.empty()) continue;
    // The real path is checked too: a replace target that is a symlink to ~ is refused.
    if (std::string why = core::extra_path_refusal(src, denv); !why.empty()) {
      notes.push_back(b.why + " " + b.path + ": not bound: it resolves to " + src + ", " + why);
      continue;
    }
    in.binds.push_back({src, b.path, b.ro, b.why});
  }
}

}  // namespace gsb::app

#include "gopls_sandbox/app/lsp_relay.hpp"
#include "gopls_sandbox/core/denials.hpp"

namespace gsb::app {

Result<std::unique_ptr<LspRelay>> lsp_relay_for(const LaunchRequest& req, const core::Options& o,
                                                const std::map<std::string, std::string>& env, LaunchRequest& out) {
  out = req;
  bool inject = notify_client_enabled(req.notify_client, get(env, "GOPLS_SANDBOX_NOTIFY_CLIENT"));
  if (!wants_initialize(req, o, env)) {
    // gopls serving LSP on stdio all the same (--workspace, GOPLS_SANDBOX_FROM_INITIALIZE=off,
    // --learn): the relay still runs, for the server->client guard (core/lsp_guard.hpp).
    // (--metrics has its own relay, app/metrics.cpp.)
    if (req.kind != ProgramKind::Gopls || o.dry_run || o.metrics || !core::is_lsp_stdio_server(req.args))
      return std::unique_ptr<LspRelay>();
    auto relay = LspRelay::create(std::string(), inject);
    if (relay && test_hook(env, "GOPLS_SANDBOX_TEST_KEEP_SETTINGS_ENV") == "1") (*relay)->set_filter_settings(false);
    return relay;
  }
  auto st = read_lsp_start(0);
  if (!st) return std::move(st).error();
  out.lsp_folders = st->folders;
  out.lsp_attach = true;  // issue 13.2: folders added later (app/lsp_attach.hpp)
  auto relay = LspRelay::create(std::move(st->prefix), inject);
  if (!relay) return std::move(relay).error();
  if (test_hook(env, "GOPLS_SANDBOX_TEST_KEEP_SETTINGS_ENV") == "1") (*relay)->set_filter_settings(false);  // the attack tests' control run
  for (const auto& m : st->messages) {
    (*relay)->notify("folder:" + m, m);
    std::fprintf(stderr, "gopls-sandbox: %s\n", m.c_str());
  }
  if (o.verbose.value_or(false)) {
    if (st->from_initialize) {
      std::string list;
      for (const auto& f : st->folders) list += " " + f;
      std::fprintf(stderr, "gopls-sandbox: workspace from initialize (%s):%s\n", st->source.c_str(), list.c_str());
    } else {
      std::fprintf(stderr, "gopls-sandbox: initialize names no folder: the current directory is the workspace\n");
    }
  }
  return relay;
}

void notify_prepared(LspRelay& relay, const Prepared& prep, bool seccomp_notify) {
  for (const auto& n : prep.plan.notes)
    if (n.rfind("warning: not binding", 0) == 0) relay.notify("plan:" + n, n.substr(9));
  for (const auto& n : prep.client_notes) relay.notify("discovery:" + n, n);
  if (prep.policy && !seccomp_notify && !(prep.opts.log && *prep.opts.log == "off"))
    relay.notify("reduced:notify",
                 "reduced mode: this kernel lacks seccomp user notification, so refused system calls get their "
                 "error but are not logged or reported");
  // The gopls cache: gopls works without it, but every start is a cold one.
  for (const auto& m : prep.plan.mounts)
    if (int e = m.why == "gopls cache" && m.kind == core::MountKind::Bind ? sys::access_err(m.src, sys::kWrite) : 0)
      relay.notify("cache:gopls", "the gopls cache " + m.src + " is not writable (" + errno_text(e) +
                                      "): gopls starts cold every time; fix its permissions or set GOPLSCACHE");
}

void notify_denial(LspRelay& relay, const core::DenialRecord& r, const std::string& log_path) {
  if (r.action != "errno") return;
  std::string by = r.comm.empty() ? std::string() : " (by " + r.comm + ")";
  relay.notify("syscall:" + r.syscall,
               "the sandbox refused the system call " + r.syscall + by +
                   "; if gopls reports a failure, this may be why. Details: `gopls-sandbox diagnose " + log_path +
                   "`; to allow it, run with a profile that allows it (`gopls-sandbox profile export gopls`, add " +
                   r.syscall + " to allow, then --profile FILE).");
}

}  // namespace gsb::app
