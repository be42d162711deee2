#include "gopls_sandbox/app/launch.hpp"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/app/learn.hpp"
#include "gopls_sandbox/app/lsp_relay.hpp"
#include "gopls_sandbox/app/lsp_workspace.hpp"
#include "gopls_sandbox/app/metrics.hpp"
#include "gopls_sandbox/app/supervisor.hpp"
#include "gopls_sandbox/core/json.hpp"
#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/landlock.hpp"
#include "gopls_sandbox/sys/machine_facts.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/sandbox.hpp"

extern char** environ;

namespace gsb::app {

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> m;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (!eq) continue;
    m.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  return m;
}

std::vector<std::string> environment_list() {
  std::vector<std::string> v;
  for (char** e = environ; e && *e; ++e) v.emplace_back(*e);
  return v;
}

std::vector<std::string> host_go_environment() {
  std::vector<std::string> v;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "GOTOOLCHAIN=", 12) != 0) v.emplace_back(*e);
  // Never let a go.mod/go.work `toolchain` line make the host download and run another Go.
  v.emplace_back("GOTOOLCHAIN=local");
  return v;
}

int report(const Error& e) {
  std::fprintf(stderr, "gopls-sandbox: %s\n", e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "gopls-sandbox: hint: %s\n", e.hint.c_str());
  return exit_code_for(e.kind);
}

namespace {

std::string get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

std::string config_path(const std::map<std::string, std::string>& env) {
  std::string p = get(env, "GOPLS_SANDBOX_CONFIG");
  if (!p.empty()) return p;
  std::string x = get(env, "XDG_CONFIG_HOME");
  if (x.empty() || x[0] != '/') {
    std::string home = get(env, "HOME");
    if (home.empty()) return {};
    x = home + "/.config";
  }
  return x + "/gopls-sandbox/config.toml";
}

std::string current_dir() {
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return {};
  return buf;
}

std::string absolute(const std::string& p, const std::string& cwd) {
  if (p.empty()) return p;
  if (p[0] == '/') return core::normalize_path(p);
  return core::normalize_path(cwd + "/" + p);
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return {};
  return buf;
}

core::PathFacts probe(const std::string& path) {
  core::PathFacts f;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return f;
  auto kind = [](const struct stat& s) {
    return S_ISDIR(s.st_mode) ? core::PathFacts::Dir : S_ISREG(s.st_mode) ? core::PathFacts::File : core::PathFacts::Other;
  };
  if (!S_ISLNK(st.st_mode)) {
    f.type = f.resolved = kind(st);
    f.real = real_path(path);  // (a symlink in a parent directory: resolved too)
    return f;
  }
  f.type = core::PathFacts::Symlink;
  char buf[PATH_MAX];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n > 0) f.link_target.assign(buf, static_cast<size_t>(n));
  struct stat tst;
  if (::stat(path.c_str(), &tst) == 0) {
    f.resolved = kind(tst);
    f.real = real_path(path);
  }
  return f;
}

Result<std::string> find_program(const LaunchRequest& req, const core::Options& o,
                                 const std::map<std::string, std::string>& env) {
  std::string path_var = get(env, "PATH");
  if (path_var.empty()) path_var = "/usr/local/bin:/usr/bin:/bin";
  std::string name;
  sys::FileId skip;
  if (req.kind == ProgramKind::Gopls) {
    name = o.gopls.value_or("gopls");
    skip = sys::self_id();
  } else {
    if (req.args.empty()) return Error::usage("exec: missing PROGRAM (usage: gopls-sandbox exec [OPTIONS] -- PROGRAM [ARGS...])");
    name = req.args[0];
  }
  std::string found = sys::find_in_path(name, path_var, skip);
  if (found.empty()) {
    Error e{ErrorKind::NotFound, name + ": not found in PATH", {}};
    if (req.kind == ProgramKind::Gopls)
      e.hint = "install gopls (apt install gopls, or go install golang.org/x/tools/gopls@latest) or point to it "
               "with --gopls PATH, GOPLS_SANDBOX_GOPLS or `gopls = \"...\"` in the config file";
    return e;
  }
  std::string abs = absolute(found, current_dir());
  struct stat st;
  if (::stat(abs.c_str(), &st) != 0) return Error{ErrorKind::NotFound, abs + ": " + errno_text(errno), {}};
  if (S_ISDIR(st.st_mode)) return Error{ErrorKind::NotExec, abs + ": is a directory", {}};
  if (::access(abs.c_str(), X_OK) != 0) return Error{ErrorKind::NotExec, abs + ": not executable: " + errno_text(errno), {}};
  if (req.kind == ProgramKind::Gopls && sys::file_id(abs) == sys::self_id())
    return Error{ErrorKind::NotFound, abs + " is gopls-sandbox itself, not gopls",
                 "point --gopls / GOPLS_SANDBOX_GOPLS at the real gopls binary"};
  return abs;
}

