// prepare(): from a launch request and the resolved settings to everything the sandbox needs —
// the profile and its compiled filter, the host facts, the caches, the plan and the inode checks.
// Nothing here starts a process inside the sandbox; only `go env` runs (on the host, cached).
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "gopls_sandbox/app/go_env.hpp"
#include "gopls_sandbox/app/launch.hpp"
#include "gopls_sandbox/app/lsp_workspace.hpp"
#include "gopls_sandbox/app/settings.hpp"
#include "gopls_sandbox/core/goenv.hpp"
#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/cache_file.hpp"
#include "gopls_sandbox/sys/files.hpp"
#include "gopls_sandbox/sys/host_probe.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/landlock.hpp"
#include "gopls_sandbox/sys/machine_facts.hpp"
#include "gopls_sandbox/sys/process.hpp"
#include "gopls_sandbox/sys/seccomp.hpp"

namespace gsb::app {

namespace {

std::string get(const std::map<std::string, std::string>& env, const char* k) {
  auto it = env.find(k);
  return it == env.end() ? std::string() : it->second;
}

std::string absolute(const std::string& p, const std::string& cwd) {
  if (p.empty()) return p;
  if (p[0] == '/') return core::normalize_path(p);
  return core::normalize_path(cwd + "/" + p);
}

std::string path_var(const std::map<std::string, std::string>& env) {
  std::string p = get(env, "PATH");
  return p.empty() ? "/usr/local/bin:/usr/bin:/bin" : p;
}

Result<std::string> find_program(const LaunchRequest& req, const core::Options& o,
                                 const std::map<std::string, std::string>& env, const std::string& cwd) {
  std::string name;
  sys::FileId skip;
  if (req.kind == ProgramKind::Gopls) {
    name = o.gopls.value_or("gopls");
    skip = sys::self_id();
  } else {
    if (req.args.empty()) return Error::usage("exec: missing PROGRAM (usage: gopls-sandbox exec [OPTIONS] -- PROGRAM [ARGS...])");
    name = req.args[0];
  }
  std::string found = sys::find_in_path(name, path_var(env), skip);
  if (found.empty()) {
    Error e{ErrorKind::NotFound, name + ": not found in PATH", {}};
    if (req.kind == ProgramKind::Gopls)
      e.hint = "install gopls (apt install gopls, or go install golang.org/x/tools/gopls@latest) or point to it "
               "with --gopls PATH, GOPLS_SANDBOX_GOPLS or `gopls = \"...\"` in the config file";
    return e;
  }
  std::string abs = absolute(found, cwd);
  if (auto r = sys::check_executable(abs); !r) return std::move(r).error();
  if (req.kind == ProgramKind::Gopls && sys::file_id(abs) == sys::self_id())
    return Error{ErrorKind::NotFound, abs + " is gopls-sandbox itself, not gopls",
                 "point --gopls / GOPLS_SANDBOX_GOPLS at the real gopls binary"};
  return abs;
}

// The profile named by the settings, compiled for the delivery the launch needs; absent with
// --profile none.
Result<std::optional<ResolvedPolicy>> resolve_profile(const LaunchRequest& req, const core::Options& o,
                                                      const std::map<std::string, std::string>& env) {
  std::string profile_name = o.profile.value_or("gopls");
  if (profile_name == "none") return std::optional<ResolvedPolicy>();
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
  auto pol = resolve_policy(profile_name, profile_search_path(env), d, launcher_cache_dir(env));
  if (!pol) return std::move(pol).error();
  return std::optional<ResolvedPolicy>(std::move(*pol));
}

// Workspaces: validated on the host, bound at the same absolute path.
Result<void> add_workspaces(core::PlanInputs& in, const core::Options& o, const std::vector<std::string>& lsp_folders) {
  std::vector<std::string> ws = o.workspaces;
  bool explicit_ws = !ws.empty();
  if (ws.empty()) ws = lsp_folders;  // issue 13: what the editor opens (app/lsp_workspace.cpp)
  if (ws.empty()) ws.push_back(in.cwd);
  for (const auto& w : ws) {
    std::string a = absolute(w, in.cwd);
    sys::PathStat st = sys::stat_path(a);
    if (st.err) return Error::usage("workspace " + a + ": " + errno_text(st.err));
    if (!st.is_dir) return Error::usage("workspace " + a + ": not a directory");
    if (a == "/" && explicit_ws) return Error::usage("workspace /: refusing to expose the whole host; name a project directory");
    in.workspaces.push_back(a);
    in.workspaces_explicit = explicit_ws;
    in.workspaces_real.push_back(sys::real_path(a));
  }
  return {};
}

Result<void> add_binds(core::PlanInputs& in, const std::vector<std::string>& specs, bool ro) {
  for (const auto& spec : specs) {
    auto [src, dst] = core::split_bind(spec);
    const char* flag = ro ? "--ro-bind" : "--bind";
    if (src.empty()) return Error::usage(std::string(flag) + " \"" + spec + "\": empty source");
    std::string s = absolute(src, in.cwd);
    std::string d = dst.empty() ? s : absolute(dst, in.cwd);
    if (int e = sys::stat_path(s).err) return Error::usage(std::string(flag) + " " + s + ": " + errno_text(e));
    if (int e = sys::access_err(s, R_OK)) return Error::usage(std::string(flag) + " " + s + ": not readable: " + errno_text(e));
    in.binds.push_back({s, d, ro, flag});
  }
  return {};
}

// The plan builder's inputs from the settings and the host.
Result<core::PlanInputs> plan_inputs(const LaunchRequest& req, const core::Options& o,
                                     const std::map<std::string, std::string>& env, const std::string& cwd,
                                     const std::string& program) {
  core::PlanInputs in;
  in.argv.push_back(program);
  size_t first = req.kind == ProgramKind::Any ? 1 : 0;
  for (size_t i = first; i < req.args.size(); ++i) in.argv.push_back(req.args[i]);
  in.env = environment_list();
  in.cwd = cwd;
  in.home = get(env, "HOME");
  in.uid = sys::effective_uid();
  in.gid = sys::effective_gid();
  in.share_net = o.share_net.value_or(false);
  in.home_real = sys::real_path(in.home);
  in.passwd_home = sys::passwd_home();
  in.passwd_home_real = sys::real_path(in.passwd_home);
  in.runtime_dir = get(env, "XDG_RUNTIME_DIR");
  for (const auto& d : core::identity_anchors(in)) {  // (/ and the homes: a bind of one elsewhere is refused)
    core::PathFacts f = sys::probe_path(d);
    if (f.dev || f.ino) in.host_identities.push_back({d, {f.dev, f.ino}});
  }
  in.extra_env = o.env;
  in.writable_vcs = o.writable_vcs.value_or(false);
  in.keep_tty = o.share_tty;
  // (A .git file or .gitmodules that is a symlink, a FIFO or too large reads as absent: the
  // entry itself is still made read-only.)
  in.read_text = [](const std::string& p) {
    auto t = sys::read_small_file(p, 65536);
    return t ? std::move(*t) : std::string();
  };
  in.list_names = [](const std::string& dir) {
    auto names = sys::list_dir(dir);
    return names ? std::move(*names) : std::vector<std::string>();
  };
  in.unset_env = o.unset_env;
  in.set_env = o.set_env;
  if (auto r = add_workspaces(in, o, req.lsp_folders); !r) return std::move(r).error();
  if (auto r = add_binds(in, o.binds, false); !r) return std::move(r).error();
  if (auto r = add_binds(in, o.ro_binds, true); !r) return std::move(r).error();

  // The Go toolchain's view of the world, as the caller's environment sets it.
  std::string go = sys::find_in_path("go", path_var(env));
  if (!go.empty()) in.go = go_env(go, env, launcher_cache_dir(env), o.verbose.value_or(false));
  auto dirs = core::user_dirs(env);
  in.gopls_cache = dirs.gopls_cache;
  in.goimports_cache = dirs.goimports_cache;
  in.telemetry_dir = dirs.telemetry_dir;
  in.gopls_config = dirs.gopls_config;
  in.machine = sys::probe_machine_facts();  // the own cgroup, for the runtime's CPU limit inside
  // Caches gopls and go would create anyway are created on the host so that they persist.
  if (in.go) {
    sys::ensure_dir(in.go->gocache, 0755);
    sys::ensure_dir(in.go->gomodcache, 0755);
  }
  sys::ensure_dir(in.gopls_cache, 0755);
  sys::ensure_dir(in.goimports_cache, 0755);
  return in;
}

// Issue 12: the caches' mode and trust domain (app/cache_setup.cpp), checked against what the
// sandbox will see read-write; the domain's lock is taken unless this is a dry run.
Result<void> setup_caches(Prepared& out, core::PlanInputs& in, const std::map<std::string, std::string>& env) {
  const core::Options& o = out.opts;
  auto caches = decide_caches(o, in.workspaces_real, env);
  if (!caches) return std::move(caches).error();
  if (caches->mode != core::CacheMode::Shared) {
    // What the sandbox will see read-write: the workspaces the plan binds (a default one that it
    // refuses, such as $HOME or /tmp, is not bound) and the --bind sources.
    std::vector<std::string> seen, cache_dirs = {in.gopls_cache, in.goimports_cache};
    for (size_t i = 0; i < in.workspaces.size(); ++i) {
      const std::string& r = i < in.workspaces_real.size() ? in.workspaces_real[i] : in.workspaces[i];
      if (core::normalize_path(in.workspaces[i]) == "/") continue;
      if (!in.workspaces_explicit &&
          !core::default_workspace_refusal(in, in.workspaces[i], r, core::identity_aliases(in, r, sys::probe_path)).empty())
        continue;
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
  in.cache_layer_dir = caches->layer_dir;
  out.caches = *caches;
  return {};
}

// The directories whose identity pid 1 compares inside with the host's (--inode-check).
void add_inode_checks(Prepared& out, const core::PlanInputs& in) {
  if (out.opts.inode_check.value_or(core::InodeCheck::Warn) == core::InodeCheck::Off) return;
  auto add_id = [&](const char* name, const std::string& p) {
    if (p.empty()) return;
    sys::PathStat st = sys::stat_path(p);
    if (st.err || !st.is_dir) return;
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

// Issue 13.7: a named workspace (--workspace, config, GOPLS_SANDBOX_WORKSPACE) that does not
// contain the caller's directory. The plan then starts the program in the first workspace; for
// `exec` that silently changes what a relative path or `./...` means, so it is refused (125)
// with the fix; a gopls command gets a warning line (an LSP server does not care: the editor
// names its folders).
Result<void> check_working_directory(const LaunchRequest& req, const core::PlanInputs& in, core::Plan& plan) {
  std::string cwd = core::normalize_path(in.cwd);
  if (!in.workspaces_explicit || plan.cwd == cwd || in.workspaces.empty()) return {};
  std::string where = "the working directory " + cwd + " is not inside the sandbox (workspace " + in.workspaces[0] +
                      (in.workspaces.size() > 1 ? " and " + std::to_string(in.workspaces.size() - 1) + " more" : "") + ")";
  std::string fix = "cd into the workspace, or add the directory: --workspace " + cwd;
  if (req.kind == ProgramKind::Any && !req.cli.dry_run) return Error::setup(where, fix);
  plan.notes.push_back("warning: " + where + "; starting in " + plan.cwd + " (" + fix + ")");
  return {};
}

}  // namespace

Result<Prepared> prepare(const LaunchRequest& req) {
  auto env = environment_map();
  auto opts = resolve_options(req.cli, env);
  if (!opts) return std::move(opts).error();
  return prepare(req, std::move(*opts), env);
}

// Whether `path` (absolute, resolved) lies in something the sandbox shows read-write from the
// host: a workspace folder (given or real path) or a --bind source/destination.
bool writable_inside(const core::PlanInputs& in, const std::string& path) {
  for (size_t i = 0; i < in.workspaces.size(); ++i)
    if (core::path_is_under(path, in.workspaces[i]) ||
        (i < in.workspaces_real.size() && core::path_is_under(path, in.workspaces_real[i])))
      return true;
  for (const auto& b : in.binds)
    if (!b.ro && (core::path_is_under(path, b.src) || core::path_is_under(path, b.dst))) return true;
  return false;
}

// The go shim (src/shim/go_nest.cpp: what gopls starts runs in a Landlock domain nested in the
// sandbox's, so it cannot open /proc/<gopls>/fd or signal gopls) for a gopls launch where
// Landlock works: its directory, beside this launcher in the build tree or LIBEXECDIR/gopls-sandbox/bin
// when installed (also relocated: a DESTDIR, an unpacked .deb). A shim the sandbox would show
// read-write (a build tree inside the opened folder: code inside could replace it, or rename a
// directory above it and put another file at its path) is copied to the launcher's cache
// directory first. "" otherwise; *problem says why when it should be there and is not.
std::string go_shim_dir(const LaunchRequest& req, const core::PlanInputs& in, const std::map<std::string, std::string>& env,
                        std::string* problem) {
  problem->clear();
  if (req.kind != ProgramKind::Gopls || sys::landlock_abi() < 1) return {};
  if (test_hook(env, "GOPLS_SANDBOX_TEST_NO_GO_SHIM") == "1") return {};  // the attack tests' control run
  std::string self = sys::self_exe();
  std::string dir = self.substr(0, self.rfind('/') + 1);
  std::string shim;
  for (const std::string& c : {dir + GSB_GO_SHIM_BUILD_REL, dir + GSB_GO_SHIM_INSTALLED_REL, std::string(GSB_GO_SHIM_INSTALLED)}) {
    if (sys::access_err(c, X_OK) != 0) continue;
    if (!(shim = sys::real_path(c)).empty()) break;
  }
  if (shim.empty()) {
    *problem = std::string("the go shim (") + GSB_GO_SHIM_INSTALLED + ") is missing";
    return {};
  }
  if (!writable_inside(in, shim)) return shim.substr(0, shim.rfind('/'));
  std::string cache = launcher_cache_dir(env), cache_real = sys::real_path(cache);
  std::string copy_dir = cache + "/go-shim";
  if (cache.empty() || writable_inside(in, cache_real.empty() ? cache : cache_real)) {
    *problem = "the go shim (" + shim + ") and the launcher's cache directory are inside a folder the sandbox binds read-write";
    return {};
  }
  sys::ensure_dir(cache, 0700);
  sys::ensure_dir(copy_dir, 0755);
  // Copied again whenever the source's identity (device, inode, size, mtime) is not the one the
  // copy was made from (recorded beside the directory, which holds nothing but `go`).
  const std::string id = sys::file_identity(shim), id_file = cache + "/go-shim.id";
  auto had = sys::read_small_file(id_file, 4096);
  if (!had || *had != id || sys::stat_path(copy_dir + "/go").err != 0) {
    auto r = sys::copy_file_atomic(shim, copy_dir + "/go", 0555);
    if (r) r = sys::write_file(id_file, id);
    if (!r) {
      *problem = r.error().message;
      return {};
    }
  }
  return copy_dir;
}

Result<Prepared> prepare(const LaunchRequest& req, core::Options resolved, const std::map<std::string, std::string>& env) {
  Prepared out;
  std::string cwd = sys::current_dir();
  if (cwd.empty()) return Error::sys("current directory", "getcwd", errno);
  auto program = find_program(req, resolved, env, cwd);
  if (!program) return std::move(program).error();
  // The profile, whose [sandbox] table is the lowest source of the settings: from here on
  // out.opts are the launch's final settings.
  auto policy = resolve_profile(req, resolved, env);
  if (!policy) return std::move(policy).error();
  out.policy = std::move(*policy);
  out.opts = out.policy ? with_profile_settings(out.policy->settings, resolved) : std::move(resolved);

  auto in = plan_inputs(req, out.opts, env, cwd, *program);
  if (!in) return std::move(in).error();
  add_go_discovery(*in, env, out.client_notes);  // issue 13: go.work, replace, GOPATH
  std::string shim_problem;
  in->go_shim_dir = go_shim_dir(req, *in, env, &shim_problem);
  if (!shim_problem.empty())
    std::fprintf(stderr, "gopls-sandbox: warning: %s: what gopls starts can reach gopls' descriptors through /proc "
                 "(reinstall gopls-sandbox)\n", shim_problem.c_str());
  if (auto r = setup_caches(out, *in, env); !r) return std::move(r).error();
  // Issue 14: the network mode and the proxy's allowlist (app/net_proxy.cpp).
  bool proxy_mode = core::effective_net_mode(out.opts) == core::NetMode::Proxy;
  auto net = decide_net(out.opts, env, proxy_mode ? sys::find_in_path("go", path_var(env)) : std::string(),
                        in->workspaces, in->go ? in->go->gomodcache : std::string());
  if (!net) return std::move(net).error();
  out.net = std::move(*net);
  in->share_net = out.net.mode == core::NetMode::Host;
  auto plan = core::build_plan(*in, sys::probe_path);
  if (!plan) return std::move(plan).error();
  out.plan = std::move(*plan);
  if (auto r = check_working_directory(req, *in, out.plan); !r) return std::move(r).error();
  apply_net_to_plan(out.plan, out.net);
  if (out.cache_lock_fd >= 0) {
    if (auto r = create_cache_dirs(out.plan); !r) return std::move(r).error();
  }
  if (test_hook(env, "GOPLS_SANDBOX_TEST_OVERLAY_FAIL") == "1" && !out.opts.dry_run) break_overlays_for_test(out.plan, out.caches);
  add_inode_checks(out, *in);
  if (req.lsp_attach) {  // issue 13.2 (app/lsp_attach.hpp)
    core::add_landlock_spares(out.plan);
    out.inputs = std::make_shared<const core::PlanInputs>(std::move(*in));
  }
  return out;
}

}  // namespace gsb::app
