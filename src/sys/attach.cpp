// Issue 13.2: attaching a workspace folder to a running sandbox (see attach.hpp).
#include "gopls_sandbox/sys/attach.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gopls_sandbox/sys/mount_api.hpp"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

namespace gsb::sys {

namespace {

using namespace mount_api;

constexpr uint64_t kResolveNoXdev = 0x01, kResolveNoSymlinks = 0x04, kResolveBeneath = 0x08;
constexpr long kTmpfsMagic = 0x01021994;

// One result on the helper's pipe.
struct Record {
  int32_t index;
  int32_t err;
  char what[600];
};

int open_path(int dirfd, const std::string& path, uint64_t resolve) {
  struct {
    unsigned long long flags, mode, resolve;
  } how{O_PATH | O_DIRECTORY | O_CLOEXEC, 0, resolve};
  long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

int clone_tree(int fd, bool recursive) {
  long t = ::syscall(SYS_open_tree, fd, "", kOpenTreeClone | O_CLOEXEC | AT_EMPTY_PATH | (recursive ? kAtRecursive : 0u));
  return t < 0 ? -errno : static_cast<int>(t);
}

int set_attr(int fd, unsigned set, unsigned clr, bool recursive) {
  MountAttr a{set, clr, 0, 0};
  if (::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? kAtRecursive : 0u), &a, sizeof a) != 0)
    return errno;
  return 0;
}

int move_onto(int tree, int target) {
  if (::syscall(SYS_move_mount, tree, "", target, "", kMoveMountFEmptyPath | kMoveMountTEmptyPath) != 0) return errno;
  return 0;
}

uint64_t mount_id(int fd) {
  struct statx sx;
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) != 0 || !(sx.stx_mask & STATX_MNT_ID)) return 0;
  return sx.stx_mnt_id;
}

std::string parent_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == 0 || s == std::string::npos ? std::string("/") : p.substr(0, s);
}

// Why a symlink error means what it does.
std::string why_loop(int e) { return e == ELOOP ? ": a symbolic link in the path (refused)" : std::string(); }

class Helper {
 public:
  Helper(int out, const std::vector<std::string>& roots) : out_(out), roots_(roots) {}

  void report(size_t i, int err, const std::string& what) {
    Record r;
    std::memset(&r, 0, sizeof r);
    r.index = static_cast<int32_t>(i);
    r.err = err;
    std::snprintf(r.what, sizeof r.what, "%s", what.c_str());
    (void)!::write(out_, &r, sizeof r);
  }

  // In the helper's private copy of the host's tree: the folder by descriptor, its protections
  // mounted, one detached clone per destination. Returns 0 or the errno (what_ set).
  int prepare(const AttachRequest& q, std::vector<int>& trees) {
    what_ = "open " + q.real;
    int fd = open_path(AT_FDCWD, q.real, kResolveNoSymlinks);
    if (fd < 0) {
      what_ += why_loop(-fd);
      return -fd;
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) return close_with(fd, errno);
    if (q.ino && (st.st_dev != q.dev || st.st_ino != q.ino)) {
      what_ = q.real + " was replaced while it was being attached (refused)";
      return close_with(fd, ESTALE);
    }
    for (const auto& p : q.protect) {
      std::string rel = p.rel.substr(p.rel.find_first_not_of('/'));
      what_ = "protect " + q.real + p.rel + ": open";
      struct {
        unsigned long long flags, mode, resolve;
      } how{O_PATH | O_CLOEXEC, 0, kResolveNoSymlinks | kResolveBeneath};
      long pfd = ::syscall(SYS_openat2, fd, rel.c_str(), &how, sizeof how);
      if (pfd < 0) {
        if (errno == ENOENT) continue;  // gone since the plan looked: nothing to protect
        what_ += why_loop(errno);
        return close_with(fd, errno);
      }
      what_ = "protect " + q.real + p.rel + ": open_tree";
      int t = clone_tree(static_cast<int>(pfd), true);
      int e = t < 0 ? -t : 0;
      if (!e && p.ro) {
        what_ = "protect " + q.real + p.rel + ": read-only";
        e = set_attr(t, kAttrRdonly, 0, true);
      }
      if (!e) {
        what_ = "protect " + q.real + p.rel + ": move_mount";
        e = move_onto(t, static_cast<int>(pfd));
      }
      if (t >= 0) ::close(t);
      ::close(static_cast<int>(pfd));
      if (e) return close_with(fd, e);
    }
    for (size_t k = 0; k < q.dsts.size(); ++k) {
      what_ = "open_tree " + q.real;
      int t = clone_tree(fd, true);
      if (t < 0) return close_with(fd, -t);
      what_ = "mount_setattr nosuid,nodev " + q.real;
      if (int e = set_attr(t, kAttrNosuid | kAttrNodev, 0, true)) {
        ::close(t);
        return close_with(fd, e);
      }
      trees.push_back(t);
    }
    ::close(fd);
    return 0;
  }

