// gopls-sandbox doctor: check the host, the Go toolchain, VS Code's settings, and reproduce an
// editor's gopls startup through the sandbox. Facts are gathered here; verdicts come from
// core/doctor.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <CLI/CLI.hpp>

#include "gopls_sandbox/app/doctor_workspace.hpp"
#include "gopls_sandbox/app/cli.hpp"
#include "gopls_sandbox/app/commands.hpp"
#include "gopls_sandbox/app/landlock_only.hpp"  // issue 16 hook
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/app/net_proxy.hpp"
#include "gopls_sandbox/core/doctor.hpp"
#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/core/lsp_framing.hpp"
#include "gopls_sandbox/sys/console.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/kernel_probe.hpp"
#include "gopls_sandbox/sys/lsp_client.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"
#include "gopls_sandbox/sys/self.hpp"
#include "gopls_sandbox/sys/stdio_child.hpp"

namespace gsb::app {

namespace {

using core::Check;
using core::CheckStatus;

std::string getv(const std::map<std::string, std::string>& env, const std::string& k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

std::string real_path(const std::string& p) {
  std::string r = sys::real_path(p);
  return r.empty() ? p : r;
}

bool is_dir(const std::string& p) { return sys::is_dir(p); }

core::DirFacts dir_facts(const std::string& path) {
  core::DirFacts f;
  if (sys::PathInfo i = sys::path_info(path); i.exists()) {
    f.exists = true;
    f.is_dir = i.is_dir();
    f.readable = sys::access_err(path, sys::kRead | sys::kExec) == 0;
    f.writable = sys::access_err(path, sys::kWrite | sys::kExec) == 0;
    return f;
  }
  // Nearest existing ancestor decides whether mkdir -p would work.
  std::string p = path;
  while (!p.empty() && p != "/") {
    p = p.substr(0, p.rfind('/'));
    if (p.empty()) p = "/";
    if (sys::PathInfo i = sys::path_info(p); i.exists()) {
      f.creatable = i.is_dir() && sys::access_err(p, sys::kWrite | sys::kExec) == 0;
      break;
    }
  }
  return f;
}

core::ExecFacts exec_facts(const std::string& p) {
  core::ExecFacts f;
  sys::PathInfo i = sys::path_info(p);
  if (!i.exists()) return f;
  f.exists = true;
  f.is_dir = i.is_dir();
  f.executable = !f.is_dir && sys::access_err(p, sys::kExec) == 0;
  f.resolved = real_path(p);
  std::string base = f.resolved.substr(f.resolved.rfind('/') + 1);
  f.is_launcher = sys::file_id(p) == sys::self_id() || base == "gopls-sandbox";
  return f;
}

std::optional<long> read_long(const std::string& path) {
  auto t = sys::read_file(path);
  if (!t) return std::nullopt;
  char* end = nullptr;
  long v = std::strtol(t->c_str(), &end, 10);
  if (end == t->c_str()) return std::nullopt;
  return v;
}

struct GoFacts {
  std::string go;  // path of the go command
  std::optional<core::GoEnv> env;
  std::string gobin;
  std::string gotoolchain, goos, goarch;
};

std::vector<Check> check_go(const std::map<std::string, std::string>& env, GoFacts& g) {
  std::vector<Check> out;
  std::string path_var = getv(env, "PATH");
  if (path_var.empty()) path_var = "/usr/local/bin:/usr/bin:/bin";
  g.go = sys::find_in_path("go", path_var);
  if (g.go.empty()) {
    out.push_back({"go", CheckStatus::Error, "`go` not found in PATH",
                   "install Go (apt install golang-go) or add its bin directory to PATH"});
    return out;
  }
  // GOTOOLCHAIN=local (host_go_environment): the facts of the local go, even when a go.mod asks
  // for a toolchain go would otherwise download first (check_toolchain reports that).
  auto r = sys::run_capture({real_path(g.go), "env", "-json"}, host_go_environment());
  if (!r || r->status != 0) {
    std::string why = !r ? r.error().message : "exit status " + std::to_string(r->status) + ": " + core::tail_lines(r->err, 1, 200);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    out.push_back({"go", CheckStatus::Error, "`" + g.go + " env -json` failed: " + why,
                   "run `go env` yourself and fix the Go installation or GOENV file it complains about"});
    return out;
  }
  auto parsed = core::parse_go_env_json(r->out);
  if (!parsed) {
    out.push_back({"go", CheckStatus::Error, "`go env -json`: " + parsed.error().message, "check the Go installation"});
    return out;
  }
  g.env = *parsed;
  if (auto j = json::parse(r->out)) {
    g.gobin = (*j)["GOBIN"].as_string();
    // The user's GOTOOLCHAIN: the environment, else the GOENV file, else $GOROOT/go.env.
    g.gotoolchain = getv(env, "GOTOOLCHAIN");
    for (const std::string& file : {(*j)["GOENV"].as_string(), (*j)["GOROOT"].as_string() + "/go.env"}) {
      if (!g.gotoolchain.empty() || file.empty()) break;
      auto text = sys::read_file(file);
      if (!text) continue;
      size_t pos = 0;
      while (pos < text->size()) {
        size_t nl = text->find('\n', pos);
        std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text->size() : nl + 1;
        if (line.starts_with("GOTOOLCHAIN=")) g.gotoolchain = line.substr(12);
      }
    }
    g.goos = (*j)["GOOS"].as_string();
    g.goarch = (*j)["GOARCH"].as_string();
  }
  out.push_back({"go", CheckStatus::Ok, g.go + " (" + (g.env->goversion.empty() ? "version unknown" : g.env->goversion) + ")", {}});
  out.push_back(core::check_go_dir("GOROOT", g.env->goroot, dir_facts(g.env->goroot), false, false));
  std::string gopath1 = g.env->gopath.substr(0, g.env->gopath.find(':'));
  out.push_back(core::check_go_dir("GOPATH", gopath1, dir_facts(gopath1), false, true));
  out.push_back(core::check_go_dir("GOMODCACHE", g.env->gomodcache, dir_facts(g.env->gomodcache), true, true));
  out.push_back(core::check_go_dir("GOCACHE", g.env->gocache, dir_facts(g.env->gocache), true, true));
  return out;
}

// The real gopls as the launcher would pick it; "" when not found.
Check check_gopls(const std::map<std::string, std::string>& env, const std::optional<std::string>& override_path,
                  std::string* found_out) {
  std::string name = "gopls";
  std::string origin = "PATH";
  if (override_path) {
    name = *override_path;
    origin = "--gopls";
  } else if (auto o = resolve_options(core::Options{}, env); o && o->gopls) {
    name = *o->gopls;
    origin = "GOPLS_SANDBOX_GOPLS / config";
  }
  std::string path_var = getv(env, "PATH");
  if (path_var.empty()) path_var = "/usr/local/bin:/usr/bin:/bin";
  std::string found = sys::find_in_path(name, path_var, sys::self_id());
  if (found.empty())
    return {"gopls", CheckStatus::Error, name + " not found in PATH (the launcher itself is skipped)",
            "install gopls (apt install gopls, or go install golang.org/x/tools/gopls@latest) or set GOPLS_SANDBOX_GOPLS"};
  core::ExecFacts f = exec_facts(found);
  if (!f.exists || f.is_dir || !f.executable)
    return {"gopls", CheckStatus::Error, found + " (from " + origin + ") is not an executable file",
            "point --gopls / GOPLS_SANDBOX_GOPLS at the real gopls binary"};
  if (sys::file_id(found) == sys::self_id())
    return {"gopls", CheckStatus::Error, found + " (from " + origin + ") is gopls-sandbox itself, not gopls",
            "point --gopls / GOPLS_SANDBOX_GOPLS at the real gopls binary"};
  *found_out = found;
  std::string d = found + (f.resolved != found ? " -> " + f.resolved : "") + " (from " + origin + ")";
  std::string self_note;
  if (origin == "PATH" && !sys::find_in_path("gopls", path_var).empty() &&
      sys::file_id(sys::find_in_path("gopls", path_var)) == sys::self_id())
    self_note = "; the first gopls on PATH is this launcher and is skipped";
  return {"gopls", CheckStatus::Ok, d + self_note, {}};
}

std::vector<Check> check_kernel() {
  std::vector<Check> out;
  core::UsernsFacts u;
  u.root = sys::is_root();
  u.max_user_namespaces = read_long("/proc/sys/user/max_user_namespaces");
  u.unprivileged_userns_clone = read_long("/proc/sys/kernel/unprivileged_userns_clone");
  u.apparmor_restrict = read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  u.unshare_errno = sys::probe_unshare_user(false);
  if (u.root) u.unprivileged_errno = sys::probe_unshare_user(true);
  for (auto& c : core::check_userns(u)) out.push_back(std::move(c));

  core::SeccompFacts s;
  s.filter_mode = sys::seccomp_filters_available();
  if (auto t = sys::read_file("/proc/sys/kernel/seccomp/actions_avail")) {
    s.actions_avail = *t;
    while (!s.actions_avail.empty() && s.actions_avail.back() == '\n') s.actions_avail.pop_back();
  }
  s.user_notif = sys::kernel_supports_user_notif();
  for (auto& c : core::check_seccomp(s)) out.push_back(std::move(c));
  return out;
}

// gopls built with an older go than the go it will run (issue 15): `go version GOPLS`.
Check check_gopls_vs_go(const GoFacts& g, const std::string& gopls) {
  if (gopls.empty() || !g.env) return core::check_gopls_go_match(gopls, "", g.go, "");
  std::string built;
  if (auto r = sys::run_capture({real_path(g.go), "version", gopls}, environment_list()); r && r->status == 0) {
    std::string out = r->out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (auto c = out.rfind(": "); c != std::string::npos) built = out.substr(c + 2);
  }
  return core::check_gopls_go_match(gopls, built, g.go, g.env->goversion);
}

// The go/toolchain line of the workspace's go.work or go.mod (nearest, upwards) against the local go.
Check check_toolchain(const GoFacts& g, const std::string& workspace, bool network) {
  core::ToolchainFacts f;
  if (!g.env) return core::check_toolchain(f);
  for (std::string dir = workspace; !dir.empty();) {
    for (const char* name : {"/go.work", "/go.mod"}) {
      std::string p = (dir == "/" ? std::string() : dir) + name;
      if (f.file.empty() && sys::access_err(p, sys::kRead) == 0) {
        if (auto t = sys::read_file(p)) {
          f.file = p;
          f.wanted = core::parse_gomod_versions(*t);
        }
      }
    }
    if (!f.file.empty() || dir == "/") break;
    auto slash = dir.rfind('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
  f.local_version = g.env->goversion;
  f.gotoolchain = g.gotoolchain.empty() ? "auto" : g.gotoolchain;
  f.gomodcache = g.env->gomodcache;
  f.network = network;
  std::string want = core::wanted_toolchain(f.wanted);
  if (!want.empty() && !f.gomodcache.empty()) {
    std::string dir = f.gomodcache + "/golang.org/toolchain@v0.0.1-" + want + "." + g.goos + "-" + g.goarch;
    f.cached = sys::access_err(dir + "/bin/go", sys::kExec) == 0;
  }
  return core::check_toolchain(f);
}

Check check_plan(const std::string& workspace, const std::optional<std::string>& gopls, bool* share_net = nullptr) {
  LaunchRequest req;
  req.kind = ProgramKind::Gopls;
  req.cli.workspaces = {workspace};
  req.cli.dry_run = true;  // a plan only: no cache domain is created or locked
  if (gopls) req.cli.gopls = *gopls;
  auto p = prepare(req);
  if (p && share_net) *share_net = p->plan.share_net;
  if (!p) return {"sandbox plan", CheckStatus::Error, p.error().message,
                  p.error().hint.empty() ? "run `gopls-sandbox run --dry-run` in the workspace for details" : p.error().hint};
  std::vector<std::string> have;
  for (const auto& m : p->plan.mounts) {
    if (m.kind != core::MountKind::Bind && m.kind != core::MountKind::RoBind && m.kind != core::MountKind::Overlay) continue;
    for (const char* w : {"GOROOT", "GOMODCACHE", "GOCACHE", "workspace"})
      if (m.why.rfind(w, 0) == 0 && (m.why.size() == std::strlen(w) || m.why[std::strlen(w)] == ' ') && std::find(have.begin(), have.end(), w) == have.end()) have.push_back(w);
  }
  std::string d = "mounts";
  for (auto& h : have) d += " " + h;
  d += "; profile " + (p->policy ? p->policy->name : std::string("none"));
  if (std::find(have.begin(), have.end(), "workspace") == have.end())
    return {"sandbox plan", CheckStatus::Error, d + " — the workspace is not mounted",
            "run `gopls-sandbox run --dry-run --workspace " + workspace + "` and check the notes"};
  if (std::find(have.begin(), have.end(), "GOROOT") == have.end())
    return {"sandbox plan", CheckStatus::Warning, d + " — GOROOT is not mounted (go env did not run?)",
            "make `go env -json` work in this environment"};
  return {"sandbox plan", CheckStatus::Ok, d, {}};
}

std::vector<std::string> default_settings_files(const std::map<std::string, std::string>& env, const std::string& ws) {
  std::string cfg = getv(env, "XDG_CONFIG_HOME");
  if (cfg.empty()) cfg = getv(env, "HOME") + "/.config";
  std::vector<std::string> out;
  for (const char* app : {"Code", "Code - OSS", "Code - Insiders", "VSCodium"})
    out.push_back(cfg + "/" + app + "/User/settings.json");
  out.push_back(ws + "/.vscode/settings.json");
  return out;
}

std::vector<Check> check_settings(const std::vector<std::string>& files, bool explicit_files,
                                  const std::map<std::string, std::string>& env, const std::string& ws,
                                  const GoFacts& g) {
  std::vector<Check> out;
  int seen = 0;
  for (const auto& f : files) {
    if (!explicit_files && sys::access_err(f, sys::kExists) != 0) continue;
    ++seen;
    auto text = sys::read_file(f);
    if (!text) {
      out.push_back({"vscode settings", CheckStatus::Error, f + ": " + text.error().message, "check the file's permissions"});
      continue;
    }
    auto v = core::parse_jsonc(*text);
    if (!v) {
      out.push_back({"vscode settings", CheckStatus::Error, f + ": " + v.error().message,
                     "fix the syntax (VS Code shows it in the settings editor)"});
      continue;
    }
    if (!v->is_object()) {
      out.push_back({"vscode settings", CheckStatus::Error, f + ": not a JSON object", "the file must hold { … }"});
      continue;
    }
    core::SettingsContext ctx;
    ctx.file = f;
    ctx.home = getv(env, "HOME");
    ctx.workspace = ws;
    ctx.env = env;
    ctx.go = g.env;
    ctx.gobin = g.gobin;
    ctx.probe_exec = exec_facts;
    ctx.dir_exists = is_dir;
    ctx.real_path = real_path;
    for (auto& c : core::check_vscode_settings(*v, ctx)) out.push_back(std::move(c));
  }
  if (seen == 0) {
    std::string list;
    for (const auto& f : files) list += (list.empty() ? "" : ", ") + f;
    out.push_back({"vscode settings", CheckStatus::Ok, "none found (looked for " + list + ")", {}});
  }
  return out;
}

// ---------------------------------------------------------------- startup reproduction

// This launcher started as an editor starts gopls (no arguments, cwd = the workspace, stdio
// pipes), driven through initialize / initialized / shutdown / exit by the project's LSP client.
// The facts go into a StartupResult; core::startup_check() gives the verdict.
class StartupRun {
 public:
  using Clock = std::chrono::steady_clock;

  core::StartupResult run(const std::string& ws, const std::optional<std::string>& gopls, double timeout_s,
                          std::map<std::string, std::string> env) {
    r_.timeout_s = timeout_s;
    auto log = sys::make_temp_file("/tmp/gopls-sandbox-doctor-XXXXXX", 0644);
    if (!log) {
      r_.note = log.error().message;
      return r_;
    }
    env["GOPLS_SANDBOX_LOG"] = *log;
    if (gopls) env["GOPLS_SANDBOX_GOPLS"] = *gopls;
    env.erase("GOPLS_SANDBOX_METRICS");
    sys::StdioChildSpec spec;
    spec.exe = "/proc/self/exe";
    spec.argv = {"gopls-sandbox"};
    for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);
    spec.cwd = ws;
    auto child = sys::StdioChild::start(spec);
    if (!child) {
      r_.note = child.error().message;
      (void)sys::remove_file(*log);
      return r_;
    }
    child_ = std::move(*child);
    r_.ran = true;
    start_ = Clock::now();
    deadline_ = start_ + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    handshake(ws);
    finish();
    if (auto t = sys::read_file(*log)) {
      for (auto& d : core::parse_denial_log(*t))
        if (d.find("syscall")) r_.denials.push_back(std::move(d));
    }
    if (r_.denials.empty()) (void)sys::remove_file(*log);
    else r_.denial_log = *log;
    r_.stderr_tail = core::tail_lines(child_->stderr_text(), 12, 2000);
    child_.reset();
    return r_;
  }

 private:
  double ms_since_start(Clock::time_point t) const {
    return std::chrono::duration<double, std::milli>(t - start_).count();
  }
  double now_ms() const { return ms_since_start(Clock::now()); }

  // The answer to request `id`, or the step recorded as failed (timed out, or the server gone).
  std::optional<json::Value> answer(sys::LspClient& c, int id, const std::string& step) {
    auto resp = c.response_by(id, deadline_);
    if (!resp) {
      if (c.last_wait() == sys::LspTransport::Read::Timeout) r_.timed_out = true;
      r_.failed_step = step;
      return std::nullopt;
    }
    if (std::string e = core::startup_step_error(step, *resp); !e.empty()) {
      r_.failed_step = step;
      r_.note = e;
      return std::nullopt;
    }
    r_.steps.push_back({step, now_ms()});
    return resp;
  }

  void handshake(const std::string& ws) {
    sys::LspClient c(*child_);
    auto init = answer(c, c.request("initialize", core::startup_initialize_params(ws, sys::own_pid())), "initialize");
    if (!init) return;
    r_.server_name = core::startup_server_name(*init);
    c.notify("initialized", json::Object{});
    r_.steps.push_back({"initialized", now_ms()});
    if (!answer(c, c.request("shutdown", nullptr), "shutdown")) return;
    c.notify("exit", nullptr);
    child_->close_stdin();
    if (!child_->wait_exit(deadline_)) {
      if (Clock::now() >= deadline_) r_.timed_out = true;
      r_.failed_step = "exit";
      return;
    }
    r_.exit_status = child_->exit_status();
    if (std::string e = core::startup_exit_error(r_.exit_status); !e.empty()) {
      r_.failed_step = "exit";
      r_.note = e;
      return;
    }
    r_.steps.push_back({"exit", ms_since_start(child_->exited_at())});
  }

  void finish() {
    child_->close_stdin();
    if (!child_->exited()) {
      // Failed or timed out: the sandbox dies with the launcher.
      child_->kill_and_reap();
      r_.exit_status = r_.timed_out ? -1 : child_->exit_status();
    } else {
      r_.exit_status = child_->exit_status();
    }
    // Remaining stderr (the launcher is gone; the pipe closes once the sandbox is gone).
    child_->drain_stderr(Clock::now() + std::chrono::seconds(2));
  }

  core::StartupResult r_;
  std::unique_ptr<sys::StdioChild> child_;
  Clock::time_point start_, deadline_;
};

constexpr const char* kFooter = R"(Checks: go and `go env` directories (readable; caches writable), the real gopls (not this
launcher), unprivileged user namespaces (sysctls), seccomp and user notification, the sandbox plan,
the workspace (gopls cache writable; go.work, replace and GOPATH directories bound; requirements
present in GOMODCACHE; its packages loading inside the sandbox with gopls' `go list` flags),
VS Code settings (go.alternateTools.gopls, go.goroot, go.gopath, go.toolsEnvVars), and a minimal
startup reproduction: this launcher started like an editor starts gopls (no arguments, cwd = the
workspace, stdio pipes) answering initialize / initialized / shutdown / exit.

Exit status: 0 no errors (warnings allowed), 1 at least one error, 2 usage error.

Examples:
  gopls-sandbox doctor --workspace ~/src/proj
  gopls-sandbox doctor --vscode-settings ~/.config/Code/User/settings.json --json
  gopls-sandbox doctor --gopls /bin/false      # see what a broken server looks like)";

}  // namespace

int cmd_doctor(const Args& args) {
  CLI::App app{"Check the setup and reproduce an editor's gopls startup in the sandbox.", "doctor"};
  app.description(app.get_description() +
                  "\nUsage: gopls-sandbox doctor [--vscode-settings FILE]... [--workspace DIR] [--json]");
  std::vector<std::string> settings;
  std::string workspace;
  bool as_json = false, no_startup = false, no_load = false;
  double timeout = 30;
  std::optional<std::string> gopls;
  app.add_option("--vscode-settings", settings,
                 "VS Code settings.json to check (repeatable; default: the user settings of Code, Code - OSS, "
                 "VSCodium and WORKSPACE/.vscode/settings.json)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_option("--workspace", workspace, "Workspace directory for the plan and the startup reproduction (default: the current directory)")
      ->type_name("DIR");
  app.add_flag("--json", as_json, "Machine-readable report on stdout");
  app.add_option("--timeout", timeout, "Seconds the startup reproduction may take (default 30)")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);
  app.add_option_function<std::string>("--gopls", [&gopls](const std::string& s) { gopls = s; },
                                       "Use this gopls (passed to the sandbox as GOPLS_SANDBOX_GOPLS)")
      ->type_name("PATH");
  app.add_flag("--no-startup", no_startup, "Skip the startup reproduction");
  app.add_flag("--no-load", no_load, "Skip loading the workspace's packages inside the sandbox (go list)");
  app.footer(kFooter);
  if (auto rc = parse_cli(app, args, "gopls-sandbox doctor", true)) return *rc;

  auto env = environment_map();
  const std::string cwd = sys::current_dir();
  if (workspace.empty()) {
    if (cwd.empty()) return report(Error::sys("current directory", "getcwd", errno));
    workspace = cwd;
  }
  if (workspace[0] != '/' && !cwd.empty()) workspace = cwd + "/" + workspace;
  workspace = core::normalize_path(workspace);
  if (!is_dir(workspace)) return report(Error::usage("--workspace " + workspace + ": not a directory"));
  for (const auto& s : settings)
    if (int e = sys::access_err(s, sys::kExists))
      return report(Error::usage("--vscode-settings " + s + ": " + errno_text(e)));
  if (gopls && !gopls->empty() && (*gopls)[0] != '/' && gopls->find('/') != std::string::npos && !cwd.empty())
    gopls = cwd + "/" + *gopls;
  // Writing to a server that died must not kill the doctor (the child restores the default).
  sys::ignore_sigpipe();
  // issue 16 (h-ll hook): without user namespaces, the mode and the AppArmor fix come first.
  std::vector<std::string> notes = isolation_doctor_lines();

  std::vector<Check> checks;
  GoFacts g;
  for (auto& c : check_go(env, g)) checks.push_back(std::move(c));
  std::string gopls_found;
  checks.push_back(check_gopls(env, gopls, &gopls_found));
  if (!gopls_found.empty() && g.env) checks.push_back(check_gopls_vs_go(g, gopls_found));
  for (auto& c : check_kernel()) checks.push_back(std::move(c));
  bool share_net = false;
  checks.push_back(check_plan(workspace, gopls, &share_net));
  checks.push_back(network_check(workspace, gopls));  // issue 14 (app/net_proxy.cpp)
  for (auto& c : check_workspace_truths(workspace, gopls, env, g.env ? g.env->gomodcache : std::string(), !no_load))
    checks.push_back(std::move(c));  // issue 13 (app/doctor_workspace.cpp)
  if (g.env) checks.push_back(check_toolchain(g, workspace, share_net));
  bool explicit_settings = !settings.empty();
  if (!explicit_settings) settings = default_settings_files(env, workspace);
  for (auto& c : check_settings(settings, explicit_settings, env, workspace, g)) checks.push_back(std::move(c));

  std::optional<core::StartupResult> startup;
  if (!no_startup) startup = StartupRun().run(workspace, gopls, timeout, env);
  core::DoctorReport rep = core::make_doctor_report(std::move(notes), std::move(checks), std::move(startup));
  sys::print_out(as_json ? core::to_json(rep).dump(2) + "\n" : core::to_text(rep));
  return rep.exit_status;
}

}  // namespace gsb::app
