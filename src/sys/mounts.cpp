#include "gopls_sandbox/sys/mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "gopls_sandbox/sys/mount_api.hpp"
#include "gopls_sandbox/sys/overlay.hpp"

namespace gsb::sys {

namespace {

using namespace mount_api;

int set_attrs(const std::string& path, unsigned attrs, bool recursive) {
#ifdef SYS_mount_setattr
  MountAttr a{attrs, 0, 0, 0};
  if (::syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), recursive ? kAtRecursive : 0u, &a, sizeof a) == 0)
    return 0;
  if (errno != ENOSYS) return errno;
#endif
  // Pre-5.12 kernels: remount this mount (not its children), keeping the flags the kernel
  // locks in a user namespace (nosuid, nodev, noexec, atime).
  struct statvfs sv;
  if (::statvfs(path.c_str(), &sv) != 0) return errno;
  unsigned long fl = MS_REMOUNT | MS_BIND;
  if (sv.f_flag & ST_NOSUID) fl |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) fl |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) fl |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) fl |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) fl |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) fl |= MS_RELATIME;
  if (sv.f_flag & ST_RDONLY) fl |= MS_RDONLY;
  if (attrs & kAttrRdonly) fl |= MS_RDONLY;
  if (attrs & kAttrNosuid) fl |= MS_NOSUID;
  if (attrs & kAttrNodev) fl |= MS_NODEV;
  if (attrs & kAttrNoexec) fl |= MS_NOEXEC;
  if (::mount(nullptr, path.c_str(), nullptr, fl, nullptr) != 0) return errno;
  return 0;
}

// Directories known to exist in the new root (created or seen by us), so that building ~40 mount
// points does not re-create every ancestor: on this kind of machine a syscall costs a microsecond
// or more. A mount at X hides what was under X: entries below it are forgotten.
std::vector<std::string>& known_dirs() {
  static std::vector<std::string> v;
  return v;
}
bool is_known(std::string_view p) {
  for (const auto& d : known_dirs())
    if (d == p) return true;
  return false;
}
void forget_under(const std::string& mount_point) {
  auto& v = known_dirs();
  std::erase_if(v, [&](const std::string& d) {
    return d.size() > mount_point.size() && d.compare(0, mount_point.size(), mount_point) == 0 &&
           d[mount_point.size()] == '/';
  });
}

int mkdir_p(const std::string& path, mode_t mode) {
  if (is_known(path)) return 0;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string_view cur(path.data(), i);
    if (is_known(cur)) continue;
    std::string c(cur);
    if (::mkdir(c.c_str(), mode) == 0) {
      known_dirs().push_back(std::move(c));  // only what we made: an existing name may be a symlink
    } else if (errno != EEXIST) {
      return errno;
    }
  }
  return 0;
}

std::string parent_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == 0 || s == std::string::npos ? std::string("/") : p.substr(0, s);
}

std::string shown(const std::string& p) {  // the path as the sandbox will see it
  size_t n = std::strlen(kNewRoot);
  if (p.compare(0, n, kNewRoot) == 0) return p.size() == n ? std::string("/") : p.substr(n);
  return p;
}

int create_mount_point(const std::string& dst, bool file, std::string& what) {
  what = "mkdir " + shown(dst);
  if (int e = mkdir_p(parent_of(dst), 0755)) return e;
  if (!file) {
    if (is_known(dst)) return 0;
    if (::mkdir(dst.c_str(), 0755) == 0) known_dirs().push_back(dst);
    else if (errno != EEXIST) return errno;
    return 0;
  }
  what = "create " + shown(dst);
  // An empty regular file in one call (mknod of S_IFREG needs no privilege).
  if (::mknod(dst.c_str(), S_IFREG | 0644, 0) == 0) return 0;
  if (errno != EEXIST) return errno;
  struct stat st;  // never mount over (through) a symlink that is already there
  if (::lstat(dst.c_str(), &st) != 0) return errno;
  return S_ISLNK(st.st_mode) ? ELOOP : 0;
}

