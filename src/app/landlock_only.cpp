#include "gopls_sandbox/app/landlock_only.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gopls_sandbox/core/landlock_only.hpp"
#include "gopls_sandbox/core/landlock_plan.hpp"
#include "gopls_sandbox/sys/fs.hpp"
#include "gopls_sandbox/sys/fs_tree.hpp"
#include "gopls_sandbox/sys/io.hpp"
#include "gopls_sandbox/sys/landlock.hpp"
#include "gopls_sandbox/sys/landlock_only.hpp"

namespace gsb::app {

namespace {

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// A refusal to create or set up user namespaces, as run_sandbox reports it: clone itself
// (EPERM: disabled or a seccomp filter; ENOSPC: user.max_user_namespaces; EINVAL: no user
// namespaces in this kernel; EACCES), or pid 1's id maps or first mount (EPERM/EACCES: Ubuntu's
// AppArmor restriction leaves the namespace without capabilities).
bool clone_refused(const Error& e) {
  return e.message.rfind("create namespaces:", 0) == 0 &&
         (has(e.message, "(EPERM)") || has(e.message, "(ENOSPC)") || has(e.message, "(EINVAL)") ||
          has(e.message, "(EACCES)") || has(e.message, "(EUSERS)"));
}
bool setup_refused(const sys::ChildMsg& m) {
  return (m.phase == sys::Phase::IdMaps || m.phase == sys::Phase::MountNamespace) && (m.err == EPERM || m.err == EACCES);
}

core::Require required(const Prepared& prep) { return prep.opts.require.value_or(core::Require::Landlock); }

// Landlock is a wall of its own only when it also scopes signals (ABI 6: otherwise code inside
// may kill(-1, SIGKILL) every process of the user, the editor included; the seccomp profile
// allows kill for gopls' own children) and restricts TCP (ABI 4, implied).
int needed_abi(const Prepared&) { return 6; }

std::string parent_dir(const std::string& p) {
  size_t i = p.rfind('/');
  return i == std::string::npos || i == 0 ? std::string("/") : p.substr(0, i);
}

std::vector<std::pair<std::string, bool>> list_dir(const std::string& dir) {
  std::vector<std::pair<std::string, bool>> out;
  auto entries = sys::list_dir_entries(dir);
  if (!entries) return out;
  for (auto& e : *entries)
    if (e.kind == sys::FileKind::Directory || e.kind == sys::FileKind::Regular)
      out.push_back({std::move(e.name), e.kind == sys::FileKind::Directory});
  return out;
}

// The run's private directories: <state>/gopls-sandbox/tmp/run-XXXXXX/{tmp,xdg-cache}.
Result<std::string> make_run_dir(const Prepared& prep, core::LandlockOnlyDirs& dirs) {
  std::string base = parent_dir(prep.caches.state_root) + "/tmp";
  if (prep.caches.state_root.empty()) return Error::setup("landlock-only mode: no state directory for the private TMPDIR");
  if (auto r = sys::mkdir_p(base, 0700); !r) return std::move(r).error();
  auto made = sys::make_temp_dir(base + "/run-XXXXXX");
  if (!made) return std::move(made).error();
  const std::string t = *made;
  dirs.tmp_dir = t + "/tmp";
  dirs.xdg_cache = t + "/xdg-cache";
  for (const auto& d : {dirs.tmp_dir, dirs.xdg_cache})
    if (auto r = sys::make_dir(d, 0700); !r) return std::move(r).error();
  return t;
}

}  // namespace

Result<sys::SandboxExit> run_isolated(const Prepared& prep, sys::SandboxSpec& spec, sys::SandboxEvents& events,
                                      bool verbose, const std::function<void(const std::string&)>& tell_client) {
  const core::Require req = required(prep);
  const int abi = sys::landlock_abi();
  std::string why;
  // A relay (--metrics, or issue 13's LSP relay) starts with the sandbox and cannot be restarted:
  // ask first instead of falling back after a failed attempt.
  bool try_ns = true;
  if (prep.opts.metrics || spec.program_stdin >= 0 || spec.program_stdout >= 0)
    try_ns = (why = sys::probe_user_namespaces()).empty();
  if (try_ns) {
    if (verbose) std::fprintf(stderr, "gopls-sandbox: %s\n", core::isolation_line(core::IsolationLevel::Namespaces, "", abi).c_str());
    auto ex = sys::run_sandbox(spec, events);
    if (!ex) {
      if (!clone_refused(ex.error())) return ex;
      why = ex.error().message;
    } else if (ex->failure && setup_refused(*ex->failure)) {
      why = "the new user namespace has no privileges (" + sys::describe_failure(*ex->failure) +
            "; Ubuntu's AppArmor restriction does this)";
    } else {
      return ex;
    }
  }
  why = "user namespaces are unavailable: " + why;
  const char* apparmor_hint =
      "see `gopls-sandbox doctor`: on Ubuntu 23.10+ load the shipped AppArmor profile (sudo apparmor_parser -r "
      "/etc/apparmor.d/gopls-sandbox); elsewhere allow user namespaces (sysctl user.max_user_namespaces)";
  if (req == core::Require::Namespaces)
    return Error{ErrorKind::Setup, why + "; --require namespaces refuses the Landlock-only mode", apparmor_hint};
  core::IsolationLevel level = core::IsolationLevel::LandlockOnly;
  if (abi < needed_abi(prep)) {
    std::string lack = abi < 1 ? "Landlock is not available either"
                               : "Landlock ABI " + std::to_string(abi) +
                                     " cannot scope signals (needs ABI 6, Linux 6.12)";
    if (req != core::Require::None)
      return Error{ErrorKind::Setup, why + ", and " + lack + ": refusing to run without a sandbox",
                   std::string(apparmor_hint) + "; --require none runs with seccomp only (unsafe)"};
    level = core::IsolationLevel::SeccompOnly;
    why += ", and " + lack;
  }
  std::fprintf(stderr, "gopls-sandbox: %s\n", core::isolation_line(level, why, abi).c_str());
  if (tell_client) tell_client("reduced mode: " + core::isolation_line(level, why, abi));

  core::LandlockOnlyDirs dirs;
  auto run_dir = make_run_dir(prep, dirs);
  if (!run_dir) return std::move(run_dir).error();
  auto lop = core::landlock_only_plan(prep.plan, dirs, list_dir);
  for (const auto& [link, target] : lop.links)
    if (auto r = sys::make_symlink(target, link); !r) return std::move(r).error();
  for (const auto& n : lop.notes)
    if (verbose || n.rfind("warning: ", 0) == 0) std::fprintf(stderr, "gopls-sandbox: %s\n", n.c_str());
  if (verbose)
    std::fprintf(stderr, "gopls-sandbox: landlock-only: %zu rules on host paths, TMPDIR=%s, TCP %s\n", lop.ll.rules.size(),
                 dirs.tmp_dir.c_str(), prep.plan.share_net ? "allowed (--share-net)" : "denied");
  sys::LandlockOnlySpec lo;
  lo.ll = &lop.ll;
  lo.abi = abi;
  lo.env = std::move(lop.env);
  auto ex = sys::run_landlock_only(spec, lo, events);
  if (auto r = sys::remove_tree(*run_dir); !r && verbose)
    std::fprintf(stderr, "gopls-sandbox: %s\n", r.error().message.c_str());
  return ex;
}

json::Value isolation_json(const Prepared& prep) {
  json::Value v;
  const int abi = sys::landlock_abi();
  std::string why = sys::probe_user_namespaces();
  core::Require req = required(prep);
  v.set("require", core::require_name(req));
  v.set("landlock_abi", abi);
  if (why.empty()) {
    v.set("level", "namespaces");
    return v;
  }
  v.set("why", "user namespaces are unavailable: " + why);
  if (req == core::Require::Namespaces) {
    v.set("level", "refused");
    return v;
  }
  bool ll = abi >= needed_abi(prep);
  if (!ll && req != core::Require::None) {
    v.set("level", "refused");
    return v;
  }
  v.set("level", ll ? "landlock-only" : "seccomp-only");
  core::LandlockOnlyDirs dirs{"<state>/gopls-sandbox/tmp/run-XXXXXX/tmp", "<state>/gopls-sandbox/tmp/run-XXXXXX/xdg-cache"};
  auto lop = core::landlock_only_plan(prep.plan, dirs, list_dir);
  v.set("landlock", core::landlock_to_json(lop.ll, abi));
  json::Value env;
  env.array();
  for (const auto& e : lop.env)
    for (const char* k : {"TMPDIR=", "GOCACHE=", "GOMODCACHE=", "GOPLSCACHE=", "XDG_CACHE_HOME="})
      if (e.rfind(k, 0) == 0) env.push(e);
  v.set("env", std::move(env));
  json::Value notes;
  notes.array();
  for (const auto& n : lop.notes) notes.push(n);
  v.set("notes", std::move(notes));
  return v;
}

std::vector<std::string> isolation_doctor_lines() {
  std::string why = sys::probe_user_namespaces();
  if (why.empty()) return {};
  int abi = sys::landlock_abi();
  return core::isolation_doctor_lines(abi >= 6 ? core::IsolationLevel::LandlockOnly : core::IsolationLevel::SeccompOnly,
                                      why, abi);
}

}  // namespace gsb::app
