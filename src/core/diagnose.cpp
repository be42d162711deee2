// errno attribution of a trace. See diagnose.hpp.
#include "gopls_sandbox/core/diagnose.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

namespace gsb::core::diagnose {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

std::string_view basename(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  size_t i = p.rfind('/');
  return i == std::string_view::npos ? p : p.substr(i + 1);
}
std::string_view dirname(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  size_t i = p.rfind('/');
  if (i == std::string_view::npos) return ".";
  if (i == 0) return "/";
  return p.substr(0, i);
}
std::string trim_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string clip(std::string_view s, size_t n) {
  if (s.size() <= n) return std::string(s);
  return std::string(s.substr(0, n)) + "...";
}

std::string num(uint64_t n) { return std::to_string(n); }

// Syscalls that do not fail with EPERM in an ordinary unprivileged process unless a seccomp
// filter (or a missing capability the sandbox drops on purpose) refuses them.
const std::set<std::string_view>& never_eperm() {
  static const std::set<std::string_view> s = {
      "ptrace", "mount", "umount2", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
      "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "pivot_root", "chroot", "swapon", "swapoff", "reboot", "settimeofday", "clock_settime", "clock_adjtime",
      "adjtimex", "acct", "quotactl", "userfaultfd", "personality", "process_vm_readv", "process_vm_writev",
      "kcmp", "name_to_handle_at", "open_by_handle_at", "lookup_dcookie", "fanotify_init", "iopl", "ioperm",
      "syslog", "vhangup", "io_uring_setup", "io_uring_enter", "io_uring_register", "fsopen", "fsmount",
      "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr", "sethostname", "setdomainname",
      "vm86", "vm86old", "uselib", "nfsservctl", "pidfd_getfd", "process_madvise", "memfd_secret",
      "landlock_create_ruleset", "mbind", "migrate_pages", "move_pages", "set_mempolicy"};
  return s;
}
// Newer syscalls whose ENOSYS makes libc or the Go runtime fall back to an older one.
const std::set<std::string_view>& fallback_syscalls() {
  static const std::set<std::string_view> s = {
      "clone3", "openat2", "faccessat2", "statx", "pidfd_open", "pidfd_send_signal", "close_range",
      "rseq", "epoll_pwait2", "copy_file_range", "getrandom", "membarrier", "pidfd_getfd", "futex_waitv",
      "preadv2", "pwritev2", "fchmodat2", "cachestat", "map_shadow_stack", "memfd_create", "set_robust_list"};
  return s;
}

struct Cls {
  Verdict v = Verdict::Unclassified;
  std::string cls, subject, pattern, expl, fix;
  int weight = 0;
};

Cls benign(std::string cls, std::string pattern, std::string expl) {
  Cls c;
  c.v = Verdict::Benign;
  c.cls = std::move(cls);
  c.pattern = std::move(pattern);
  c.expl = std::move(expl);
  return c;
}
Cls problem(std::string cls, std::string subject, std::string pattern, std::string expl, std::string fix, int weight) {
  Cls c;
  c.v = Verdict::Problem;
  c.cls = std::move(cls);
  c.subject = std::move(subject);
  c.pattern = std::move(pattern);
  c.expl = std::move(expl);
  c.fix = std::move(fix);
  c.weight = weight;
  return c;
}

// A path generalised for grouping: the named root replaced by its variable, then at most
// `keep` components, then "/…".
std::string generalise(std::string_view path, size_t keep) {
  std::string out;
  size_t comps = 0, i = 0;
  if (!path.empty() && path[0] == '/') i = 1;
  out = path.substr(0, i);
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (comps == keep) {
      out += "…";
      return out;
    }
    out += path.substr(i, j - i);
    ++comps;
    if (j < path.size()) out += '/';
    i = j + 1;
  }
  return out;
}

struct Root {
  const char* name;
  std::string dir;
};

struct Ctx {
  const Dirs* dirs = nullptr;
  std::vector<Root> roots;           // most specific first
  std::set<std::string> created;     // paths created successfully somewhere in the trace
  std::set<std::string> exec_names;  // basenames of programs executed successfully
  std::set<std::string> refused;     // syscalls a denial log says were refused
  std::map<std::string, std::string> rule_of;  // syscall → rule (denial log)
  bool share_net = false;
  const std::map<std::string, std::string>* chains = nullptr;
};

const Root* root_of(const Ctx& ctx, std::string_view path) {
  for (const auto& r : ctx.roots)
    if (under(path, r.dir)) return &r;
  return nullptr;
}

std::string pattern_of(const Ctx& ctx, std::string_view path, size_t keep = 2) {
  if (path.empty()) return "";
  if (const Root* r = root_of(ctx, path)) {
    std::string rest(path.substr(std::min(path.size(), r->dir.size())));
    std::string var = std::string("$") + r->name;
    if (rest.empty() || rest == "/") return var;
    return var + generalise(rest, keep);
  }
  return generalise(path, keep + 1);
}

bool is_path_search_dir(std::string_view d) {
  return ends_with(d, "/bin") || ends_with(d, "/sbin") || ends_with(d, "/games") || ends_with(d, "/shims") ||
         d == "/bin" || d == "/sbin";
}

bool is_lookup_syscall(std::string_view s) {
  return s == "execve" || s == "execveat" || s == "access" || s == "faccessat" || s == "faccessat2" ||
         s == "stat" || s == "newfstatat" || s == "lstat" || s == "statx" || s == "fstatat64" ||
         s == "stat64" || s == "lstat64";
}

bool is_home_config_probe(std::string_view rest) {
  static const char* const known[] = {"/.config/go/env", "/.gitconfig", "/.config/git", "/.netrc",
                                      "/.config/gopls", "/.cache", "/.local", "/.config/go/telemetry",
                                      "/.terminfo", "/.inputrc", "/.curlrc", "/.config/curlrc", "/.ssh",
                                      "/.hgrc", "/.bzr", "/.subversion", "/go/src", "/go/bin", "/go.mod",
                                      "/go.work", "/.config/fish", "/.profile"};
  for (const char* k : known)
    if (starts_with(rest, k)) return true;
  return false;
}