std::string inside(const std::string& p) { return p == "/" ? std::string(kNewRoot) : kNewRoot + p; }
std::string host(const std::string& p) { return kOldRoot + p; }

// An O_PATH descriptor for `path`; with no_symlinks, no component may be a symbolic link
// (RESOLVE_NO_SYMLINKS). -errno; -ENOSYS when the kernel lacks openat2 (before 5.6).
int open_nofollow(const std::string& path, bool no_symlinks) {
  struct {
    unsigned long long flags, mode, resolve;
  } how{O_PATH | O_CLOEXEC, 0, no_symlinks ? 0x04ull /* RESOLVE_NO_SYMLINKS */ : 0ull};
  long fd = ::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

// Kernels without the new mount API (before 5.2/5.6/5.12): mount(2) by path, then the flags.
int legacy_bind(const core::MountOp& op, core::MountKind kind, const std::string& src, const std::string& dst, bool file,
                unsigned attrs, bool rec, std::string& what) {
  what = "bind " + op.src + " -> " + op.dst + ": mount";
  if (::mount(src.c_str(), dst.c_str(), nullptr, MS_BIND | (rec ? MS_REC : 0), nullptr) != 0) return errno;
  if (!file) forget_under(dst);
  (void)kind;
  what = "bind " + op.src + " -> " + op.dst + ": mount_setattr";
  return set_attrs(dst, attrs, rec);
}

// Bind host src at dst: recursive (except device nodes), then nosuid/nodev/ro as the kind says.
int bind_mount(const core::MountOp& op, core::MountKind kind, const std::string& dst, std::string& what) {
  using core::MountKind;
  const std::string src = host(op.src);
  // The plan says what the source is (file or directory, probed on the host); an optional
  // source is looked at again, so that a vanished one leaves no empty mount point behind.
  bool file = op.is_file || kind == MountKind::DevBind;
  if (op.optional) {
    struct stat st;
    what = "stat " + op.src;
    if (::stat(src.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return -1;
      return errno;
    }
    file = !S_ISDIR(st.st_mode);
  }
  if (int e = create_mount_point(dst, file, what)) return e;
  unsigned attrs = kAttrNosuid;
  if (kind != MountKind::DevBind) attrs |= kAttrNodev;
  if (kind == MountKind::RoBind) attrs |= kAttrRdonly;
  if (op.noexec) attrs |= kAttrNoexec;
  const bool rec = kind != MountKind::DevBind;
  // Both ends by descriptor, no symlink followed on the way to the mount point (and none to a
  // source inside a workspace, whose real path the plan already resolved): another sandbox on the
  // same workspace could swap a directory for a link between the plan and this mount, and a
  // mount through it would land on (or come from) whatever the link names. The copy of the tree
  // gets its flags while still detached, so they cannot end up on another path either.
  const bool strict_src = op.why.rfind("workspace", 0) == 0;
  what = "bind " + op.src + " -> " + op.dst + ": open";
  int sfd = open_nofollow(src, strict_src);
  if (sfd == -ENOSYS) return legacy_bind(op, kind, src, dst, file, attrs, rec, what);
  if (sfd < 0) return -sfd;
  int dfd = open_nofollow(dst, true);
  if (dfd < 0) {
    ::close(sfd);
    return -dfd;
  }
  what = "bind " + op.src + " -> " + op.dst + ": open_tree";
  long tfd = ::syscall(SYS_open_tree, sfd, "", kOpenTreeClone | O_CLOEXEC | AT_EMPTY_PATH | (rec ? kAtRecursive : 0u));
  int e = tfd < 0 ? errno : 0;
  ::close(sfd);
  if (e == 0) {
    MountAttr a{attrs, 0, 0, 0};
    what = "bind " + op.src + " -> " + op.dst + ": mount_setattr";
    if (::syscall(SYS_mount_setattr, static_cast<int>(tfd), "", AT_EMPTY_PATH | (rec ? kAtRecursive : 0u), &a, sizeof a) != 0)
      e = errno;
  }
  if (e == 0) {
    what = "bind " + op.src + " -> " + op.dst + ": move_mount";
    if (::syscall(SYS_move_mount, static_cast<int>(tfd), "", dfd, "", kMoveMountFEmptyPath | kMoveMountTEmptyPath) != 0)
      e = errno;
  }
  if (tfd >= 0) ::close(static_cast<int>(tfd));
  ::close(dfd);
  if (e == ENOSYS) return legacy_bind(op, kind, src, dst, file, attrs, rec, what);
  if (e == 0 && !file) forget_under(dst);
  return e;
}

constexpr off_t kMaxCopy = 1 << 20;

// Copy a small regular host file into the new root (whose tmpfs is sealed read-only later).
// Returns -2 when the file should be bound instead (not small, not regular, not readable).
int copy_file(const core::MountOp& op, const std::string& dst, std::string& what) {
  const std::string src = host(op.src);
  what = "open " + op.src;
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (in < 0) {
    if (op.optional && (errno == ENOENT || errno == ENOTDIR)) return -1;
    return -2;
  }
  struct stat st;
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxCopy) {
    ::close(in);
    return -2;
  }
  what = "mkdir " + parent_of(op.dst);
  if (int e = mkdir_p(parent_of(dst), 0755)) {
    ::close(in);
    return e;
  }
  what = "copy " + op.src + " -> " + op.dst;
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, st.st_mode & 0777);
  if (out < 0) {
    int e = errno;
    ::close(in);
    return e;
  }
  int e = 0;
  for (off_t left = st.st_size; left > 0;) {  // usually one call
    ssize_t n = ::sendfile(out, in, nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) e = errno;
    if (n <= 0) break;
    left -= n;
  }
  ::close(in);
  if (::close(out) != 0 && !e) e = errno;
  return e;
}