  // In the sandbox's mount namespace: a directory at `dst` to mount on, by descriptor. A missing
  // one is created, only on the sandbox's own tmpfs mounts (its root, HOME, /tmp): through a
  // private clone of that mount with the read-only flag cleared, so the root stays read-only
  // for everything inside throughout. Returns the descriptor or -errno (what_ set).
  int mount_point(const std::string& dst) {
    what_ = "mount point " + dst;
    int fd = open_path(AT_FDCWD, dst, kResolveNoSymlinks);
    if (fd >= 0 || fd != -ENOENT) {
      if (fd < 0) what_ += why_loop(-fd);
      return fd;
    }
    std::string have = dst;
    std::vector<std::string> missing;
    int afd = -ENOENT;
    while (afd == -ENOENT && have != "/") {
      auto s = have.rfind('/');
      missing.insert(missing.begin(), have.substr(s + 1));
      have = parent_of(have);
      afd = open_path(AT_FDCWD, have, kResolveNoSymlinks);
    }
    if (afd < 0) {
      what_ += ": open " + have + why_loop(-afd);
      return afd;
    }
    uint64_t id = mount_id(afd);
    bool own = false;
    for (const auto& r : roots_) {
      int rfd = open_path(AT_FDCWD, r, kResolveNoSymlinks);
      if (rfd < 0) continue;
      struct statfs sf;
      own = own || (id && mount_id(rfd) == id && ::fstatfs(rfd, &sf) == 0 && sf.f_type == kTmpfsMagic);
      ::close(rfd);
    }
    if (!own) {
      ::close(afd);
      what_ += ": cannot create it: " + have + " is inside another mount (a host directory bound into the sandbox)";
      return -EROFS;
    }
    int t = clone_tree(afd, false);
    if (t == -EINVAL) t = clone_tree(afd, true);  // (a mount below it that this kernel locked)
    ::close(afd);
    if (t < 0) {
      what_ += ": open_tree " + have;
      return t;
    }
    int e = set_attr(t, 0, kAttrRdonly, false);
    int cur = t;
    for (size_t i = 0; !e && i < missing.size(); ++i) {
      if (::mkdirat(cur, missing[i].c_str(), 0755) != 0 && errno != EEXIST) e = errno;
      int next = e ? -e : open_path(cur, missing[i], kResolveNoSymlinks | kResolveBeneath | kResolveNoXdev);
      if (next < 0) e = -next;
      if (cur != t) ::close(cur);
      cur = next;
    }
    if (cur >= 0 && cur != t) ::close(cur);
    ::close(t);
    if (e) {
      what_ += ": mkdir" + why_loop(e);
      return -e;
    }
    fd = open_path(AT_FDCWD, dst, kResolveNoSymlinks);
    if (fd < 0) what_ += why_loop(-fd);
    return fd;
  }

  const std::string& what() const { return what_; }

 private:
  int close_with(int fd, int e) {
    ::close(fd);
    return e;
  }
  int out_;
  const std::vector<std::string>& roots_;
  std::string what_;
};

[[noreturn]] void helper_main(int out, int userns, int mntns, const std::vector<std::string>& private_roots,
                              const std::vector<AttachRequest>& reqs, pid_t parent) {
  Helper h(out, private_roots);
  auto fail_all = [&](int e, const std::string& what) {
    for (size_t i = 0; i < reqs.size(); ++i) h.report(i, e, what);
    ::_exit(1);
  };
  // Dies with the launcher; nothing of the sandbox's may read our memory (we hold its
  // namespaces and, for a moment, privileges in them).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail_all(errno, "prctl PR_SET_PDEATHSIG");
  if (::getppid() != parent) ::_exit(1);
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail_all(errno, "prctl PR_SET_DUMPABLE");
  // The user namespace first: it is what makes the rest possible without privileges.
  if (::setns(userns, CLONE_NEWUSER) != 0) fail_all(errno, "setns user namespace");
  // A private copy of the host's tree, owned by the sandbox's user namespace: the folder is
  // opened and cloned here (open_tree clones only from the caller's own mount namespace).
  if (::unshare(CLONE_NEWNS) != 0) fail_all(errno, "unshare mount namespace");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail_all(errno, "mount --make-rprivate /");
  std::vector<std::vector<int>> trees(reqs.size());
  std::vector<int> errs(reqs.size(), 0);
  for (size_t i = 0; i < reqs.size(); ++i) {
    errs[i] = h.prepare(reqs[i], trees[i]);
    if (errs[i]) h.report(i, errs[i], h.what());
  }
  if (::setns(mntns, CLONE_NEWNS) != 0) fail_all(errno, "setns the sandbox's mount namespace");
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (errs[i]) continue;
    int e = 0;
    for (size_t k = 0; !e && k < reqs[i].dsts.size(); ++k) {
      int t = h.mount_point(reqs[i].dsts[k]);
      if (t < 0) {
        e = -t;
        h.report(i, e, h.what());
        break;
      }
      if ((e = move_onto(trees[i][k], t))) h.report(i, e, "move_mount " + reqs[i].real + " -> " + reqs[i].dsts[k]);
      ::close(t);
    }
    if (!e) h.report(i, 0, "");
  }
  ::_exit(0);
}

}  // namespace

std::vector<AttachResult> attach_folders(int userns_fd, int mntns_fd, const std::vector<std::string>& private_roots,
                                         const std::vector<AttachRequest>& reqs) {
  std::vector<AttachResult> res(reqs.size());
  auto all = [&](int e, const std::string& what) {
    for (auto& r : res) r = {e, what};
    return res;
  };
  if (reqs.empty()) return res;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return all(errno, "pipe2");
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(p[0]);
    ::close(p[1]);
    return all(e, "fork the attach helper");
  }
  if (pid == 0) {
    ::close(p[0]);
    helper_main(p[1], userns_fd, mntns_fd, private_roots, reqs, parent);
  }
  ::close(p[1]);
  std::vector<bool> seen(reqs.size(), false);
  Record r;
  for (;;) {
    ssize_t n = ::read(p[0], &r, sizeof r);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof r)) break;
    if (r.index < 0 || static_cast<size_t>(r.index) >= reqs.size() || seen[r.index]) continue;
    seen[r.index] = true;
    r.what[sizeof r.what - 1] = 0;
    res[r.index] = {r.err, r.what};
  }
  ::close(p[0]);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  for (size_t i = 0; i < reqs.size(); ++i)
    if (!seen[i]) res[i] = {EPIPE, "the attach helper ended early (status " + std::to_string(st) + ")"};
  return res;
}

}  // namespace gsb::sys