Cls classify_enoent(const Call& c, const Ctx& ctx) {
  const std::string& p = c.path;
  const Dirs& d = *ctx.dirs;
  std::string_view base = basename(p);
  std::string_view dir = dirname(p);

  if (c.syscall == "connect") {
    if (contains(p, "nscd")) return benign("libc-probe", "nscd socket", "glibc asks the nscd cache daemon first; absent is normal");
    return problem("socket-missing", p, p, "the Unix socket " + p + " does not exist inside the sandbox",
                   "bind the socket's directory with --bind, or run the client outside the sandbox", 20);
  }
  if (c.syscall == "unlink" || c.syscall == "unlinkat" || c.syscall == "rmdir")
    return benign("go-noise", pattern_of(ctx, p), "removing a file that is already gone (os.Remove/RemoveAll)");
  if (base == ".git" || base == ".hg" || base == ".svn" || base == ".bzr" || base == ".fslckout" || base == "_FOSSIL_")
    return benign("go-probe", "**/" + std::string(base), "the go command looks for version control metadata (-buildvcs) in every parent directory");
  if (contains(p, "/gopls-sandbox/") || ends_with(p, "/gopls-sandbox"))
    return benign("launcher-probe", generalise(p, 3), "the launcher looks for its configuration and profiles in several places");
  if (p == "/etc/ld.so.preload") return benign("libc-probe", p, "the dynamic loader probes /etc/ld.so.preload at every exec");
  if (base == "go.work" || base == "go.work.sum")
    return benign("go-probe", "**/go.work", "the go command looks for a go.work file in every parent directory");
  if ((base == "go.sum" || base == "gopls.mod") && !(d.gomodcache.size() && under(p, d.gomodcache)))
    return benign("go-probe", "**/" + std::string(base), "go.sum is absent in modules without dependencies; gopls probes the legacy gopls.mod");
  if (base == "vendor" || contains(p, "/vendor/"))
    return benign("go-probe", "**/vendor", "the go command checks for a vendor directory (module mode without vendoring)");
  if (base == "go.mod" && !(d.gomodcache.size() && under(p, d.gomodcache)))
    return benign("go-probe", "**/go.mod", "the go command looks for go.mod in the working directory and its parents");
  if (p == "/etc/resolv.conf" || p == "/etc/hosts") {
    if (ctx.share_net) return Cls{};
    return problem("dns", p, p,
                   "a host name lookup found no DNS configuration: /etc/resolv.conf is only provided with --share-net",
                   "use --share-net (GOPLS_SANDBOX_SHARE_NET=1) for module downloads, or GOPROXY=off / GOFLAGS=-mod=mod with a filled module cache",
                   30);
  }
  if (starts_with(p, "/usr/share/locale") || starts_with(p, "/usr/lib/locale") || contains(p, "/gconv") ||
      starts_with(p, "/usr/share/i18n"))
    return benign("libc-probe", generalise(p, 3), "libc looks up message catalogues and locales; absent ones are normal");
  if (starts_with(p, "/etc/gitconfig") || ends_with(p, "/.gitconfig") || contains(p, "/.config/git/"))
    return benign("tool-probe", "git config", "git reads optional configuration files");
  if (starts_with(p, "/sys/kernel/mm/transparent_hugepage"))
    return benign("go-probe", generalise(p, 4), "the Go runtime reads the huge page size when the file exists");
  if (starts_with(p, "/proc/") && (contains(p, "/sys/") || ends_with(p, "/cgroup") || contains(p, "cpu.max")))
    return benign("go-probe", generalise(p, 3), "optional kernel interface probe");
  if (contains(p, "/gcc/") || contains(p, "/include/") || ends_with(p, "/include") || contains(p, "/cuda/") ||
      contains(p, "/ld.so.") || starts_with(p, "/usr/x86_64-linux-gnu") || contains(p, "/../"))
    return benign("cc-probe", generalise(p, 3), "the C toolchain (cgo) searches its include and library paths");
  if (is_lookup_syscall(c.syscall) &&
      (is_path_search_dir(dir) || ctx.exec_names.count(std::string(base))))
    return benign("path-search", "$PATH/" + std::string(base),
                  "a program is looked up in each $PATH directory (exec.LookPath / execvp)");
  if ((starts_with(p, "/lib") || starts_with(p, "/usr/lib") || starts_with(p, "/usr/local/lib")) &&
      !(d.goroot.size() && under(p, d.goroot)))
    return benign("cc-probe", generalise(p, 2), "the dynamic loader or the C toolchain searches library directories");
  if (contains(base, ".so.") || ends_with(base, ".so"))
    return benign("libc-probe", generalise(dir, 3) + "/*.so", "the dynamic loader searches library directories");
  if (ctx.created.count(p))
    return benign("go-noise", pattern_of(ctx, p), "checked before it was created (the file is created later in the trace)");

  const Root* r = root_of(ctx, p);
  std::string rname = r ? r->name : "";
  if (rname == "GOCACHE") {
    if (trim_slash(p) == trim_slash(r->dir) || c.syscall == "mkdir" || c.syscall == "mkdirat")
      return problem("dir-missing", "GOCACHE " + r->dir, "$GOCACHE",
                     "the build cache GOCACHE " + r->dir + " is missing inside the sandbox",
                     "bind it (it is bound read-write by default when `go env GOCACHE` names it) or check go env", 10);
    return benign("go-noise", "$GOCACHE/XX/*", "build cache miss: the go command looks up an entry before building it");
  }
  if (rname == "GOMODCACHE") {
    if (ends_with(base, ".partial") || ends_with(base, ".lock") || ends_with(base, ".tmp"))
      return benign("go-probe", "$GOMODCACHE/**/*" + std::string(base.substr(base.rfind('.'))),
                    "the go command checks for an interrupted download (.partial) or a lock file; absent is normal");
    return problem("dir-missing", "GOMODCACHE " + r->dir, pattern_of(ctx, p, 3),
                   "module cache path missing inside the sandbox",
                   "bind it or check go env (a --bind over GOMODCACHE, a different GOMODCACHE/GOPATH outside?)", 10);
  }
  if (rname == "GOROOT") {
    if (base == "VERSION" || base == "VERSION.cache" || base == "go.env")
      return benign("go-probe", "$GOROOT/" + std::string(base), "the go command probes optional GOROOT files");
    return problem("dir-missing", "GOROOT " + r->dir, pattern_of(ctx, p, 3),
                   "GOROOT path missing inside the sandbox",
                   "check `go env GOROOT` and that the toolchain is bound read-only at the same path", 10);
  }
  if (rname == "WORKSPACE") {
    bool is_root = false;
    for (const auto& w : d.workspaces)
      if (trim_slash(p) == trim_slash(w)) is_root = true;
    if (is_root)
      return problem("dir-missing", "workspace " + p, "$WORKSPACE",
                     "the workspace " + p + " is not visible inside the sandbox",
                     "pass --workspace " + p + " (or run from inside it)", 20);
    Cls u;
    u.pattern = pattern_of(ctx, p);
    u.expl = "missing in the workspace (the workspace is bound as is: missing on the host too?)";
    return u;
  }
  if (rname == "GOPATH")
    return benign("go-probe", pattern_of(ctx, p), "GOPATH probe (src/, bin/): normal in module mode");
  if (rname == "HOME") {
    std::string rest = p.substr(std::min(p.size(), r->dir.size()));
    if (is_home_config_probe(rest))
      return benign("tool-probe", pattern_of(ctx, p), "optional per-user configuration file or cache");
    return problem("home-missing", "HOME " + r->dir, pattern_of(ctx, p),
                   "HOME is an empty private tmpfs inside the sandbox: " + p + " is not visible",
                   "bind what is needed with --ro-bind " + std::string(dirname(p)) + " (or --bind)", 3);
  }
  if (starts_with(p, "/tmp/") || p == "/tmp")
    return benign("go-noise", generalise(p, 1), "temporary file checked before use or after cleanup");
  Cls u;
  u.pattern = pattern_of(ctx, p);
  u.expl = "not found (outside the directories the sandbox binds)";
  return u;
}

