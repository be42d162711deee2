#include "gopls_sandbox/core/landlock_only.hpp"

#include <algorithm>

namespace gsb::core {

Result<Require> parse_require(std::string_view s) {
  if (s == "landlock") return Require::Landlock;
  if (s == "namespaces") return Require::Namespaces;
  if (s == "none") return Require::None;
  return Error::usage("require: expected namespaces, landlock or none, got \"" + std::string(s) + "\"");
}

const char* require_name(Require r) {
  switch (r) {
    case Require::Landlock: return "landlock";
    case Require::Namespaces: return "namespaces";
    case Require::None: return "none";
  }
  return "landlock";
}

const char* isolation_level_name(IsolationLevel l) {
  switch (l) {
    case IsolationLevel::Namespaces: return "namespaces";
    case IsolationLevel::LandlockOnly: return "landlock-only";
    case IsolationLevel::SeccompOnly: return "seccomp-only";
  }
  return "namespaces";
}

namespace {

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  std::string prefix = key + "=";
  std::erase_if(env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  env.push_back(prefix + value);
}

bool starts(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

}  // namespace

LandlockOnlyPlan landlock_only_plan(const Plan& plan, const LandlockOnlyDirs& dirs, const DirLister& list) {
  LandlockOnlyPlan out;
  out.ll.deny_tcp = !plan.share_net;
  out.env = plan.env;
  auto& rules = out.ll.rules;
  auto add = [&](const std::string& path, uint64_t access, bool is_file, const std::string& why, bool no_symlinks) {
    if (path.empty() || path[0] != '/') return;
    LandlockRule r{path, is_file ? access & ll::kFileRights : access, is_file, why};
    r.no_symlinks = no_symlinks;
    rules.push_back(std::move(r));
  };

  // Host paths the plan binds read-only: a read-write grant above one of them is split.
  std::vector<std::string> ro_paths;
  for (const auto& m : plan.mounts)
    if (m.kind == MountKind::RoBind && !m.src.empty()) ro_paths.push_back(m.src);
  auto is_ro = [&](const std::string& p) { return std::find(ro_paths.begin(), ro_paths.end(), p) != ro_paths.end(); };

  auto grant_rw = [&](auto& self, const std::string& p, const std::string& why, int depth) -> void {
    bool inside = false;
    for (const auto& r : ro_paths) inside = inside || (path_is_under(r, p) && r != "/");
    if (!inside) return add(p, ll::kAll, false, why, true);
    if (is_ro(p)) return;  // its own read-only rule covers it
    add(p, ll::kReadOnly, false, why + " (read-only here: on the way to a read-only path)", true);
    if (depth > 32 || !list) return;
    for (const auto& [name, is_dir] : list(p)) {
      std::string c = p == "/" ? "/" + name : p + "/" + name;
      if (is_dir) self(self, c, why, depth + 1);
      else if (!is_ro(c)) add(c, ll::kFileRights, true, why, true);
    }
  };

  bool any_goimports = false;  // any link under the private XDG_CACHE_HOME
  for (const auto& m : plan.mounts) {
    switch (m.kind) {
      case MountKind::RoBind:
        add(m.src, ll::kReadOnly, m.is_file, m.why, true);
        break;
      case MountKind::Bind:
        if (m.src != m.dst && (m.why == "--bind" || m.why == "config" || m.why == "profile"))
          out.notes.push_back("warning: " + m.why + " " + m.src + ":" + m.dst +
                              ": without a mount namespace the program sees it at " + m.src + " only");
        if (m.is_file) {
          if (!is_ro(m.src)) add(m.src, ll::kFileRights, true, m.why, true);
        } else {
          grant_rw(grant_rw, m.src, m.why, 0);
        }
        break;
      case MountKind::Overlay: {
        // No overlay without a mount namespace: the domain's private cache, by environment.
        if (m.fallback.empty()) break;
        add(m.fallback, ll::kAll, false, m.why + ": the domain's private cache (no overlay in this mode)", true);
        if (starts(m.why, "GOCACHE")) set_env(out.env, "GOCACHE", m.fallback);
        else if (starts(m.why, "GOMODCACHE")) set_env(out.env, "GOMODCACHE", m.fallback);
        else if (starts(m.why, "gopls cache")) {
          set_env(out.env, "GOPLSCACHE", m.fallback);  // (gopls before v0.12 knows only XDG_CACHE_HOME/gopls)
          out.links.push_back({dirs.xdg_cache + "/gopls", m.fallback});
          any_goimports = true;
        } else if (starts(m.why, "goimports cache")) {
          out.links.push_back({dirs.xdg_cache + "/goimports", m.fallback});
          any_goimports = true;
        }
        break;
      }
      case MountKind::Tmpfs:
        if (m.why == "TMPDIR") {
          add(dirs.tmp_dir, ll::kAll, false, "TMPDIR: private directory (no private /tmp in this mode)", true);
          set_env(out.env, "TMPDIR", dirs.tmp_dir);
        } else {
          out.notes.push_back(m.why + " " + m.dst + ": the host's directory; only what the plan binds beneath it is reachable");
        }
        break;
      case MountKind::DevBind:
        add(m.src, ll::kReadFile | ll::kWriteFile | ll::kIoctlDev, true, m.why, false);
        break;
      case MountKind::Proc:
        // The host's /proc (no pid namespace): readable; Landlock keeps ptrace-like access (mem,
        // environ of processes outside the domain) and signals out of reach.
        add("/proc", ll::kReadFile | ll::kReadDir, false, "host /proc (read-only; no pid namespace)", false);
        break;
      case MountKind::Copy:
        add(m.src, ll::kReadFile, true, m.why, false);  // /etc/resolv.conf & co. may be symlinks
        break;
      case MountKind::Dir:
      case MountKind::Symlink:  // the host has its own
      case MountKind::RemountRo:
      case MountKind::Pin:  // no mounts in this mode
        break;
    }
  }
  if (any_goimports) {
    add(dirs.xdg_cache, ll::kReadOnly, false, "XDG_CACHE_HOME: private (links to the domain's caches)", true);
    set_env(out.env, "XDG_CACHE_HOME", dirs.xdg_cache);
  }
  return out;
}

std::string isolation_line(IsolationLevel l, const std::string& why, int abi) {
  switch (l) {
    case IsolationLevel::Namespaces:
      return "isolation: namespaces + " + (abi >= 1 ? "Landlock ABI " + std::to_string(abi) : std::string("no Landlock"));
    case IsolationLevel::LandlockOnly:
      return "isolation: landlock-only (Landlock ABI " + std::to_string(abi) + " + seccomp + no_new_privs, no namespaces), because " +
             why +
             "; host paths outside the plan are denied, TMPDIR and the Go caches are private. For the full sandbox see "
             "`gopls-sandbox doctor`; --require namespaces refuses to run like this";
    case IsolationLevel::SeccompOnly:
      return "isolation: seccomp-only (--require none: no namespaces, no Landlock), because " + why +
             "; the program sees and may write everything your user can";
  }
  return {};
}

std::vector<std::string> isolation_doctor_lines(IsolationLevel l, const std::string& why, int abi) {
  std::vector<std::string> v;
  if (l == IsolationLevel::Namespaces) return v;
  v.push_back(std::string("MODE: ") + isolation_level_name(l) + " — user namespaces are unavailable: " + why);
  if (l == IsolationLevel::LandlockOnly)
    v.push_back("  gopls runs under Landlock ABI " + std::to_string(abi) +
                " + seccomp + no_new_privs: host files outside the plan, TCP, host abstract sockets and signals are "
                "denied, but it shares the host's pid, IPC and mount view (docs/threat-model.md)");
  else
    v.push_back("  no Landlock either: launches are refused (exit 125) unless --require none");
  v.push_back("  FIX (Ubuntu 23.10+, AppArmor restricts user namespaces): load the shipped profile, which grants the "
              "launcher `userns`: sudo apparmor_parser -r /etc/apparmor.d/gopls-sandbox (a copy is in "
              "/usr/share/gopls-sandbox/apparmor/; README \"Ubuntu 23.10 and later\")");
  v.push_back("  FIX (user.max_user_namespaces=0, a container): sysctl user.max_user_namespaces=15000, or run the "
              "container with user namespaces allowed");
  return v;
}

}  // namespace gsb::core