// Issue 12: the overlay the kernel refused last (its errno and message), for the launcher.
int g_cache_fallback_err = 0;
std::string g_cache_fallback_detail;

// A Go cache: the overlay, or the domain's private directory when the plan says so (no lower) or
// the kernel refuses the overlay — never the host's own cache.
int cache_mount(const core::MountOp& op, const std::string& dst, std::string& what) {
  if (!op.src.empty()) {
    if (int e = create_mount_point(dst, false, what)) return e;
    what = "overlay " + op.dst;
    std::string detail;
    int e = mount_overlay(host(op.src), host(op.upper), host(op.work), dst, detail);
    if (e == 0) {
      forget_under(dst);
      return 0;
    }
    g_cache_fallback_err = e;
    g_cache_fallback_detail = "overlay " + op.dst + ": " + detail;
  }
  core::MountOp b = op;
  b.kind = core::MountKind::Bind;
  b.src = op.fallback;
  b.is_file = false;
  b.optional = false;
  return bind_mount(b, core::MountKind::Bind, dst, what);
}

}  // namespace

int take_cache_fallback(std::string& detail) noexcept {
  int e = g_cache_fallback_err;
  detail = std::move(g_cache_fallback_detail);
  g_cache_fallback_err = 0;
  g_cache_fallback_detail.clear();
  return e;
}