std::string bind_root_for(const Ctx& ctx, const std::string& p) {
  const Root* r = root_of(ctx, p);
  if (!r) return "";
  if (std::string(r->name) == "WORKSPACE") {
    for (const auto& w : ctx.dirs->workspaces)
      if (under(p, w)) return "workspace " + w;
  }
  return std::string(r->name) + " " + r->dir;
}

Cls classify(const Call& c, const Ctx& ctx) {
  const std::string& s = c.syscall;
  const std::string& e = c.err;
  const std::string& p = c.path;
  const std::string fix_profile =
      "allow it in a custom profile (`gopls-sandbox profile generate --strace LOG --base gopls -o my.toml` or "
      "`gopls-sandbox learn`), then --profile my.toml; --profile none confirms the diagnosis";

  if (c.from_denial_log || (ctx.refused.count(s) && (e == "EPERM" || e == "ENOSYS" || e == "EACCES"))) {
    auto it = ctx.rule_of.find(s);
    std::string rule = it == ctx.rule_of.end() ? c.rule : it->second;
    return problem("seccomp", s, "", "the sandbox's seccomp profile refused " + s + (c.from_denial_log ? " (denial log)" : ""),
                   fix_profile, 100);
  }
  if (s == "rt_sigreturn")
    return benign("strace-artifact", "", "strace shows the interrupted call's result on rt_sigreturn");
  if (e == "EINTR" || starts_with(e, "ERESTART"))
    return benign("go-noise", "", "interrupted by a signal (Go's SIGURG preemption) and retried");
  if (s == "epoll_ctl" && e == "EPERM")
    return benign("go-noise", "", "Go's netpoller registers every file it opens; regular files are not pollable (EPERM)");
  if (s == "futex" && (e == "EAGAIN" || e == "ETIMEDOUT" || e == "EWOULDBLOCK"))
    return benign("go-noise", "", "futex value changed or wait timed out: normal scheduler behaviour");
  if (e == "EAGAIN" || e == "EWOULDBLOCK") {
    if (s == "clone" || s == "clone3" || s == "fork" || s == "vfork")
      return problem("limit", s, "", "the kernel refused a new thread or process (EAGAIN): a pids or RLIMIT_NPROC limit",
                     "raise the limit (ulimit -u, the cgroup pids.max) or reduce GOMAXPROCS/parallelism", 50);
    return benign("go-noise", "", "non-blocking I/O with nothing ready yet; the netpoller waits for readiness");
  }
  if (e == "ETIMEDOUT") {
    if (s == "connect")
      return problem("network", p.empty() ? "connect" : p, p, "connection timed out" + (p.empty() ? "" : " to " + p),
                     "use --share-net (GOPLS_SANDBOX_SHARE_NET=1) if the network is needed", 60);
    return benign("go-noise", "", "a wait with a timeout expired");
  }
  if (e == "ECHILD" && (s == "wait4" || s == "waitid"))
    return benign("go-noise", "", "no child left to wait for");
  if (e == "ENOTTY") return benign("go-noise", "", "terminal ioctl on something that is not a terminal");
  if (e == "EINVAL" && (s == "readlink" || s == "readlinkat"))
    return benign("go-noise", "", "readlink on a path that is not a symlink (path resolution, os.Executable)");
  if ((e == "EINVAL" || e == "EFAULT") &&
      (s == "prctl" || s == "seccomp" || s == "madvise" || s == "rseq" || s == "sched_getaffinity" || s == "ioctl" ||
       s == "capget" || s == "statx" || s == "membarrier"))
    return benign("probe", "", "feature probe: the caller checks what the kernel supports");
  if (e == "EEXIST" && (s == "mkdir" || s == "mkdirat" || s == "openat" || s == "open" || s == "symlink" ||
                        s == "symlinkat" || s == "link" || s == "linkat"))
    return benign("go-noise", "", "already exists (os.MkdirAll, exclusive create of a temporary name)");
  if ((e == "EISDIR" || e == "ENOTEMPTY" || e == "ENOTDIR") &&
      (s == "unlink" || s == "unlinkat" || s == "rmdir"))
    return benign("go-noise", "", "os.RemoveAll tries unlink before rmdir and the other way round");
  if (e == "EINPROGRESS" || e == "EALREADY") return benign("go-noise", "", "non-blocking connect in progress");
  if (e == "ESPIPE") return benign("go-noise", "", "seek on a pipe or socket");
  if ((e == "ENODATA" || e == "EOPNOTSUPP" || e == "ENOTSUP") && contains(s, "xattr"))
    return benign("probe", "", "extended attribute absent or unsupported");
  if (e == "EXDEV") return benign("go-noise", "", "rename across file systems; the caller copies instead");
  if (e == "ESRCH" && (s == "kill" || s == "tgkill" || s == "tkill" || s == "pidfd_send_signal"))
    return benign("go-noise", "", "signal to a process that already exited");
  if ((e == "EPIPE" || e == "ECONNRESET") && (s == "write" || s == "writev" || s == "sendmsg" || s == "sendto"))
    return benign("go-noise", "", "the peer closed the connection");
  if (e == "ENOSYS") {
    if (fallback_syscalls().count(s))
      return benign("probe", "", "newer syscall not available; the caller falls back to an older one");
    return problem("seccomp", s, "", s + " returned ENOSYS: refused by the sandbox profile (or unknown to this kernel)",
                   fix_profile, 80);
  }
  if (e == "EPERM") {
    bool ns_clone = (s == "clone" || s == "clone3") && contains(c.text, "CLONE_NEW");
    if (never_eperm().count(s) || ns_clone)
      return problem("seccomp", s, "", s + " failed with EPERM, which it does not do outside a sandbox: refused by the seccomp profile",
                     fix_profile, 100);
    if (!p.empty())
      return problem("permission", p, pattern_of(ctx, p), "operation not permitted on " + p,
                     "check ownership and mode of " + p + " on the host", 20);
    return Cls{};
  }
  if (e == "EROFS") {
    std::string root = bind_root_for(ctx, p);
    if (root.empty() && !p.empty() && p[0] != '/' && !ctx.dirs->workspaces.empty())
      root = "the working directory (workspace " + ctx.dirs->workspaces.front() + "?)";
    return problem("read-only", root.empty() ? p : root, pattern_of(ctx, p),
                   p + " is on a read-only mount inside the sandbox" + (root.empty() ? "" : " (" + root + ")"),
                   root.empty() ? "bind its directory read-write with --bind"
                                : "bind it read-write (drop --ro-bind, use --workspace/--bind)",
                   50);
  }
  if (e == "EACCES") {
    if (s == "execve" || s == "execveat")
      return problem("permission", p, pattern_of(ctx, p),
                     "cannot execute " + p + " (EACCES): not executable, or on a noexec mount",
                     "check the mode of " + p + " and that its mount allows exec", 30);
    return problem("permission", p, pattern_of(ctx, p),
                   "permission denied on " + p + " (EACCES): file mode/owner, or a read-only mount",
                   "check the owner and mode of " + p + " on the host (the sandbox maps only your uid)", 30);
  }
  if (e == "ELOOP") {
    std::string chain;
    if (ctx.chains) {
      auto it = ctx.chains->find(p);
      if (it != ctx.chains->end()) chain = it->second;
    }
    return problem("symlink-loop", p, p,
                   "symlink loop resolving " + p + " (ELOOP)" + (chain.empty() ? "" : ": " + chain),
                   "fix the symbolic links on the host (or the bind that makes a link point into itself)", 40);
  }
  if (e == "ECONNREFUSED")
    return problem("network", p.empty() ? "connect" : p, p,
                   "connection refused" + (p.empty() ? "" : " by " + p) +
                       ": nothing listens there inside the sandbox's private network namespace (host services are not reachable)",
                   "use --share-net (GOPLS_SANDBOX_SHARE_NET=1), or GOPROXY=off with a filled module cache", 60);
  if (e == "ENETUNREACH" || e == "EHOSTUNREACH" || e == "EADDRNOTAVAIL")
    return problem("network", p.empty() ? "connect" : p, p,
                   "no network inside the sandbox (" + e + (p.empty() ? "" : " connecting to " + p) + "): a private namespace with only lo",
                   "use --share-net (GOPLS_SANDBOX_SHARE_NET=1)", 60);
  if ((e == "ENOENT" || e == "ENOTDIR") && !p.empty()) return classify_enoent(c, ctx);
  return Cls{};
}