// "dev:ino:size:mtime" of a path, or "-" when absent.
std::string identity(const std::string& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::string cache_dir(const std::map<std::string, std::string>& env) {
  std::string c = get(env, "XDG_CACHE_HOME");
  if (c.empty() || c[0] != '/') {
    std::string home = get(env, "HOME");
    if (home.empty()) return {};
    c = home + "/.cache";
  }
  return c + "/gopls-sandbox";
}

// `go env` for the directories to mount, cached: running go costs tens of milliseconds, the
// cache a stat or two. The key covers the go binary, the GOENV file, go.mod/go.work in the
// working directory and every variable go reads.
std::optional<core::GoEnv> go_env(const std::string& go, const std::map<std::string, std::string>& env, bool verbose) {
  std::string goenv_file = get(env, "GOENV");
  if (goenv_file.empty()) {
    std::string cfg = get(env, "XDG_CONFIG_HOME");
    if (cfg.empty() || cfg[0] != '/') cfg = get(env, "HOME") + "/.config";
    goenv_file = cfg + "/go/env";
  }
  // (go env runs in "/" with GOTOOLCHAIN=local: the workspace's go.mod/go.work play no part.)
  std::string key = core::go_env_cache_key(go + "=" + identity(go) + ";" + identity(goenv_file), "/", env);
  std::string dir = cache_dir(env);
  std::string file = dir.empty() ? std::string() : dir + "/goenv-" + key + ".json";
  if (!file.empty()) {
    if (auto text = sys::read_file(file)) {
      if (auto g = core::parse_go_env_json(*text)) return *g;
    }
  }
  // Only the variables we need: a bare `go env -json` also runs the C compiler (GOGCCFLAGS).
  auto r = sys::run_capture({go, "env", "-json", "GOROOT", "GOPATH", "GOMODCACHE", "GOCACHE", "GOENV", "GOVERSION"},
                            host_go_environment());
  if (!r || r->status != 0) {
    if (verbose) std::fprintf(stderr, "gopls-sandbox: `go env -json` failed; Go directories are not mounted\n");
    return std::nullopt;
  }
  auto g = core::parse_go_env_json(r->out);
  if (!g) {
    if (verbose) std::fprintf(stderr, "gopls-sandbox: %s\n", g.error().message.c_str());
    return std::nullopt;
  }
  if (!file.empty() && sys::mkdir_p(dir, 0700)) {
    sys::prune_dir(dir, "goenv-", 64);
    std::string tmp = file + "." + std::to_string(::getpid());
    if (sys::write_file(tmp, core::go_env_to_json(*g))) ::rename(tmp.c_str(), file.c_str());
    else ::unlink(tmp.c_str());
  }
  return *g;
}

}  // namespace