int begin_new_root(std::string& what) noexcept {
  // Nothing we do may propagate back to the host.
  what = "mount --make-rprivate /";
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  // A scratch tmpfs becomes the root; the host root stays reachable at /oldroot.
  what = "mount tmpfs /tmp";
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) return errno;
  what = "chdir /tmp";
  if (::chdir("/tmp") != 0) return errno;
  what = "mkdir /tmp/oldroot";
  if (::mkdir("oldroot", 0755) != 0) return errno;
  what = "mkdir /tmp/newroot";
  if (::mkdir("newroot", 0755) != 0) return errno;
  what = "pivot_root /tmp /tmp/oldroot";
  if (::syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") != 0) return errno;
  what = "chdir /";
  if (::chdir("/") != 0) return errno;
  what = "mount tmpfs /newroot";
  if (::mount("tmpfs", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) return errno;
  known_dirs().assign({"/", kNewRoot});
  return 0;
}

int apply_mount(const core::MountOp& op, std::string& what) noexcept {
  using core::MountKind;
  const std::string dst = inside(op.dst);
  switch (op.kind) {
    case MountKind::Dir:
      what = "mkdir " + op.dst;
      return mkdir_p(dst, op.mode);
    case MountKind::Symlink: {
      what = "mkdir " + parent_of(op.dst);
      if (int e = mkdir_p(parent_of(dst), 0755)) return e;
      what = "symlink " + op.src + " -> " + op.dst;
      if (::symlink(op.src.c_str(), dst.c_str()) != 0) return errno;
      return 0;
    }
    case MountKind::Tmpfs: {
      if (int e = create_mount_point(dst, false, what)) return e;
      char opts[32];
      std::snprintf(opts, sizeof opts, "mode=%04o", op.mode);
      what = "mount tmpfs " + op.dst;
      if (::mount("tmpfs", dst.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | (op.noexec ? MS_NOEXEC : 0), opts) != 0) return errno;
      forget_under(dst);
      return 0;
    }
    case MountKind::Proc: {
      if (int e = create_mount_point(dst, false, what)) return e;
      what = "mount proc " + op.dst;
      if (::mount("proc", dst.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) return errno;
      // Global kernel knobs stay read-only: started by root, the sandbox's uid 0 *is* the host's
      // uid 0, and file permissions alone would let it write sysctls or /proc/sysrq-trigger.
      for (const char* sub : {"sys", "sysrq-trigger", "irq", "bus"}) {
        std::string p = dst + "/" + sub;
        what = "protect " + op.dst + "/" + sub + ": bind";
        if (::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
          if (errno == ENOENT) continue;  // not in this kernel's procfs
          return errno;
        }
        what = "protect " + op.dst + "/" + sub + ": mount_setattr";
        if (int e = set_attrs(p, kAttrRdonly | kAttrNosuid | kAttrNodev, true)) return e;
      }
      return 0;
    }
    case MountKind::Bind:
    case MountKind::RoBind:
    case MountKind::DevBind:
      return bind_mount(op, op.kind, dst, what);
    case MountKind::Copy: {
      int r = copy_file(op, dst, what);
      return r == -2 ? bind_mount(op, MountKind::RoBind, dst, what) : r;
    }
    case MountKind::Overlay:
      return cache_mount(op, dst, what);
    case MountKind::RemountRo:
      what = "remount-ro " + op.dst;
      return set_attrs(dst, kAttrRdonly, false);
    case MountKind::Pin:
      what = "pin " + op.dst + " (bind onto itself)";
      if (::mount(dst.c_str(), dst.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return errno;
      return 0;
  }
  return EINVAL;
}

int finish_new_root(std::string& what) noexcept {
  // Make /newroot the root with pivot_root(".", ".") and detach the old one stacked underneath,
  // together with the host root below it at /oldroot: one lazy unmount of the whole tree (each
  // unmount waits for an RCU grace period, so one is measurably cheaper than two). Everything is
  // private since begin_new_root(), so nothing propagates to the host.
  int oldroot = ::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  what = "open /";
  if (oldroot < 0) return errno;
  int e = 0;
  what = "chdir /newroot";
  if (::chdir(kNewRoot) != 0) e = errno;
  what = "pivot_root /newroot";
  if (!e && ::syscall(SYS_pivot_root, ".", ".") != 0) e = errno;
  what = "fchdir old root";
  if (!e && ::fchdir(oldroot) != 0) e = errno;
  what = "umount old root";
  if (!e && ::umount2(".", MNT_DETACH) != 0) e = errno;
  ::close(oldroot);
  what = "chdir /";
  if (!e && ::chdir("/") != 0) e = errno;
  return e;
}

}  // namespace gsb::sys