// ---- extracting calls from a trace ----

std::string connect_address(std::string_view args) {
  auto field = [&](std::string_view key) -> std::string {
    size_t i = args.find(key);
    if (i == std::string_view::npos) return "";
    i += key.size();
    size_t j = args.find_first_of("\")", i);
    if (j == std::string_view::npos) return "";
    return std::string(args.substr(i, j - i));
  };
  std::string un = field("sun_path=\"");
  if (!un.empty()) return un;
  if (args.find("sun_path=@\"") != std::string_view::npos) return "@" + field("sun_path=@\"");
  std::string port = field("port=htons(");
  std::string addr = field("inet_addr(\"");
  if (addr.empty()) {
    size_t i = args.find("inet_pton(AF_INET6, \"");
    if (i != std::string_view::npos) addr = "[" + field("inet_pton(AF_INET6, \"") + "]";
  }
  if (addr.empty()) return "";
  return port.empty() ? addr : addr + ":" + port;
}

std::string render(const strace::Event& ev) {
  std::string t(ev.name);
  t += "(" + clip(ev.args, 120) + ") = ";
  t += ev.ret_text.empty() ? "?" : std::string(ev.ret_text);
  if (!ev.err.empty()) t += " " + std::string(ev.err);
  return t;
}

std::string where_of(const strace::Trace& tr, const strace::Event& ev) {
  std::string src = ev.source < tr.sources().size() ? tr.sources()[ev.source] : "?";
  return src + ":" + std::to_string(ev.line);
}

const std::vector<std::string_view>& key_syscalls() {
  static const std::vector<std::string_view> v = {
      "execve", "execveat", "openat", "open", "mmap", "clone", "clone3", "fork", "vfork", "futex",
      "epoll_wait", "epoll_pwait", "epoll_pwait2", "connect", "accept", "accept4", "read", "write",
      "statx", "newfstatat", "stat", "lstat", "fstat", "fcntl", "brk", "mprotect", "exit_group",
      "wait4", "nanosleep", "getdents64", "pread64", "readlinkat", "readlink", "sched_yield"};
  return v;
}