std::vector<std::string> profile_search_path(const std::map<std::string, std::string>& env) {
  // GOPLS_SANDBOX_PROFILE_PATH (':'-separated) comes first, then the standard places.
  std::vector<std::string> path;
  std::string extra = get(env, "GOPLS_SANDBOX_PROFILE_PATH");
  for (size_t i = 0; i <= extra.size();) {
    size_t j = extra.find(':', i);
    if (j == std::string::npos) j = extra.size();
    if (j > i) path.push_back(extra.substr(i, j - i));
    i = j + 1;
  }
  std::string xdg = get(env, "XDG_CONFIG_HOME"), home = get(env, "HOME");
  for (auto& d : core::profile_search_path(xdg.c_str(), home.c_str())) path.push_back(d);
  return path;
}

Result<core::Options> resolve_options(const core::Options& cli, const std::map<std::string, std::string>& env) {
  core::Options base;
  std::string cfg = config_path(env);
  if (!cfg.empty() && ::access(cfg.c_str(), F_OK) == 0) {
    auto text = sys::read_file(cfg);
    if (!text) return Error::usage("config " + text.error().message);
    auto parsed = core::parse_config(*text, cfg);
    if (!parsed) return std::move(parsed).error();
    base = *parsed;
  } else if (!get(env, "GOPLS_SANDBOX_CONFIG").empty()) {
    return Error::usage("config " + cfg + ": " + errno_text(ENOENT) + " (from GOPLS_SANDBOX_CONFIG)");
  }
  auto from_env = core::parse_env(env);
  if (!from_env) return std::move(from_env).error();
  core::expand_home(base, get(env, "HOME"));
  core::expand_home(*from_env, get(env, "HOME"));
  return core::merge(core::merge(base, *from_env), cli);
}

Result<Prepared> prepare(const LaunchRequest& req) {
  auto env = environment_map();
  auto opts = resolve_options(req.cli, env);
  if (!opts) return std::move(opts).error();
  return prepare(req, std::move(*opts), env);
}

