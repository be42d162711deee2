#include "gopls_sandbox/sys/fs_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gsb::sys {

namespace {

void usage_at(int dfd, dev_t dev, TreeUsage& u, int depth) {
  if (depth > 512) return;
  DIR* d = ::fdopendir(dfd);
  if (!d) {
    ::close(dfd);
    return;
  }
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != dev) continue;
    u.bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    ++u.entries;
    if (S_ISDIR(st.st_mode)) {
      int sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) usage_at(sub, dev, u, depth + 1);
    }
  }
  ::closedir(d);
}

// Empties the directory open at dfd (closed here). Returns 0 or an errno, with the failing name.
int empty_dir(int dfd, dev_t dev, const std::string& path, std::string& failed, int depth) {
  if (depth > 512) {
    ::close(dfd);
    failed = path;
    return ELOOP;
  }
  (void)::fchmod(dfd, 0700);  // a read-only directory of Go's module cache, copied up
  DIR* d = ::fdopendir(dfd);
  if (!d) {
    int e = errno;
    ::close(dfd);
    failed = path;
    return e;
  }
  int err = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    std::string p = path + "/" + e->d_name;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) {  // a mount point: not ours to empty
        failed = p;
        err = EXDEV;
        break;
      }
      int sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0 && errno == EACCES) {  // overlayfs leaves its work/work at mode 000
        (void)::fchmodat(::dirfd(d), e->d_name, 0700, AT_SYMLINK_NOFOLLOW);
        sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (sub < 0) {
        failed = p;
        err = errno;
        break;
      }
      if ((err = empty_dir(sub, dev, p, failed, depth + 1))) break;
      if (::unlinkat(::dirfd(d), e->d_name, AT_REMOVEDIR) != 0) {
        failed = p;
        err = errno;
        break;
      }
    } else if (::unlinkat(::dirfd(d), e->d_name, 0) != 0) {
      failed = p;
      err = errno;
      break;
    }
  }
  ::closedir(d);
  return err;
}

}  // namespace

TreeUsage tree_usage(const std::string& path) {
  TreeUsage u;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return u;
  u.bytes = static_cast<uint64_t>(st.st_blocks) * 512;
  u.entries = 1;
  if (!S_ISDIR(st.st_mode)) return u;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) usage_at(fd, st.st_dev, u, 0);
  return u;
}

Result<void> remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return Error::sys(path, "lstat", errno);
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Error::sys(path, "open", errno);
    std::string failed;
    if (int e = empty_dir(fd, st.st_dev, path, failed, 0)) return Error::sys(failed, "remove", e);
    if (::rmdir(path.c_str()) != 0) return Error::sys(path, "rmdir", errno);
    return {};
  }
  if (::unlink(path.c_str()) != 0) return Error::sys(path, "unlink", errno);
  return {};
}

Result<int> lock_shared(const std::string& lock_path) {
  // The file may be removed by a prune between our open and our lock: then lock the new one.
  for (int tries = 0; tries < 8; ++tries) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Error::sys(lock_path, "open", errno);
    int r;
    while ((r = ::flock(fd, LOCK_SH)) != 0 && errno == EINTR) {
    }
    if (r != 0) {
      int e = errno;
      ::close(fd);
      return Error::sys(lock_path, "flock", e);
    }
    struct stat a, b;
    if (::fstat(fd, &a) == 0 && ::stat(lock_path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
      return fd;
    ::close(fd);
    auto slash = lock_path.rfind('/');  // pruned: its directory is gone too
    if (slash != std::string::npos) ::mkdir(lock_path.substr(0, slash).c_str(), 0700);
  }
  return Error::sys(lock_path, "flock", EAGAIN);
}

Result<int> try_lock_exclusive(const std::string& lock_path) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error::sys(lock_path, "open", errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) return -1;
    return Error::sys(lock_path, "flock", e);
  }
  return fd;
}

}  // namespace gsb::sys
