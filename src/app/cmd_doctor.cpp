// gopls-sandbox doctor: check the host, the Go toolchain, VS Code's settings, and reproduce an
// editor's gopls startup through the sandbox. Facts are gathered here; verdicts come from
// core/doctor.
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"

namespace gsb::app {

namespace {

using core::Check;
using core::CheckStatus;

std::string getv(const std::map<std::string, std::string>& env, const std::string& k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  if (p.empty() || !::realpath(p.c_str(), buf)) return p;
  return buf;
}

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

core::DirFacts dir_facts(const std::string& path) {
  core::DirFacts f;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    f.exists = true;
    f.is_dir = S_ISDIR(st.st_mode);
    f.readable = ::access(path.c_str(), R_OK | X_OK) == 0;
    f.writable = ::access(path.c_str(), W_OK | X_OK) == 0;
    return f;
  }
  // Nearest existing ancestor decides whether mkdir -p would work.
  std::string p = path;
  while (!p.empty() && p != "/") {
    p = p.substr(0, p.rfind('/'));
    if (p.empty()) p = "/";
    if (::stat(p.c_str(), &st) == 0) {
      f.creatable = S_ISDIR(st.st_mode) && ::access(p.c_str(), W_OK | X_OK) == 0;
      break;
    }
  }
  return f;
}

core::ExecFacts exec_facts(const std::string& p) {
  core::ExecFacts f;
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return f;
  f.exists = true;
  f.is_dir = S_ISDIR(st.st_mode);
  f.executable = !f.is_dir && ::access(p.c_str(), X_OK) == 0;
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

// unshare(CLONE_NEWUSER) in a throw-away child (as uid/gid 65534 with as_nobody): 0 or the errno.
int probe_userns(bool as_nobody) {
  pid_t pid = ::fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    if (as_nobody && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(EPERM);
    ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0xff));
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : EINVAL;
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
  u.root = ::geteuid() == 0;
  u.max_user_namespaces = read_long("/proc/sys/user/max_user_namespaces");
  u.unprivileged_userns_clone = read_long("/proc/sys/kernel/unprivileged_userns_clone");
  u.apparmor_restrict = read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  u.unshare_errno = probe_userns(false);
  if (u.root) u.unprivileged_errno = probe_userns(true);
  for (auto& c : core::check_userns(u)) out.push_back(std::move(c));

  core::SeccompFacts s;
  uint32_t action = SECCOMP_RET_ERRNO;
  s.filter_mode = ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
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
      if (f.file.empty() && ::access(p.c_str(), R_OK) == 0) {
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
    f.cached = ::access((dir + "/bin/go").c_str(), X_OK) == 0;
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
    if (!explicit_files && ::access(f.c_str(), F_OK) != 0) continue;
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

class StartupRun {
 public:
  core::StartupResult run(const std::string& ws, const std::optional<std::string>& gopls, double timeout_s,
                          std::map<std::string, std::string> env) {
    r_.timeout_s = timeout_s;
    char tmpl[] = "/tmp/gopls-sandbox-doctor-XXXXXX";
    int lfd = ::mkstemp(tmpl);
    if (lfd < 0) {
      r_.note = "mkstemp: " + errno_text(errno);
      return r_;
    }
    ::close(lfd);
    log_ = tmpl;
    ::chmod(log_.c_str(), 0644);
    env["GOPLS_SANDBOX_LOG"] = log_;
    if (gopls) env["GOPLS_SANDBOX_GOPLS"] = *gopls;
    env.erase("GOPLS_SANDBOX_METRICS");
    if (!spawn(ws, env)) {
      ::unlink(log_.c_str());
      return r_;
    }
    r_.ran = true;
    start_ = std::chrono::steady_clock::now();
    deadline_ = start_ + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    handshake();
    finish();
    if (auto t = sys::read_file(log_)) {
      for (auto& d : core::parse_denial_log(*t))
        if (d.find("syscall")) r_.denials.push_back(std::move(d));
    }
    if (r_.denials.empty()) ::unlink(log_.c_str());
    else r_.denial_log = log_;
    r_.stderr_tail = core::tail_lines(err_buf_, 12, 2000);
    return r_;
  }

 private:
  bool spawn(const std::string& ws, const std::map<std::string, std::string>& env) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
      r_.note = "pipe2: " + errno_text(errno);
      return false;
    }
    std::vector<std::string> envs;
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> ev;
    for (auto& e : envs) ev.push_back(e.data());
    ev.push_back(nullptr);
    char arg0[] = "gopls-sandbox";
    char* argv[] = {arg0, nullptr};
    pid_ = ::fork();
    if (pid_ < 0) {
      r_.note = "fork: " + errno_text(errno);
      return false;
    }
    if (pid_ == 0) {
      ::signal(SIGPIPE, SIG_DFL);
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      if (::chdir(ws.c_str()) != 0) ::_exit(121);
      ::execve("/proc/self/exe", argv, ev.data());
      ::_exit(126);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    return true;
  }

  double now_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

  void send(const json::Value& v) {
    std::string f = core::lsp_frame(v.dump());
    if (in_ >= 0 && sys::write_all(in_, f.data(), f.size()) != 0) {
      ::close(in_);
      in_ = -1;
    }
  }
  void request(int id, const std::string& method, json::Value params) {
    json::Value m;
    m.set("jsonrpc", "2.0");
    m.set("id", id);
    m.set("method", method);
    m.set("params", std::move(params));
    send(m);
  }
  void notify(const std::string& method, json::Value params) {
    json::Value m;
    m.set("jsonrpc", "2.0");
    m.set("method", method);
    m.set("params", std::move(params));
    send(m);
  }

  // Pump stdout/stderr/exit until `id` is answered (true), the process exits or the deadline.
  // id < 0: wait for the exit only.
  bool pump(int id, json::Value* response) {
    std::vector<std::string> bodies;
    for (;;) {
      if (id >= 0) {
        for (size_t i = 0; i < msgs_.size(); ++i) {
          if (!msgs_[i]["method"].is_string() && msgs_[i]["id"].as_int(-1) == id) {
            *response = msgs_[i];
            msgs_.erase(msgs_.begin() + static_cast<long>(i));
            return true;
          }
        }
      }
      if (exited_ && out_ < 0) return false;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        r_.timed_out = true;
        return false;
      }
      pollfd fds[3] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}, {exited_ ? -1 : pidfd_, POLLIN, 0}};
      int n = ::poll(fds, 3, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) return false;
      if (n <= 0) continue;
      char buf[65536];
      if (fds[0].fd >= 0 && fds[0].revents) {
        ssize_t k = ::read(out_, buf, sizeof buf);
        if (k > 0) {
          bodies.clear();
          parser_.feed(std::string_view(buf, static_cast<size_t>(k)), bodies);
          for (auto& b : bodies) handle(b);
        } else if (k == 0 || errno != EINTR) {
          ::close(out_);
          out_ = -1;
        }
      }
      if (fds[1].fd >= 0 && fds[1].revents) {
        ssize_t k = ::read(err_, buf, sizeof buf);
        if (k > 0) {
          err_buf_.append(buf, static_cast<size_t>(k));
          if (err_buf_.size() > 65536) err_buf_.erase(0, err_buf_.size() - 32768);
        } else if (k == 0 || errno != EINTR) {
          ::close(err_);
          err_ = -1;
        }
      }
      if (fds[2].fd >= 0 && fds[2].revents) reap(false);
      if (pidfd_ < 0 && !exited_) reap(false);  // no pidfd: poll the status
      if (exited_ && id < 0) return true;
    }
  }

  void handle(const std::string& body) {
    auto v = json::parse(body);
    if (!v || !v->is_object()) return;
    if ((*v)["method"].is_string() && v->find("id")) {  // server -> client request: answer it
      send(core::lsp_minimal_client_reply(*v));
      return;
    }
    if (!(*v)["method"].is_string()) msgs_.push_back(std::move(*v));
  }

  void reap(bool block) {
    if (exited_) return;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
    if (r != pid_) return;
    exited_ = true;
    r_.exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    exit_ms_ = now_ms();
  }

  void handshake() {
    json::Value init;
    init.set("processId", static_cast<int>(::getpid()));
    init.set("rootUri", "file://" + ws_uri_path());
    json::Value caps;
    json::Value wsc;
    wsc.set("configuration", true);
    wsc.set("workspaceFolders", true);
    caps.set("workspace", wsc);
    init.set("capabilities", caps);
    json::Value folders;
    json::Value f;
    f.set("uri", "file://" + ws_uri_path());
    f.set("name", "doctor");
    folders.push(f);
    init.set("workspaceFolders", folders);
    json::Value ci;
    ci.set("name", "gopls-sandbox doctor");
    init.set("clientInfo", ci);

    json::Value resp;
    request(1, "initialize", init);
    if (!pump(1, &resp)) {
      r_.failed_step = "initialize";
      return;
    }
    if (resp.find("error")) {
      r_.failed_step = "initialize";
      r_.note = "initialize returned an error: " + resp["error"]["message"].as_string();
      return;
    }
    r_.steps.push_back({"initialize", now_ms()});
    const json::Value& si = resp["result"]["serverInfo"];
    if (si.is_object()) {
      // gopls puts its whole `version -json` document into serverInfo.version.
      std::string ver = si["version"].as_string();
      if (auto vj = json::parse(ver); vj && vj->is_object()) {
        std::string mv = (*vj)["Main"]["Version"].as_string();
        ver = (mv.empty() ? std::string("(devel)") : mv);
        if ((*vj)["GoVersion"].is_string()) ver += ", built with " + (*vj)["GoVersion"].as_string();
      }
      r_.server_name = si["name"].as_string() + (ver.empty() ? "" : " " + ver);
    }
    if (r_.server_name.size() > 120) r_.server_name = r_.server_name.substr(0, 120) + "…";
    notify("initialized", json::Object{});
    r_.steps.push_back({"initialized", now_ms()});
    request(2, "shutdown", nullptr);
    if (!pump(2, &resp)) {
      r_.failed_step = "shutdown";
      return;
    }
    if (resp.find("error")) {
      r_.failed_step = "shutdown";
      r_.note = "shutdown returned an error: " + resp["error"]["message"].as_string();
      return;
    }
    r_.steps.push_back({"shutdown", now_ms()});
    notify("exit", nullptr);
    if (in_ >= 0) ::close(in_);
    in_ = -1;
    if (!pump(-1, &resp)) {
      r_.failed_step = "exit";
      return;
    }
    if (r_.exit_status != 0) {
      r_.failed_step = "exit";
      r_.note = "exit status " + std::to_string(r_.exit_status) + " after `exit` (expected 0)";
      return;
    }
    r_.steps.push_back({"exit", exit_ms_});
  }

  std::string ws_uri_path() const { return ws_; }

  void finish() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
    if (!exited_) {
      // Failed or timed out: the sandbox dies with the launcher.
      ::kill(pid_, SIGKILL);
      reap(true);
      if (r_.timed_out) r_.exit_status = -1;
    }
    // Remaining stderr (the launcher is gone; the pipe closes once the sandbox is gone).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (err_ >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p = {err_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[8192];
      ssize_t k = ::read(err_, buf, sizeof buf);
      if (k <= 0) break;
      err_buf_.append(buf, static_cast<size_t>(k));
    }
    for (int* fd : {&out_, &err_, &pidfd_})
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
  }

 public:
  std::string ws_;

 private:
  core::StartupResult r_;
  std::string log_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1, pidfd_ = -1;
  bool exited_ = false;
  double exit_ms_ = 0;
  std::chrono::steady_clock::time_point start_, deadline_;
  core::LspFrameParser parser_;
  std::vector<json::Value> msgs_;
  std::string err_buf_;
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
  if (workspace.empty()) {
    char buf[PATH_MAX];
    if (!::getcwd(buf, sizeof buf)) return report(Error::sys("current directory", "getcwd", errno));
    workspace = buf;
  }
  if (workspace[0] != '/') {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf)) workspace = std::string(buf) + "/" + workspace;
  }
  workspace = core::normalize_path(workspace);
  if (!is_dir(workspace)) return report(Error::usage("--workspace " + workspace + ": not a directory"));
  for (const auto& s : settings)
    if (::access(s.c_str(), F_OK) != 0)
      return report(Error::usage("--vscode-settings " + s + ": " + errno_text(errno)));
  if (gopls && !gopls->empty() && (*gopls)[0] != '/' && gopls->find('/') != std::string::npos) {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf)) gopls = std::string(buf) + "/" + *gopls;
  }
  // Writing to a server that died must not kill the doctor (the child restores the default).
  ::signal(SIGPIPE, SIG_IGN);
  // issue 16 (h-ll hook): without user namespaces, the mode and the AppArmor fix come first.
  if (!as_json)
    for (const auto& l : isolation_doctor_lines()) std::printf("%s\n", l.c_str());

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
  if (!no_startup) {
    StartupRun run;
    run.ws_ = workspace;
    startup = run.run(workspace, gopls, timeout, env);
    checks.push_back(core::startup_check(*startup));
  }
  const core::StartupResult* sp = startup ? &*startup : nullptr;
  if (as_json) std::fputs((core::report_to_json(checks, sp).dump(2) + "\n").c_str(), stdout);
  else std::fputs(core::format_report(checks, sp).c_str(), stdout);
  return core::doctor_exit_code(checks);
}

}  // namespace gsb::app
