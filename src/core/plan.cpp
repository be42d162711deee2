#include "gopls_sandbox/core/plan.hpp"
#include "gopls_sandbox/core/plan_machine.hpp"

#include <algorithm>
#include <cstdio>

#include "gopls_sandbox/core/plan_protect.hpp"
#include "gopls_sandbox/core/cache_domains.hpp"
#include "gopls_sandbox/core/sandbox_env.hpp"

namespace gsb::core {

const char* mount_kind_name(MountKind k) {
  switch (k) {
    case MountKind::Tmpfs: return "tmpfs";
    case MountKind::Bind: return "bind";
    case MountKind::RoBind: return "ro-bind";
    case MountKind::DevBind: return "dev-bind";
    case MountKind::Proc: return "proc";
    case MountKind::Symlink: return "symlink";
    case MountKind::Dir: return "dir";
    case MountKind::RemountRo: return "remount-ro";
    case MountKind::Pin: return "pin";
    case MountKind::Copy: return "copy";
    case MountKind::Overlay: return "overlay";
  }
  return "?";
}

std::string normalize_path(std::string_view p) {
  if (p.empty() || p[0] != '/') return {};
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    i = j;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  std::string out;
  for (auto c : parts) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

std::vector<std::string> path_prefixes(const std::string& p) {
  std::vector<std::string> out;
  for (size_t i = 1; i <= p.size(); ++i)
    if (i == p.size() || p[i] == '/') out.push_back(p.substr(0, i));
  return out;
}

bool path_is_under(const std::string& p, const std::string& dir) {
  if (dir == "/") return !p.empty() && p[0] == '/';
  return p == dir || (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
}

namespace {

size_t depth(const std::string& p) { return static_cast<size_t>(std::count(p.begin(), p.end(), '/')); }

// What a bind of `p` mounts: its resolved path when the probe knows it.
std::string source_of(const std::string& p, const PathFacts& f) {
  std::string r = normalize_path(f.real);
  return r.empty() ? p : r;
}

}  // namespace

std::string default_workspace_refusal(const std::string& dir, const std::string& home, const std::string& home_real,
                                      const std::string& runtime_dir) {
  if (dir.empty()) return {};
  for (const auto& h : {home, home_real})
    if (!h.empty() && h != "/" && path_is_under(h, dir)) return "your home directory or above it";
  if (dir == "/tmp" || dir == "/var/tmp" || dir == "/dev/shm") return "the host's " + dir;
  if (path_is_under(dir, "/run")) return "/run (sockets of the system and of every session)";
  if (!runtime_dir.empty() && runtime_dir != "/" && path_is_under(dir, runtime_dir))
    return "$XDG_RUNTIME_DIR (your session's sockets)";
  return {};
}

std::string default_workspace_refusal(const PlanInputs& in, const std::string& given, const std::string& real) {
  const std::string home = normalize_path(in.home);
  std::string why;
  for (const std::string& h : {home, normalize_path(in.passwd_home), normalize_path(in.passwd_home_real)})
    for (const std::string& d : {normalize_path(given), normalize_path(real)})
      if (why.empty()) why = default_workspace_refusal(d, h, normalize_path(in.home_real), normalize_path(in.runtime_dir));
  if (why.empty() && home.empty() && normalize_path(in.passwd_home).empty())
    why = "with HOME unset, a directory that may be your home";
  return why;
}

std::string system_directory_refusal(const std::string& path) {
  for (const char* d : {"/proc", "/sys", "/dev", "/etc", "/boot", "/root/.ssh"})
    if (path_is_under(path, d)) return std::string("a system directory (") + d + ")";
  return {};
}

std::string home_secret_refusal(const PlanInputs& in, const std::string& path) {
  std::string p = normalize_path(path);
  if (p.empty()) return {};
  for (const std::string& raw : {in.home, in.home_real, in.passwd_home, in.passwd_home_real}) {
    std::string h = normalize_path(raw);
    if (h.empty() || h == "/" || p == h || !path_is_under(p, h)) continue;
    std::string first = p.substr(h.size() + 1);
    first = first.substr(0, first.find('/'));
    if (first[0] == '.')
      return h + "/" + first + " (a hidden directory of your home: what the host trusts or runs, e.g. ~/.ssh, ~/.config)";
    if (first == "bin") return h + "/bin (on the PATH of most login shells)";  // whatever this environment's PATH says
  }
  return {};
}

std::vector<std::string> identity_anchors(const PlanInputs& in) {
  std::vector<std::string> out = {"/"};
  for (const std::string& raw : {in.home, in.home_real, in.passwd_home, in.passwd_home_real})
    for (const auto& d : path_prefixes(normalize_path(raw)))
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  return out;
}

std::vector<std::string> identity_aliases(const PlanInputs& in, const std::string& path, const HostProbe& probe) {
  std::vector<std::string> out;
  std::string p = normalize_path(path);
  if (p.empty() || in.host_identities.empty()) return out;
  std::vector<std::string> chain = path_prefixes(p);
  chain.insert(chain.begin(), "/");
  for (const auto& at : chain) {
    PathFacts f = probe(at);
    FileId id{f.dev, f.ino};
    if (!id.known()) continue;
    for (const auto& [anchor, aid] : in.host_identities) {
      if (anchor == at || !aid.known() || !(aid == id)) continue;
      std::string rest = at == "/" ? p : p.substr(at.size());
      std::string alias = normalize_path(anchor == "/" ? (rest.empty() ? "/" : rest) : anchor + rest);
      if (!alias.empty() && alias != p && std::find(out.begin(), out.end(), alias) == out.end()) out.push_back(alias);
    }
  }
  return out;
}

std::string default_workspace_refusal(const PlanInputs& in, const std::string& given, const std::string& real,
                                      const std::vector<std::string>& aliases) {
  if (std::find(aliases.begin(), aliases.end(), "/") != aliases.end())
    return "/ bound at another path (the whole host would be visible)";
  std::string why = default_workspace_refusal(in, given, real);
  for (const auto& a : aliases)
    if (why.empty()) why = default_workspace_refusal(in, a, a);
  return why;
}

std::string added_folder_refusal(const PlanInputs& in, const std::string& path) {
  std::string p = normalize_path(path);
  if (p.empty()) return {};
  if (std::string why = home_secret_refusal(in, p); !why.empty()) return why;
  // Directories the host runs from or reads its configuration from, and any folder containing one:
  // the launcher's own configuration and state, PATH (~/bin, ~/.local/bin), GOBIN and GOPATH/bin
  // (the editor runs dlv, staticcheck … from there, outside the sandbox).
  std::vector<std::pair<std::string, std::string>> host_dirs;  // (directory, why)
  auto list = [&](const std::string& v, const std::string& why, const std::string& suffix) {
    for (size_t b = 0; b <= v.size();) {
      size_t e = v.find(':', b);
      if (e == std::string::npos) e = v.size();
      if (e > b) host_dirs.emplace_back(v.substr(b, e - b) + suffix, why);
      b = e + 1;
    }
  };
  for (const auto& kv : in.env) {
    std::string k = kv.substr(0, kv.find('=')), v = kv.find('=') == std::string::npos ? "" : kv.substr(kv.find('=') + 1);
    if (k == "XDG_CONFIG_HOME" || k == "XDG_STATE_HOME" || k == "XDG_DATA_HOME") host_dirs.emplace_back(v, "$" + k);
    if (k == "PATH") list(v, "a directory of $PATH", "");
    if (k == "GOBIN") host_dirs.emplace_back(v, "$GOBIN");
  }
  if (in.go) list(in.go->gopath, "GOPATH/bin (go install's programs)", "/bin");
  for (auto& [d, why] : host_dirs) {
    d = normalize_path(d);
    if (d.empty() || d == "/") continue;
    if (path_is_under(p, d)) return "inside " + why + " (" + d + ")";
    if (path_is_under(d, p)) return "above " + why + " (" + d + ")";
  }
  return {};
}

Result<Plan> build_plan(const PlanInputs& in, const HostProbe& probe) {
  Plan plan;
  plan.uid = in.uid;
  plan.gid = in.gid;
  plan.share_net = in.share_net;
  plan.keep_tty = in.keep_tty;
  plan.hostname = in.hostname;
  plan.argv = in.argv;
  auto& m = plan.mounts;
  auto note = [&](std::string s) { plan.notes.push_back(std::move(s)); };

  // --- the fixed system part, in dependency order ---
  m.push_back({MountKind::RoBind, "/usr", "/usr", 0, false, false, "system"});
  for (const char* d : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    PathFacts f = probe(d);
    if (f.type == PathFacts::Symlink)
      m.push_back({MountKind::Symlink, f.link_target, d, 0, false, false, "system"});
    else if (f.type == PathFacts::Dir)
      m.push_back({MountKind::RoBind, d, d, 0, false, false, "system"});
  }
  // /etc and /dev are directories of the new root's tmpfs (sealed read-only with it, last): no
  // mount of their own to set up, seal and tear down.
  m.push_back({MountKind::Dir, "", "/etc", 0755, false, false, "minimal /etc"});
  std::vector<std::string> etc_files = {"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts",
                                        "/etc/ld.so.cache", "/etc/localtime", "/etc/host.conf",
                                        "/etc/gitconfig"};
  if (in.share_net) etc_files.push_back("/etc/resolv.conf");
  for (const auto& f : etc_files) {
    PathFacts pf = probe(f);
    if (pf.type == PathFacts::Symlink && f == "/etc/localtime")
      m.push_back({MountKind::Symlink, pf.link_target, f, 0, false, false, "minimal /etc"});
    else if (pf.resolved == PathFacts::File)  // a copy costs less than a bind (setup and teardown)
      m.push_back({MountKind::Copy, f, f, 0, true, true, "minimal /etc"});
  }
  for (const char* d : {"/etc/ssl", "/etc/ca-certificates", "/etc/alternatives"}) {
    if (probe(d).resolved == PathFacts::Dir) m.push_back({MountKind::RoBind, d, d, 0, false, true, "minimal /etc"});
  }
  m.push_back({MountKind::Dir, "", "/dev", 0755, false, false, "minimal /dev"});
  for (const char* d : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"})
    m.push_back({MountKind::DevBind, d, d, 0, true, false, "minimal /dev"});
  m.push_back({MountKind::Symlink, "/proc/self/fd", "/dev/fd", 0, false, false, "minimal /dev"});
  m.push_back({MountKind::Symlink, "/proc/self/fd/0", "/dev/stdin", 0, false, false, "minimal /dev"});
  m.push_back({MountKind::Symlink, "/proc/self/fd/1", "/dev/stdout", 0, false, false, "minimal /dev"});
  m.push_back({MountKind::Symlink, "/proc/self/fd/2", "/dev/stderr", 0, false, false, "minimal /dev"});
  m.push_back({MountKind::Proc, "proc", "/proc", 0, false, false, "pid namespace"});
  m.push_back({MountKind::Tmpfs, "tmpfs", "/tmp", 01777, false, false, "TMPDIR"});
  std::string home = normalize_path(in.home);
  if (!home.empty() && home != "/" && home != "/tmp")
    m.push_back({MountKind::Tmpfs, "tmpfs", home, 0700, false, false, "HOME"});

  // --- path-preserving binds, parents before children ---
  std::vector<MountOp> binds;
  auto add_bind = [&](const std::string& path, bool ro, bool optional, const std::string& why) {
    std::string p = normalize_path(path);
    if (p.empty() || p == "/") return;
    PathFacts f = probe(p);
    if (f.resolved == PathFacts::Missing) {
      if (optional) {
        note(why + " " + p + ": does not exist, skipped");
        return;
      }
    }
    // Anything that is not a directory (a file, a socket, a FIFO, a device) needs a file mount point.
    MountOp op{ro ? MountKind::RoBind : MountKind::Bind, source_of(p, f), p, 0,
               f.resolved == PathFacts::File || f.resolved == PathFacts::Other, optional, why};
    binds.push_back(op);
  };
  if (in.cache_mode != CacheMode::Shared && in.cache_domain_dir.empty())
    return Error::setup(std::string("cache mode ") + cache_mode_name(in.cache_mode) + ": no cache state directory");
  auto add_cache = [&](const std::string& path, const char* key, const std::string& why) {  // issue 12
    if (in.cache_mode == CacheMode::Shared) return add_bind(path, false, true, why);
    std::string p = normalize_path(path);
    if (p.empty() || p == "/") return;
    PathFacts f = probe(p);
    CacheMode mode = in.cache_mode;
    if (mode == CacheMode::Cow && f.resolved != PathFacts::Dir) {
      note(why + " " + p + ": no host directory to layer over; the domain's private cache is used");
      mode = CacheMode::Private;
    }
    binds.push_back(cache_mount_op(mode, source_of(p, f), p, cache_layer_paths(in.cache_domain_dir, cache_key(key, p), in.cache_layer_dir), why));
  };
  if (in.go) {
    add_bind(in.go->goroot, true, true, "GOROOT");
    add_bind(in.go->goenv_file, true, true, "GOENV");
    add_cache(in.go->gomodcache, "gomodcache", "GOMODCACHE");
    add_cache(in.go->gocache, "gocache", "GOCACHE");
  } else {
    note("go: not found on PATH; GOROOT, GOMODCACHE and GOCACHE are not mounted");
  }
  add_cache(in.gopls_cache, "gopls", "gopls cache");
  add_cache(in.goimports_cache, "goimports", "goimports cache");
  // Counters may be written, the mode may not: code inside could otherwise switch uploading on
  // for the host user ("on" in the mode file). A missing mode file means the default (local),
  // and then the directory is read-only as a whole, or code inside could create the file: gopls'
  // counters go nowhere until the user chooses a mode (`gopls telemetry local`).
  std::string mode_file = in.telemetry_dir.empty() ? std::string() : normalize_path(in.telemetry_dir + "/mode");
  bool has_mode = !mode_file.empty() && probe(mode_file).type == PathFacts::File;
  add_bind(in.telemetry_dir, !has_mode, true, has_mode ? "go telemetry" : "go telemetry (read-only: no mode file)");
  if (has_mode) add_bind(mode_file, true, true, "go telemetry mode (read-only)");
  add_bind(in.gopls_config, false, true, "gopls config");
  // A folder the editor opened (or a module root found above it) inside what the sandbox shows
  // read-only or as its own copy — GOROOT, /usr, a Go cache's copy-on-write or private view, a
  // --ro-bind — must not be bound read-write from the host over it: code inside would write the
  // host's module cache or toolchain through it (issue 12's guarantee; a user browsing a
  // dependency in GOMODCACHE beside an untrusted repository). It stays visible as that view
  // shows it. Returns the view ("GOMODCACHE (copy-on-write) /home/u/go/pkg/mod"), or "".
  auto inside_protected_view = [&](const std::vector<std::string>& paths) -> std::string {
    for (const auto* ops : {&m, &binds})
      for (const auto& op : *ops) {
        if (op.kind != MountKind::RoBind && op.kind != MountKind::Overlay) continue;
        for (const auto& p : paths)
          if (!p.empty() && (path_is_under(p, op.dst) || (!op.src.empty() && op.src != "/" && path_is_under(p, op.src))))
            return op.why + " " + op.dst;
      }
    return {};
  };
  std::vector<std::string> bound_ws;  // every path a workspace is bound at
  struct WsSet {
    std::string real;                // its real path (no symlink in it)
    std::vector<std::string> bound;  // where it is bound (given and real path)
  };
  std::vector<WsSet> ws_sets;
  for (size_t i = 0; i < in.workspaces.size(); ++i) {
    const std::string& w = in.workspaces[i];
    std::string nw = normalize_path(w);
    std::string r = i < in.workspaces_real.size() ? normalize_path(in.workspaces_real[i]) : std::string();
    if (nw == "/") {
      note("workspace /: not bound (the whole host would be visible); pass --workspace DIR");
      continue;
    }
    // The *default* workspace (the directory the editor started us in) must not quietly expose
    // the home directory (~/.ssh, ~/.bashrc…) or a directory of sockets and other users' files.
    // Both the given and the resolved path are checked, against $HOME as given and resolved
    // (Fedora Silverblue: /home -> /var/home). An explicit --workspace is honoured.
    if (!in.workspaces_explicit) {
      // The same directory at another path (a bind of / or of the home elsewhere): its host paths
      // are refused as the path itself would be.
      std::vector<std::string> aliases = identity_aliases(in, r.empty() ? nw : r, probe);
      std::string why = default_workspace_refusal(in, nw, r, aliases);
      if (!why.empty()) {
        note("warning: not binding " + nw + " as the workspace: it is the current directory (the default), and " + why +
             " would expose far more than a project; pass --workspace " + nw + " to bind it anyway");
        continue;
      }
      std::string sys = system_directory_refusal(nw).empty() ? system_directory_refusal(r) : system_directory_refusal(nw);
      for (const auto& a : aliases)
        if (sys.empty()) sys = system_directory_refusal(a);
      if (!sys.empty()) {
        note("warning: not binding " + nw + " as a workspace: it is " + sys + "; pass --workspace " + nw +
             " to bind it anyway");
        continue;
      }
      // What a hostile *.code-workspace opened at start can name as well (issue 13.2's review).
      std::string secret = home_secret_refusal(in, nw).empty() ? home_secret_refusal(in, r) : home_secret_refusal(in, nw);
      for (const auto& a : aliases)
        if (secret.empty()) secret = home_secret_refusal(in, a);
      if (!secret.empty()) {
        note("warning: not binding " + nw + " as a workspace: it is " + secret + "; pass --workspace " + nw +
             " to bind it anyway");
        continue;
      }
      if (std::string view = inside_protected_view({nw, r}); !view.empty()) {
        note("warning: not binding " + nw + " as a workspace: it is inside " + view +
             ", which the sandbox shows read-only or as its own copy; binding the host's directory there would let "
             "code inside write it (gopls still sees the folder through that view; pass --workspace " + nw +
             " to bind it read-write anyway)");
        continue;
      }
    }
    add_bind(w, false, false, "workspace");
    bound_ws.push_back(nw);
    WsSet set{r.empty() ? nw : r, {nw}};
    if (!r.empty() && r != nw && r != "/") {
      add_bind(r, false, false, "workspace (real path)");
      bound_ws.push_back(r);
      set.bound.push_back(r);
    }
    ws_sets.push_back(std::move(set));
  }
  // Go's and gopls' directories from `go env` and $HOME: a bind that resolves through a symlink
  // inside a workspace (a previous session can plant one: GOPATH=proj/.gopath, then
  // .gopath/pkg/mod -> ../../..), or whose real path holds the home directory or a workspace,
  // would hand the sandbox the host's files read-write. Dropped, with a warning.
  {
    const std::string home_r = normalize_path(in.home_real);
    std::erase_if(binds, [&](const MountOp& b) {
      if (b.why == "workspace" || b.why == "workspace (real path)" || b.src.empty()) return false;
      bool through_ws = false, holds = b.src == "/";
      for (const auto& w : bound_ws) {
        through_ws = through_ws || (path_is_under(b.dst, w) && b.src != b.dst);
        holds = holds || path_is_under(w, b.src);
      }
      for (const auto& h : {home, home_r})
        holds = holds || (!h.empty() && h != "/" && path_is_under(h, b.src));
      if (!through_ws && !holds) return false;
      note("warning: not binding " + b.why + " " + b.dst + ": it resolves to " + b.src +
           (through_ws ? " through a symlink inside the workspace" : ", which holds your home directory or a workspace"));
      return true;
    });
  }
  // What the host executes from a workspace on its own — git's hooks and core.fsmonitor (run by
  // the user's prompt or editor at the next `git status`), direnv's .envrc, editor settings —
  // read-only at every path the workspace is bound at (core/plan_protect.cpp).
  if (!in.writable_vcs) {
    for (const auto& ws : ws_sets) {
      auto prot = protect_host_executed(ws.real, probe, in.read_text, in.list_names);
      if (!prot) return std::move(prot).error();
      for (const auto& n : prot->notes) note(n);
      for (const auto& op : prot->ops)
        for (const auto& b : ws.bound)
          binds.push_back({op.ro ? MountKind::RoBind : MountKind::Bind, ws.real + op.rel, b + op.rel, 0, op.is_file, true,
                           op.ro ? "workspace: run by the host (read-only)" : "workspace: pinned (cannot be renamed)"});
    }
  }
  for (const auto& b : in.binds) {
    std::string dst = normalize_path(b.dst.empty() ? b.src : b.dst);
    if (dst.empty() || dst == "/") return Error::usage(b.origin + " " + b.src + ": destination must be an absolute path other than /");
    PathFacts f = probe(b.src);
    // What workspace discovery binds read-write (a module root above a folder, a go.work `use`
    // module) follows the same rule as the folders: never over a read-only or copied view. A
    // --bind the user wrote is the user's choice (and announced: core/untrusted_settings).
    if (!b.ro && (b.origin == "module root" || b.origin == "go.work use")) {
      if (std::string view = inside_protected_view({dst, normalize_path(source_of(b.src, f))}); !view.empty()) {
        note("warning: not binding " + b.origin + " " + dst + ": it is inside " + view +
             ", which the sandbox shows read-only or as its own copy");
        continue;
      }
    }
    binds.push_back({b.ro ? MountKind::RoBind : MountKind::Bind, source_of(b.src, f), dst, 0,
                     f.resolved == PathFacts::File || f.resolved == PathFacts::Other, false,
                     b.origin});
  }
  // The mount that shows `path` inside (the deepest one whose destination holds it), or null for
  // the new root's own tmpfs (sealed read-only at the end).
  auto mount_of = [&](const std::string& path) -> const MountOp* {
    const MountOp* best = nullptr;
    for (const auto* ops : {&m, &binds})
      for (const auto& op : *ops) {
        bool mounts = op.kind == MountKind::RoBind || op.kind == MountKind::Bind || op.kind == MountKind::Tmpfs ||
                      op.kind == MountKind::Overlay || op.kind == MountKind::DevBind || op.kind == MountKind::Proc;
        if (mounts && path_is_under(path, op.dst) && (!best || depth(op.dst) >= depth(best->dst))) best = &op;
      }
    return best;
  };
  auto writable = [](const MountOp* op) {
    return op && (op->kind == MountKind::Bind || op->kind == MountKind::Tmpfs || op->kind == MountKind::Overlay);
  };
  // The program itself must resolve at the same path inside, and so must the go shim's directory —
  // read-only: what gopls runs again later (itself for govulncheck, go through the shim) must
  // not be replaceable from inside. A path a read-write mount shows (the workspace, the private
  // HOME or /tmp) gets a read-only bind of its own.
  auto ensure_visible = [&](const std::string& path, bool is_file, const char* why) {
    const MountOp* at = mount_of(path);
    bool read_only = at && !writable(at);  // (/usr is a read-only bind)
    for (const auto& op : m)
      if (op.kind == MountKind::Symlink && path_is_under(path, op.dst)) read_only = true;
    if (!read_only) binds.push_back({MountKind::RoBind, path, path, 0, is_file, false, why});
  };
  std::vector<std::string> run_paths;  // what the sandbox executes by path later
  if (!in.argv.empty() && !in.argv[0].empty() && in.argv[0][0] == '/') {
    ensure_visible(in.argv[0], true, "program");
    run_paths.push_back(in.argv[0]);
  }
  std::string shim_dir = normalize_path(in.go_shim_dir);
  if (!shim_dir.empty() && shim_dir != "/") {
    ensure_visible(shim_dir, false, "go shim (nested Landlock domain)");
    run_paths.push_back(shim_dir);
  } else {
    shim_dir.clear();
  }
  // Every directory above those paths that a writable mount holds (the private HOME for
  // ~/go/bin/gopls, a workspace) is pinned: code inside could otherwise rename it away, with the
  // read-only bind in it, and create another at the same path (adversarial review, 2026-12-04).
  std::vector<std::string> pins;
  for (const auto& rp : run_paths)
    for (const auto& a : path_prefixes(rp)) {
      if (a == rp) break;
      const MountOp* at = mount_of(a);
      if (writable(at) && at->dst != a && std::find(pins.begin(), pins.end(), a) == pins.end()) pins.push_back(a);
    }
  std::stable_sort(binds.begin(), binds.end(),
                   [](const MountOp& a, const MountOp& b) { return depth(a.dst) < depth(b.dst); });
  for (auto& b : binds) m.push_back(std::move(b));
  std::stable_sort(pins.begin(), pins.end(), [](const std::string& a, const std::string& b) { return depth(a) < depth(b); });
  for (const auto& p : pins) m.push_back({MountKind::Pin, "", p, 0, false, false, "pin (a directory above what the sandbox runs)"});

  for (auto& op : machine_fact_mounts(in.machine, probe, plan.notes)) m.push_back(std::move(op));  // /sys facts

  // --- seal: the root (with /etc and /dev in it) read-only, last ---
  m.push_back({MountKind::RemountRo, "", "/", 0, false, false, "root"});

  // --- environment: an allowlist (core/sandbox_env.hpp), then the profile's unset/set ---
  for (auto& kv : sandbox_environment(in.env, in.extra_env, in.share_net)) {
    std::string key = kv.substr(0, kv.find('='));
    if (key.rfind("GOPLS_SANDBOX", 0) == 0 || key == "TMPDIR") continue;
    if (std::find(in.unset_env.begin(), in.unset_env.end(), key) != in.unset_env.end()) continue;
    plan.env.push_back(std::move(kv));
  }
  // The profile's set_env: replaces the caller's value for the same name (the last entry wins).
  for (const auto& kv : in.set_env) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(plan.env, [&](const std::string& e) { return e.compare(0, key.size() + 1, key + "=") == 0; });
    plan.env.push_back(kv);
  }
  plan.env.push_back("TMPDIR=/tmp");
  plan.env.push_back("GOPLS_SANDBOX=1");
  // The go shim first on PATH: gopls' `go` is the shim, which nests a Landlock domain and runs
  // the go the rest of PATH names (src/shim/go_nest.cpp).
  if (!shim_dir.empty()) {
    auto path = std::find_if(plan.env.begin(), plan.env.end(), [](const std::string& e) { return e.rfind("PATH=", 0) == 0; });
    if (path == plan.env.end()) plan.env.push_back("PATH=" + shim_dir);
    else *path = "PATH=" + shim_dir + (path->size() > 5 ? ":" + path->substr(5) : std::string());
    note("go shim " + shim_dir + "/go first on PATH: what gopls starts runs in a nested Landlock domain");
    // And no go/packages driver found on PATH (a writable directory of PATH could hold one, which
    // gopls would start itself, outside that domain) unless the caller names one.
    // (An empty value is unset to go/packages: it would search PATH.)
    std::erase(plan.env, std::string("GOPACKAGESDRIVER="));
    if (std::none_of(plan.env.begin(), plan.env.end(), [](const std::string& e) { return e.rfind("GOPACKAGESDRIVER=", 0) == 0; }))
      plan.env.push_back("GOPACKAGESDRIVER=off");
  }

  // --- working directory: the caller's, when it exists inside ---
  std::string cwd = normalize_path(in.cwd);
  bool visible = false;
  for (const auto& op : m)
    if ((op.kind == MountKind::Bind || op.kind == MountKind::RoBind || op.kind == MountKind::Tmpfs ||
         op.kind == MountKind::Overlay) &&
        op.dst != "/etc" && op.dst != "/dev" && !cwd.empty() &&
        // a fresh tmpfs (the sandbox's /tmp) has nothing below its root: the host's /tmp/x is not there
        (op.kind == MountKind::Tmpfs ? cwd == op.dst : path_is_under(cwd, op.dst)))
      visible = true;
  if (visible) plan.cwd = cwd;
  else if (!bound_ws.empty()) plan.cwd = bound_ws[0];  // (never a workspace that was refused)
  else if (!home.empty()) plan.cwd = home;
  else plan.cwd = "/";
  return plan;
}

json::Value plan_to_json(const Plan& p) {
  json::Value root;
  json::Value argv;
  for (const auto& a : p.argv) argv.push(a);
  root.set("argv", std::move(argv));
  root.set("cwd", p.cwd);
  root.set("uid", p.uid);
  root.set("gid", p.gid);
  json::Value ns;
  for (const char* n : {"user", "pid", "mount", "uts", "ipc"}) ns.push(n);
  if (!p.share_net) ns.push("net");
  root.set("namespaces", std::move(ns));
  root.set("share_net", p.share_net);
  root.set("new_session", !p.keep_tty);
  root.set("hostname", p.hostname);
  json::Value mounts;
  mounts.array();
  for (const auto& op : p.mounts) {
    json::Value mv;
    mv.set("type", mount_kind_name(op.kind));
    if (op.kind == MountKind::Bind || op.kind == MountKind::RoBind || op.kind == MountKind::DevBind ||
        op.kind == MountKind::Symlink || op.kind == MountKind::Copy)
      mv.set("source", op.src);
    else
      mv.set("source", op.kind == MountKind::RemountRo ? json::Value() : json::Value(op.src));
    mv.set("destination", op.dst);
    json::Value flags;
    flags.array();
    switch (op.kind) {
      case MountKind::RoBind: flags.push("bind"); flags.push("rec"); flags.push("ro"); flags.push("nosuid"); flags.push("nodev"); break;
      case MountKind::Bind: flags.push("bind"); flags.push("rec"); flags.push("nosuid"); flags.push("nodev"); break;
      case MountKind::DevBind: flags.push("bind"); flags.push("nosuid"); break;
      case MountKind::Tmpfs: flags.push("nosuid"); flags.push("nodev"); break;
      case MountKind::Proc: flags.push("nosuid"); flags.push("nodev"); flags.push("noexec"); break;
      case MountKind::RemountRo: flags.push("remount"); flags.push("ro"); break;
      case MountKind::Pin: flags.push("bind"); flags.push("rec"); break;
      case MountKind::Copy: flags.push("copy"); break;
      default: break;
    }
    if (op.noexec) flags.push("noexec");
    mv.set("flags", std::move(flags));
    if (op.kind == MountKind::Tmpfs || op.kind == MountKind::Dir) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04o", op.mode);
      mv.set("mode", buf);
    }
    if (op.kind == MountKind::Overlay) cache_op_to_json(op, mv);
    if (op.is_file) mv.set("file", true);
    if (op.optional) mv.set("optional", true);
    mv.set("why", op.why);
    mounts.push(std::move(mv));
  }
  root.set("mounts", std::move(mounts));
  root.set("env", json::string_array(p.env));
  root.set("notes", json::string_array(p.notes));
  return root;
}

}  // namespace gsb::core