Result<Prepared> prepare(const LaunchRequest& req, core::Options resolved, const std::map<std::string, std::string>& env) {
  Prepared out;
  out.opts = std::move(resolved);
  const core::Options& o = out.opts;
  std::string cwd = current_dir();
  if (cwd.empty()) return Error::sys("current directory", "getcwd", errno);

  auto program = find_program(req, o, env);
  if (!program) return std::move(program).error();

  // The seccomp profile, which may also carry sandbox settings.
  std::string profile_name = o.profile.value_or("gopls");
  if (profile_name != "none") {
    core::Delivery d = core::Delivery::Errno;
    bool log_off = o.log && *o.log == "off";  // plain errno filter, no supervisor, no log
    if (req.learn || !log_off) {
      if (sys::kernel_supports_user_notif()) d = req.learn ? core::Delivery::Learn : core::Delivery::Notify;
      else if (!req.learn)
        std::fprintf(stderr, "gopls-sandbox: seccomp user notification unavailable: refused syscalls get their "
                             "errno but are not logged\n");
    }
    if (req.learn && d != core::Delivery::Learn)
      return Error::setup("learn mode needs seccomp user notification (Linux 5.0+), which this kernel lacks");
    auto pol = resolve_policy(profile_name, profile_search_path(env), d, cache_dir(env));
    if (!pol) return std::move(pol).error();
    out.policy = std::move(*pol);
    const auto& ps = out.policy->settings;
    out.opts.binds.insert(out.opts.binds.begin(), ps.bind.begin(), ps.bind.end());
    out.opts.ro_binds.insert(out.opts.ro_binds.begin(), ps.ro_bind.begin(), ps.ro_bind.end());
    if (ps.share_net && !o.share_net) out.opts.share_net = ps.share_net;
  }

  core::PlanInputs in;
  in.argv.push_back(*program);
  size_t first = req.kind == ProgramKind::Any ? 1 : 0;
  for (size_t i = first; i < req.args.size(); ++i) in.argv.push_back(req.args[i]);
  in.env = environment_list();
  in.cwd = cwd;
  in.home = get(env, "HOME");
  in.uid = ::geteuid();
  in.gid = ::getegid();
  in.share_net = o.share_net.value_or(false);
  in.home_real = real_path(in.home);
  in.passwd_home = sys::passwd_home();
  in.passwd_home_real = real_path(in.passwd_home);
  in.runtime_dir = get(env, "XDG_RUNTIME_DIR");
  in.extra_env = o.env;
  in.writable_vcs = o.writable_vcs.value_or(false);
  in.keep_tty = o.share_tty;
  in.read_text = [](const std::string& p) -> std::string {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 65536) return {};
    auto t = sys::read_file(p);
    return t ? *t : std::string();
  };
  if (out.policy) {
    in.unset_env = out.policy->settings.unset_env;
    in.set_env = out.policy->settings.set_env;
  }

  // Workspaces: validated on the host, bound at the same absolute path.
  std::vector<std::string> ws = o.workspaces;
  bool explicit_ws = !ws.empty();
  if (ws.empty()) ws = req.lsp_folders;  // issue 13: what the editor opens (app/lsp_workspace.cpp)
  if (ws.empty()) ws.push_back(cwd);
  for (const auto& w : ws) {
    std::string a = absolute(w, cwd);
    struct stat st;
    if (::stat(a.c_str(), &st) != 0)
      return Error::usage("workspace " + a + ": " + errno_text(errno));
    if (!S_ISDIR(st.st_mode)) return Error::usage("workspace " + a + ": not a directory");
    if (a == "/" && explicit_ws) return Error::usage("workspace /: refusing to expose the whole host; name a project directory");
    in.workspaces.push_back(a);
    in.workspaces_explicit = explicit_ws;
    in.workspaces_real.push_back(real_path(a));
  }
  auto add_binds = [&](const std::vector<std::string>& specs, bool ro) -> Result<void> {
    for (const auto& spec : specs) {
      auto [src, dst] = core::split_bind(spec);
      const char* flag = ro ? "--ro-bind" : "--bind";
      if (src.empty()) return Error::usage(std::string(flag) + " \"" + spec + "\": empty source");
      std::string s = absolute(src, cwd);
      std::string d = dst.empty() ? s : absolute(dst, cwd);
      struct stat st;
      if (::stat(s.c_str(), &st) != 0) return Error::usage(std::string(flag) + " " + s + ": " + errno_text(errno));
      if (::access(s.c_str(), R_OK) != 0)
        return Error::usage(std::string(flag) + " " + s + ": not readable: " + errno_text(errno));
      in.binds.push_back({s, d, ro, flag});
    }
    return {};
  };
  if (auto r = add_binds(o.binds, false); !r) return std::move(r).error();
  if (auto r = add_binds(o.ro_binds, true); !r) return std::move(r).error();

  // The Go toolchain's view of the world, as the caller's environment sets it.
  std::string path_var = get(env, "PATH");
  std::string go = sys::find_in_path("go", path_var.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_var);
  if (!go.empty()) in.go = go_env(go, env, o.verbose.value_or(false));
  auto dirs = core::user_dirs(env);
  in.gopls_cache = dirs.gopls_cache;
  in.goimports_cache = dirs.goimports_cache;
  in.telemetry_dir = dirs.telemetry_dir;
  in.gopls_config = dirs.gopls_config;
  in.machine = sys::probe_machine_facts();  // the own cgroup, for the runtime's CPU limit inside
  // Caches gopls and go would create anyway are created on the host so that they persist.
  auto ensure = [](const std::string& p) {
    struct stat st;
    if (p.empty() || (::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) return;  // the usual case: one stat
    (void)sys::mkdir_p(p, 0755);
  };
  if (in.go) {
    ensure(in.go->gocache);
    ensure(in.go->gomodcache);
  }
  ensure(in.gopls_cache);
  ensure(in.goimports_cache);

  add_go_discovery(in, env, out.client_notes);  // issue 13: go.work, replace, GOPATH

  // Issue 12: the caches' mode and trust domain (app/cache_setup.cpp).
  auto caches = decide_caches(o, in.workspaces_real, env);
  if (!caches) return std::move(caches).error();
  if (caches->mode != core::CacheMode::Shared) {
    // What the sandbox will see read-write: the workspaces the plan binds (a default one that it
    // refuses, such as $HOME or /tmp, is not bound) and the --bind sources.
    std::vector<std::string> seen, cache_dirs = {in.gopls_cache, in.goimports_cache};
    for (size_t i = 0; i < in.workspaces.size(); ++i) {
      const std::string& r = i < in.workspaces_real.size() ? in.workspaces_real[i] : in.workspaces[i];
      if (core::normalize_path(in.workspaces[i]) == "/") continue;
      if (!in.workspaces_explicit && !core::default_workspace_refusal(in, in.workspaces[i], r).empty()) continue;
      seen.push_back(in.workspaces[i]);
      seen.push_back(r);
    }
    for (const auto& b : in.binds) seen.push_back(b.src);
    if (in.go) cache_dirs.insert(cache_dirs.end(), {in.go->gocache, in.go->gomodcache});
    std::string problem = core::cache_layout_problem(caches->state_root, cache_dirs, seen);
    if (!problem.empty())
      return Error{ErrorKind::Usage, "cache mode " + std::string(core::cache_mode_name(caches->mode)) + ": " + problem,
                   "set XDG_STATE_HOME to a directory the sandbox does not see"};
    if (!o.dry_run) {
      auto lock = open_cache_domain(*caches, in.workspaces_real);
      if (!lock) return std::move(lock).error();
      out.cache_lock_fd = *lock;
    }
  }
  in.cache_mode = caches->mode;
  in.cache_domain_dir = caches->domain_dir;
  out.caches = *caches;

  auto plan = core::build_plan(in, probe);
  if (!plan) return std::move(plan).error();
  out.plan = std::move(*plan);
  if (out.cache_lock_fd >= 0) {
    if (auto r = create_cache_dirs(out.plan); !r) return std::move(r).error();
  }
  if (get(env, "GOPLS_SANDBOX_TEST_OVERLAY_FAIL") == "1" && !o.dry_run) break_overlays_for_test(out.plan, out.caches);

  if (o.inode_check.value_or(core::InodeCheck::Warn) != core::InodeCheck::Off) {
    auto add_id = [&](const char* name, const std::string& p) {
      if (p.empty()) return;
      struct stat st;
      if (::stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
      out.identity_names.push_back(name);
      out.identity_paths.push_back(core::normalize_path(p));
    };
    if (in.go) {
      add_id("GOROOT", in.go->goroot);
      add_id("GOMODCACHE", in.go->gomodcache);
      add_id("GOCACHE", in.go->gocache);
    }
    add_id("gopls cache", in.gopls_cache);
  }
  return out;
}

int launch(const LaunchRequest& req) {
  // Options, profile, go env and plan first, then the sandbox in one go (sys::run_sandbox). (An
  // earlier version cloned pid 1 before the plan was computed: it saved about 60 µs of a launch
  // and cost a restart path for profiles that share the network; issue 18 removed it.)
  auto env = environment_map();
  auto opts = resolve_options(req.cli, env);
  if (!opts) return report(opts.error());
  std::unique_ptr<MetricsProxy> proxy;
  LaunchRequest lreq;  // issue 13: with the folders of the client's initialize (app/lsp_workspace.cpp)
  auto lsp = lsp_relay_for(req, *opts, env, lreq);
  if (!lsp) return report(lsp.error());
  auto prep = prepare(lreq, std::move(*opts), env);
  if (!prep) return report(prep.error());
  const core::Options& o = prep->opts;
  bool verbose = o.verbose.value_or(false);

  if (o.dry_run) {
    json::Value v = core::plan_to_json(prep->plan);
    json::Value checks;
    checks.array();
    for (size_t i = 0; i < prep->identity_paths.size(); ++i) {
      json::Value c;
      c.set("name", prep->identity_names[i]);
      c.set("path", prep->identity_paths[i]);
      checks.push(std::move(c));
    }
    v.set("inode_checks", std::move(checks));
    v.set("caches", cache_setup_json(prep->caches));
    json::Value pj;
    if (prep->policy) {
      pj.set("name", prep->policy->name);
      pj.set("source", prep->policy->source_path);
      pj.set("delivery", prep->policy->delivery == core::Delivery::Errno ? "errno" : "notify");
      pj.set("instructions", prep->policy->program.size());
    }
    v.set("profile", std::move(pj));
    v.set("landlock", core::landlock_to_json(core::landlock_plan(prep->plan), sys::landlock_abi()));
    std::string s = v.dump(2);
    s += "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
    return 0;
  }
  if (verbose) {
    std::fprintf(stderr, "gopls-sandbox: running %s (cwd %s, %zu mount operations)\n", prep->plan.argv[0].c_str(),
                 prep->plan.cwd.c_str(), prep->plan.mounts.size());
    std::fprintf(stderr, "gopls-sandbox: %s\n", core::landlock_summary(sys::landlock_abi()).c_str());
  }
  for (const auto& n : prep->plan.notes) {
    if (n.rfind("warning: ", 0) == 0) std::fprintf(stderr, "gopls-sandbox: %s\n", n.c_str());
    else if (verbose) std::fprintf(stderr, "gopls-sandbox: note: %s\n", n.c_str());
  }

  DenialLog log(o.log.value_or(default_denial_log(env)), 4u << 20);
  Supervisor::Options so;
  if (prep->policy) so.profile = [&prep]() { return prep->policy->profile(); };
  so.verbose = verbose;
  so.log = &log;
  so.learn = req.learn;
  Learner learner;
  for (const auto& a : prep->plan.argv) learner.command_line += (learner.command_line.empty() ? "" : " ") + a;
  if (req.learn) so.on_record = [&learner](const core::DenialRecord& r) { learner.add(r); };
  else if (*lsp) so.on_record = [&lsp, &log](const core::DenialRecord& r) { notify_denial(**lsp, r, log.path()); };
  Supervisor supervisor(so);
  bool notify = prep->policy && prep->policy->delivery != core::Delivery::Errno;

  sys::SandboxSpec spec;
  spec.plan = &prep->plan;
  if (prep->policy) spec.filter = &prep->policy->program;
  spec.want_listener = notify;
  spec.filter_log = prep->policy && !notify && !(o.log && *o.log == "off");
  spec.identity_checks = prep->identity_paths;
  spec.identity_strict = o.inode_check.value_or(core::InodeCheck::Warn) == core::InodeCheck::Strict;
  sys::SandboxEvents events;
  events.on_listener = [&supervisor](int fd) { supervisor.start(fd); };
  if (*lsp) {  // issue 13: initialize was read; hand it over, then splice (app/lsp_relay.cpp)
    spec.program_stdin = (*lsp)->child_stdin();
    spec.program_stdout = (*lsp)->child_stdout();
    events.on_started = [&lsp] {
      (*lsp)->close_child_ends();
      (*lsp)->start();
    };
    notify_prepared(**lsp, *prep, notify);
  }
  // --metrics: relay stdio through the LSP-aware proxy instead of handing the descriptors over.
  if (o.metrics) {
    auto mp = MetricsProxy::create(*o.metrics);
    if (!mp) return report(mp.error());
    proxy = std::move(*mp);
    spec.program_stdin = proxy->child_stdin();
    spec.program_stdout = proxy->child_stdout();
    events.on_started = [&proxy] {
      proxy->close_child_ends();
      proxy->start();
    };
  }
  bool cache_fallback_said = false;
  events.on_info = [&](const std::string& text) {
    if (text.rfind("cache-fallback ", 0) == 0) {  // issue 12: the kernel refused an overlay
      if (!cache_fallback_said)
        std::fprintf(stderr,
                     "gopls-sandbox: copy-on-write caches are not available here (%s): the sandbox uses the private "
                     "caches of domain %s instead (empty at first, under %s/private; the host's caches are neither "
                     "used nor exposed). To make this the plan and silence this message: --cache-mode private\n",
                     text.c_str() + 15, prep->caches.domain.c_str(), prep->caches.domain_dir.c_str());
      if (*lsp) (*lsp)->notify("cache-fallback", "reduced mode: copy-on-write caches are not available here (" +
                                                    text.substr(15) + "); private caches are used (cold at first)");
      cache_fallback_said = true;
      return;
    }
    auto v = json::parse(text);
    if (!v) return;
    for (const auto& r : v->as_array()) {
      size_t i = static_cast<size_t>(r["index"].as_int());
      if (i >= prep->identity_paths.size()) continue;
      const std::string& res = r["result"].as_string();
      if (res == "ok") {
        if (verbose)
          std::fprintf(stderr, "gopls-sandbox: inode check %s %s: ok\n", prep->identity_names[i].c_str(),
                       prep->identity_paths[i].c_str());
        continue;
      }
      // Which mount decides what the path shows inside: the last one covering it.
      std::string by = "no mount";
      for (const auto& m : prep->plan.mounts)
        if ((m.kind == core::MountKind::Bind || m.kind == core::MountKind::RoBind || m.kind == core::MountKind::Tmpfs ||
             m.kind == core::MountKind::Overlay) &&
            core::path_is_under(prep->identity_paths[i], m.dst))
          by = std::string(core::mount_kind_name(m.kind)) + " " + m.src + " -> " + m.dst + " (" + m.why + ")";
      json::Value lr;
      lr.set("time", core::rfc3339_us(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()));
      lr.set("event", "inode_check");
      lr.set("name", prep->identity_names[i]);
      lr.set("path", prep->identity_paths[i]);
      lr.set("result", res);
      lr.set("host", r["host"]);
      lr.set("inside", r["inside"]);
      lr.set("mount", by);
      log.write(lr);
      std::fprintf(stderr,
                   "gopls-sandbox: inode check %s %s: %s: host (dev %lld, ino %lld), inside (dev %lld, ino %lld); "
                   "decided by %s\n",
                   prep->identity_names[i].c_str(), prep->identity_paths[i].c_str(), res.c_str(),
                   static_cast<long long>(r["host"][0].as_int()), static_cast<long long>(r["host"][1].as_int()),
                   static_cast<long long>(r["inside"][0].as_int()), static_cast<long long>(r["inside"][1].as_int()),
                   by.c_str());
    }
  };
  auto ex = sys::run_sandbox(spec, events);
  supervisor.stop();
  if (*lsp) (*lsp)->finish();
  if (proxy) proxy->finish(ex ? ex->status : 125);
  if (!ex) return report(ex.error());
  if (supervisor.total() > 0 && !req.learn) {
    std::fprintf(stderr, "gopls-sandbox: %s\n",
                 core::exit_summary(supervisor.by_syscall(), supervisor.total(), log.path()).c_str());
    if (!log.error().empty()) std::fprintf(stderr, "gopls-sandbox: denial log: %s\n", log.error().c_str());
  }
  if (req.learn && !ex->failure) {
    if (auto w = learner.write(prep->policy->name, prep->policy->source_path, req.learn_output); !w)
      return report(w.error());
  }
  if (ex->failure) {
    const sys::ChildMsg& m = *ex->failure;
    Error e = Error::setup(sys::describe_failure(m));
    if (m.phase == sys::Phase::Exec) {
      e.kind = (m.err == ENOENT || m.err == ENOTDIR) ? ErrorKind::NotFound : ErrorKind::NotExec;
      if (m.err == ENOENT) e.hint = "the program or its interpreter is not visible inside the sandbox";
    }
    if (m.phase == sys::Phase::IdMaps || m.phase == sys::Phase::MountNamespace)
      e.hint = "the kernel refused a namespace operation; see `gopls-sandbox doctor`";
    return report(e);
  }
  return ex->status;
}

}  // namespace gsb::app