double round6(double x) { return static_cast<double>(static_cast<int64_t>(x * 1e6 + (x >= 0 ? 0.5 : -0.5))) / 1e6; }

}  // namespace

const char* verdict_name(Verdict v) noexcept {
  switch (v) {
    case Verdict::Benign: return "benign";
    case Verdict::Problem: return "problem";
    case Verdict::Unclassified: return "unclassified";
  }
  return "unclassified";
}

bool under(std::string_view path, std::string_view dir) noexcept {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  if (dir.empty()) return false;
  if (dir == "/") return !path.empty() && path[0] == '/';
  if (path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

bool looks_like_denial_log(std::string_view text) noexcept {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  if (i >= text.size() || text[i] != '{') return false;
  size_t nl = text.find('\n', i);
  std::string_view first = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
  return first.find("\"syscall\"") != std::string_view::npos && first.find("\"errno") != std::string_view::npos;
}

Result<std::vector<Call>> calls_from_denial_log(std::string_view text, std::string_view source) {
  std::vector<Call> out;
  size_t pos = 0;
  uint32_t lineno = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    std::string where = std::string(source) + ":" + std::to_string(lineno);
    auto v = json::parse(line);
    if (!v) return Error::usage(where + ": not a denial log record: " + v.error().message);
    if (!v->is_object() || !(*v)["syscall"].is_string())
      return Error::usage(where + ": not a denial log record (no \"syscall\" field)");
    const json::Value& r = *v;
    if (r["action"].is_string() && r["action"].as_string() != "errno") continue;  // learn mode: allowed
    Call c;
    c.from_denial_log = true;
    c.syscall = r["syscall"].as_string();
    if (r["errno_name"].is_string() && !r["errno_name"].as_string().empty()) c.err = r["errno_name"].as_string();
    else c.err = errno_name(static_cast<int>(r["errno"].as_int(1)));
    if (r["path"].is_string()) c.path = r["path"].as_string();
    c.rule = r["rule"].as_string();
    c.comm = r["comm"].as_string();
    c.pid = static_cast<int>(r["pid"].as_int(0));
    c.count = r["count"].is_int() && r["count"].as_int() > 0 ? static_cast<uint64_t>(r["count"].as_int()) : 1;
    c.where = where;
    c.text = c.syscall + "(";
    const auto& args = r["args"].as_array();
    for (size_t i = 0; i < args.size() && i < 3; ++i) c.text += (i ? ", " : "") + args[i].as_string();
    c.text += ", ...) = -1 " + c.err + " [denied";
    if (!c.comm.empty()) c.text += ", comm " + c.comm;
    if (!c.rule.empty()) c.text += ", rule " + c.rule;
    c.text += "]";
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Call> calls_from_trace(const strace::Trace& tr) {
  std::vector<Call> out;
  // (pid, fd) → address of an in-progress non-blocking connect.
  std::map<std::pair<int, std::string>, std::string> pending;
  for (const auto& ev : tr.events()) {
    if (ev.name == "connect" && ev.err == "EINPROGRESS" && !ev.argv.empty()) {
      std::string fd(ev.argv[0]);
      size_t lt = fd.find('<');
      if (lt != std::string::npos) fd.resize(lt);
      pending[{ev.pid, fd}] = connect_address(ev.args);
    }
    // Non-blocking connect results arrive through getsockopt(fd, SOL_SOCKET, SO_ERROR, [ERR]).
    if (ev.name == "getsockopt" && !ev.failed() && ev.argv.size() >= 4 && ev.argv[2] == "SO_ERROR") {
      std::string_view v = ev.argv[3];
      std::string err;
      if (v.size() > 2 && v.front() == '[' && v.back() == ']') {
        std::string inner(v.substr(1, v.size() - 2));
        if (!inner.empty() && inner != "0") {
          if (inner[0] == 'E') err = inner;
          else if (std::isdigit(static_cast<unsigned char>(inner[0]))) err = errno_name(std::atoi(inner.c_str()));
        }
      }
      if (!err.empty()) {
        std::string fd(ev.argv[0]);
        size_t lt = fd.find('<');
        if (lt != std::string::npos) fd.resize(lt);
        Call c;
        c.pid = ev.pid;
        c.syscall = "connect";
        c.err = err;
        auto it = pending.find({ev.pid, fd});
        if (it != pending.end()) c.path = it->second;
        c.text = render(ev) + " (result of a non-blocking connect)";
        c.where = where_of(tr, ev);
        c.time = ev.time;
        out.push_back(std::move(c));
      }
      continue;
    }
    if (!ev.failed()) continue;
    Call c;
    c.pid = ev.pid;
    c.syscall = std::string(ev.name);
    c.err = std::string(ev.err);
    if (ev.name == "connect") {
      c.path = connect_address(ev.args);
    } else {
      auto ps = strace::paths(ev);
      if (!ps.empty()) {
        bool dest = ev.name == "rename" || ev.name == "renameat" || ev.name == "renameat2" || ev.name == "link" ||
                    ev.name == "linkat" || ev.name == "symlink" || ev.name == "symlinkat";
        c.path = dest ? ps.back() : ps.front();
      }
    }
    c.text = render(ev);
    c.where = where_of(tr, ev);
    c.time = ev.time;
    out.push_back(std::move(c));
  }
  return out;
}

bool trace_mentions(const strace::Trace& tr, std::string_view dir) {
  if (dir.empty()) return false;
  for (const auto& ev : tr.events()) {
    if (strace::path_arg_indices(ev.name).empty()) continue;
    for (const auto& p : strace::paths(ev))
      if (under(p, dir)) return true;
  }
  return false;
}

Dirs infer_dirs(const strace::Trace& tr) {
  std::map<std::string, int> goroot, modcache, gocache, ws, home;
  for (const auto& ev : tr.events()) {
    if (strace::path_arg_indices(ev.name).empty()) continue;
    for (const auto& p : strace::paths(ev)) {
      if (p.empty() || p[0] != '/') continue;
      size_t i;
      if ((i = p.find("/pkg/mod/")) != std::string::npos || ends_with(p, "/pkg/mod")) {
        if (i == std::string::npos) i = p.size() - 8;
        modcache[p.substr(0, i + 8)]++;
      } else if ((i = p.find("/pkg/tool/")) != std::string::npos) {
        goroot[p.substr(0, i)]++;
      } else if ((i = p.find("/src/runtime/")) != std::string::npos) {
        goroot[p.substr(0, i)]++;
      } else if ((i = p.find("/go-build/")) != std::string::npos || ends_with(p, "/go-build")) {
        if (i == std::string::npos) i = p.size() - 9;
        gocache[p.substr(0, i + 9)]++;
      }
      if (!ev.failed() && basename(p) == "go.mod" && p.find("/pkg/mod/") == std::string::npos)
        ws[std::string(dirname(p))]++;
      if (starts_with(p, "/home/")) {
        size_t j = p.find('/', 6);
        home[j == std::string::npos ? p : p.substr(0, j)]++;
      } else if (under(p, "/root")) {
        home["/root"]++;
      }
    }
  }
  auto best = [](const std::map<std::string, int>& m) {
    std::string b;
    int n = 0;
    for (const auto& [k, v] : m)
      if (v > n) b = k, n = v;
    return b;
  };
  Dirs d;
  d.goroot = best(goroot);
  d.gomodcache = best(modcache);
  d.gocache = best(gocache);
  d.home = best(home);
  if (ends_with(d.gomodcache, "/pkg/mod")) d.gopath = d.gomodcache.substr(0, d.gomodcache.size() - 8);
  for (const auto& [k, v] : ws) {
    (void)v;
    if (!d.goroot.empty() && under(k, d.goroot)) continue;
    if (!d.gomodcache.empty() && under(k, d.gomodcache)) continue;
    d.workspaces.push_back(k);
  }
  return d;
}

namespace {

// What classification needs to know beyond one call: the directories (most specific first),
// what the trace created and ran, and what the denial logs say was refused.
Ctx make_context(const strace::Trace& tr, const std::vector<Call>& denials, const Dirs& dirs, const Options& opts) {
  Ctx ctx;
  ctx.dirs = &dirs;
  ctx.share_net = opts.share_net;
  ctx.chains = &opts.symlink_chains;
  // Most specific roots first: GOMODCACHE and GOCACHE usually sit under GOPATH or HOME.
  if (!dirs.gomodcache.empty()) ctx.roots.push_back({"GOMODCACHE", trim_slash(dirs.gomodcache)});
  if (!dirs.gocache.empty()) ctx.roots.push_back({"GOCACHE", trim_slash(dirs.gocache)});
  if (!dirs.goroot.empty()) ctx.roots.push_back({"GOROOT", trim_slash(dirs.goroot)});
  for (const auto& w : dirs.workspaces)
    if (!w.empty()) ctx.roots.push_back({"WORKSPACE", trim_slash(w)});
  if (!dirs.gopath.empty()) ctx.roots.push_back({"GOPATH", trim_slash(dirs.gopath)});
  if (!dirs.home.empty()) ctx.roots.push_back({"HOME", trim_slash(dirs.home)});
  std::stable_sort(ctx.roots.begin(), ctx.roots.end(),
                   [](const Root& a, const Root& b) { return a.dir.size() > b.dir.size(); });

  for (const auto& ev : tr.events()) {
    if (ev.failed()) continue;
    if (ev.name == "execve" || ev.name == "execveat") {
      for (const auto& p : strace::paths(ev)) ctx.exec_names.insert(std::string(basename(p)));
    } else if (ev.name == "mkdir" || ev.name == "mkdirat" || ev.name == "rename" || ev.name == "renameat" ||
               ev.name == "renameat2" || ev.name == "link" || ev.name == "linkat" || ev.name == "symlink" ||
               ev.name == "symlinkat" || ev.name == "creat" ||
               ((ev.name == "openat" || ev.name == "open") && contains(ev.args, "O_CREAT"))) {
      auto ps = strace::paths(ev);
      if (!ps.empty()) ctx.created.insert(ps.back());
    }
  }
  for (const auto& d : denials) {
    ctx.refused.insert(d.syscall);
    if (!d.rule.empty()) ctx.rule_of.emplace(d.syscall, d.rule);
  }

  return ctx;
}

// The failing calls (trace and denial logs), classified and grouped by (syscall, errno, pattern).
void group_calls(const strace::Trace& tr, const std::vector<Call>& denials, const Ctx& ctx, Report& rep) {
  std::vector<Call> calls = calls_from_trace(tr);
  // A refusal seen in both the trace and a denial log is one call: the log adds only its rule.
  std::set<std::pair<std::string, std::string>> traced;
  for (const auto& c : calls) traced.insert({c.syscall, c.err});
  for (const auto& d : denials)
    if (!traced.count({d.syscall, d.err})) calls.push_back(d);

  std::map<std::string, size_t> index;  // group key → groups position
  for (const auto& c : calls) {
    Cls k = classify(c, ctx);
    if (k.pattern.empty() && !c.path.empty() && k.v != Verdict::Benign) k.pattern = pattern_of(ctx, c.path);
    std::string key = c.syscall + '\0' + c.err + '\0' + k.pattern;
    auto [it, fresh] = index.emplace(key, rep.groups.size());
    if (fresh) {
      Group g;
      g.syscall = c.syscall;
      g.err = c.err;
      g.pattern = k.pattern;
      g.verdict = k.v;
      g.cls = k.cls;
      g.subject = k.subject;
      g.explanation = k.expl;
      g.fix = k.fix;
      g.weight = k.weight;
      g.path = c.path;
      rep.groups.push_back(std::move(g));
    }
    Group& g = rep.groups[it->second];
    g.count += c.count;
    if (g.rule.empty() && !c.rule.empty()) g.rule = c.rule;
    if (g.rule.empty() && ctx.rule_of.count(c.syscall)) g.rule = ctx.rule_of.at(c.syscall);
    if (g.examples.size() < 3) g.examples.push_back(c.where + ": " + c.text);
    rep.failing += c.count;
    switch (g.verdict) {
      case Verdict::Benign: rep.benign += c.count; break;
      case Verdict::Problem: rep.problems += c.count; break;
      case Verdict::Unclassified: rep.unclassified += c.count; break;
    }
  }
}

// Problems first (by weighted count), then unclassified, then benign.
void rank_groups(Report& rep) {
  auto rank = [](const Group& g) { return g.verdict == Verdict::Problem ? 0 : g.verdict == Verdict::Unclassified ? 1 : 2; };
  std::stable_sort(rep.groups.begin(), rep.groups.end(), [&](const Group& a, const Group& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    uint64_t sa = a.count * static_cast<uint64_t>(std::max(a.weight, 1));
    uint64_t sb = b.count * static_cast<uint64_t>(std::max(b.weight, 1));
    if (sa != sb) return sa > sb;
    return a.count > b.count;
  });

}

// The report's first line: the most likely cause, or why nothing is wrong.
void write_headline(Report& rep) {
  // The most likely cause: the (class, subject) with the highest weighted count.
  struct Bucket {
    uint64_t score = 0, count = 0;
    std::map<std::string, uint64_t> by_err;
    const Group* first = nullptr;
    std::string shallowest;  // for dir-missing: the shortest failing path
  };
  std::map<std::pair<std::string, std::string>, Bucket> buckets;
  for (const auto& g : rep.groups) {
    if (g.verdict != Verdict::Problem) continue;
    Bucket& b = buckets[{g.cls, g.subject}];
    b.score += g.count * static_cast<uint64_t>(std::max(g.weight, 1));
    b.count += g.count;
    b.by_err[g.err] += g.count;
    if (!b.first) b.first = &g;
    if (!g.path.empty() && (b.shallowest.empty() || g.path.size() < b.shallowest.size())) b.shallowest = g.path;
  }
  const Bucket* top = nullptr;
  std::pair<std::string, std::string> top_key;
  for (const auto& [k, b] : buckets)
    if (!top || b.score > top->score) top = &b, top_key = k;

  if (!top) {
    rep.problem = false;
    if (rep.failing == 0) rep.headline = "nothing wrong: no failing calls";
    else if (rep.unclassified == 0)
      rep.headline = "nothing wrong: " + num(rep.failing) + " failing calls, all known benign noise of Go programs";
    else
      rep.headline = "nothing wrong found: " + num(rep.failing) + " failing calls, " + num(rep.benign) +
                     " known benign noise of Go programs, " + num(rep.unclassified) + " unclassified (listed below)";
  } else {
    rep.problem = true;
    const Group& g = *top->first;
    const std::string& cls = top_key.first;
    const std::string& subj = top_key.second;
    std::string errs;
    for (const auto& [e, n] : top->by_err) errs += (errs.empty() ? "" : ", ") + num(n) + " " + e;
    std::string h = "most likely cause: ";
    if (cls == "dir-missing") {
      h += subj + " is not visible inside the sandbox (" + errs + " under it, e.g. " + top->shallowest + "); " + g.fix;
    } else if (cls == "seccomp") {
      h += "the sandbox profile refuses " + subj + " (" + errs + (g.rule.empty() ? "" : ", rule " + g.rule) +
           "); " + g.fix;
    } else if (cls == "read-only") {
      h += subj + " is read-only inside the sandbox (" + errs + ", e.g. " + g.path + "); " + g.fix;
    } else if (cls == "network" || cls == "dns") {
      h += g.explanation + " (" + errs + "); " + g.fix;
    } else if (cls == "symlink-loop") {
      h += g.explanation + "; " + g.fix;
    } else {
      h += g.explanation + " (" + errs + "); " + g.fix;
    }
    rep.headline = h;
  }

}

// Per process: when the key syscalls ran (only with timestamps); the busiest processes.
void build_timeline(const strace::Trace& tr, const Options& opts, Report& rep) {
  // Timeline.
  std::optional<double> t0;
  for (const auto& ev : tr.events())
    if (ev.time && (!t0 || *ev.time < *t0)) t0 = ev.time;
  if (t0) {
    std::map<int, ProcessTimeline> procs;
    std::map<int, std::map<std::string, TimelineRow>> rows;
    const auto& keys = key_syscalls();
    for (const auto& ev : tr.events()) {
      if (!ev.time) continue;
      double t = *ev.time - *t0;
      ProcessTimeline& p = procs[ev.pid];
      if (p.events == 0) p.pid = ev.pid, p.first = t;
      p.first = std::min(p.first, t);
      p.last = std::max(p.last, t + ev.duration.value_or(0));
      ++p.events;
      if ((ev.name == "execve" || ev.name == "execveat") && !ev.failed()) {
        auto ps = strace::paths(ev);
        if (!ps.empty()) p.exe = ps.front();
      }
      if (std::find(keys.begin(), keys.end(), ev.name) == keys.end()) continue;
      TimelineRow& r = rows[ev.pid][std::string(ev.name)];
      if (r.count == 0) r.syscall = std::string(ev.name), r.first = t;
      r.first = std::min(r.first, t);
      r.last = std::max(r.last, t);
      ++r.count;
      r.total += ev.duration.value_or(0);
    }
    std::vector<ProcessTimeline> all;
    for (auto& [pid, p] : procs) {
      for (auto& [n, r] : rows[pid]) {
        r.first = round6(r.first), r.last = round6(r.last), r.total = round6(r.total);
        p.rows.push_back(r);
      }
      std::sort(p.rows.begin(), p.rows.end(), [](const TimelineRow& a, const TimelineRow& b) {
        return a.first != b.first ? a.first < b.first : a.syscall < b.syscall;
      });
      p.first = round6(p.first), p.last = round6(p.last);
      all.push_back(std::move(p));
    }
    // Keep the busiest processes, shown in start order.
    if (all.size() > opts.max_timeline_processes) {
      std::vector<ProcessTimeline> by_size = all;
      std::stable_sort(by_size.begin(), by_size.end(),
                       [](const ProcessTimeline& a, const ProcessTimeline& b) { return a.events > b.events; });
      std::set<int> keep;
      for (size_t i = 0; i < opts.max_timeline_processes; ++i) keep.insert(by_size[i].pid);
      rep.timeline_omitted = all.size() - keep.size();
      std::erase_if(all, [&](const ProcessTimeline& p) { return !keep.count(p.pid); });
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const ProcessTimeline& a, const ProcessTimeline& b) { return a.first < b.first; });
    TimelineRow* slow = nullptr;
    for (auto& p : all)
      for (auto& r : p.rows)
        if (r.total > 0 && (!slow || r.total > slow->total)) slow = &r;
    if (slow) slow->slowest = true;
    rep.timeline = std::move(all);
  }
}

}  // namespace

Report diagnose(const strace::Trace& tr, const std::vector<Call>& denials, const Dirs& dirs, const Options& opts) {
  Report rep;
  rep.dirs = dirs;
  const Ctx ctx = make_context(tr, denials, dirs, opts);
  group_calls(tr, denials, ctx, rep);
  rank_groups(rep);
  write_headline(rep);
  build_timeline(tr, opts, rep);
  return rep;
}

std::string to_text(const Report& r, bool verbose) {
  std::string out = r.headline + "\n";
  char buf[512];
  std::snprintf(buf, sizeof buf, "\n%llu failing calls: %llu problem, %llu unclassified, %llu benign\n",
                static_cast<unsigned long long>(r.failing), static_cast<unsigned long long>(r.problems),
                static_cast<unsigned long long>(r.unclassified), static_cast<unsigned long long>(r.benign));
  out += buf;
  auto dir = [&](const char* n, const std::string& v) {
    if (!v.empty()) out += std::string("  ") + n + " " + v + "\n";
  };
  out += "directories:\n";
  dir("GOROOT    ", r.dirs.goroot);
  dir("GOMODCACHE", r.dirs.gomodcache);
  dir("GOCACHE   ", r.dirs.gocache);
  dir("GOPATH    ", r.dirs.gopath);
  dir("HOME      ", r.dirs.home);
  for (const auto& w : r.dirs.workspaces) dir("workspace ", w);

  const char* section = nullptr;
  size_t benign_shown = 0;
  for (const auto& g : r.groups) {
    const char* s = g.verdict == Verdict::Problem ? "problems" : g.verdict == Verdict::Unclassified ? "unclassified" : "benign (known noise of Go programs)";
    if (s != section) {
      out += std::string("\n") + s + ":\n";
      section = s;
    }
    if (g.verdict == Verdict::Benign && !verbose && ++benign_shown > 15) {
      if (benign_shown == 16) out += "  … (more benign groups; -v shows all)\n";
      continue;
    }
    std::snprintf(buf, sizeof buf, "  %6llu  %s %s", static_cast<unsigned long long>(g.count), g.syscall.c_str(),
                  g.err.c_str());
    out += buf;
    if (!g.pattern.empty()) out += "  " + g.pattern;
    out += "\n";
    if (!g.explanation.empty()) out += "          " + g.explanation + "\n";
    if (g.verdict == Verdict::Problem) {
      if (!g.rule.empty()) out += "          rule: " + g.rule + "\n";
      if (!g.fix.empty()) out += "          fix: " + g.fix + "\n";
    }
    if (g.verdict != Verdict::Benign || verbose)
      for (size_t i = 0; i < g.examples.size() && i < (verbose ? 3u : 1u); ++i)
        out += "          e.g. " + clip(g.examples[i], 220) + "\n";
  }
  if (!r.timeline.empty()) {
    out += "\ntimeline (seconds from the first timestamp; total = sum of -T durations):\n";
    for (const auto& p : r.timeline) {
      std::snprintf(buf, sizeof buf, "  pid %d %s  %.3f–%.3f s, %llu calls\n", p.pid,
                    p.exe.empty() ? "(no execve)" : p.exe.c_str(), p.first, p.last,
                    static_cast<unsigned long long>(p.events));
      out += buf;
      for (const auto& row : p.rows) {
        std::snprintf(buf, sizeof buf, "    %-12s %7llu  first %9.6f  last %9.6f  total %9.6f%s\n", row.syscall.c_str(),
                      static_cast<unsigned long long>(row.count), row.first, row.last, row.total,
                      row.slowest ? "  <- slowest" : "");
        out += buf;
      }
    }
    if (r.timeline_omitted)
      out += "  (" + num(r.timeline_omitted) + " smaller processes not shown)\n";
  }
  return out;
}

json::Value to_json(const Report& r) {
  json::Value v;
  v.set("cause", r.headline);
  v.set("problem", r.problem);
  json::Value counts;
  counts.set("failing", r.failing);
  counts.set("problem", r.problems);
  counts.set("unclassified", r.unclassified);
  counts.set("benign", r.benign);
  v.set("counts", std::move(counts));
  json::Value d;
  d.set("goroot", r.dirs.goroot);
  d.set("gomodcache", r.dirs.gomodcache);
  d.set("gocache", r.dirs.gocache);
  d.set("gopath", r.dirs.gopath);
  d.set("home", r.dirs.home);
  d.set("workspaces", json::string_array(r.dirs.workspaces));
  v.set("dirs", std::move(d));
  json::Value groups;
  groups.array();
  for (const auto& g : r.groups) {
    json::Value o;
    o.set("syscall", g.syscall);
    o.set("errno", g.err);
    o.set("pattern", g.pattern);
    o.set("count", g.count);
    o.set("verdict", verdict_name(g.verdict));
    o.set("class", g.cls);
    if (!g.subject.empty()) o.set("subject", g.subject);
    o.set("explanation", g.explanation);
    if (!g.fix.empty()) o.set("fix", g.fix);
    if (!g.rule.empty()) o.set("rule", g.rule);
    o.set("examples", json::string_array(g.examples));
    groups.push(std::move(o));
  }
  v.set("groups", std::move(groups));
  json::Value tl;
  tl.array();
  for (const auto& p : r.timeline) {
    json::Value o;
    o.set("pid", p.pid);
    o.set("exe", p.exe);
    o.set("first", p.first);
    o.set("last", p.last);
    o.set("calls", p.events);
    json::Value rows;
    rows.array();
    for (const auto& row : p.rows) {
      json::Value x;
      x.set("syscall", row.syscall);
      x.set("count", row.count);
      x.set("first", row.first);
      x.set("last", row.last);
      x.set("total", row.total);
      if (row.slowest) x.set("slowest", true);
      rows.push(std::move(x));
    }
    o.set("syscalls", std::move(rows));
    tl.push(std::move(o));
  }
  v.set("timeline", std::move(tl));
  if (r.timeline_omitted) v.set("timeline_omitted", r.timeline_omitted);
  return v;
}

}  // namespace gsb::core::diagnose
