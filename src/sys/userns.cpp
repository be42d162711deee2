#include "gopls_sandbox/sys/userns.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace gsb::sys {

namespace {
int write_proc(const char* path, const char* data) noexcept {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  size_t len = std::strlen(data);
  ssize_t n = ::write(fd, data, len);
  int e = n < 0 ? errno : (static_cast<size_t>(n) != len ? EIO : 0);
  ::close(fd);
  return e;
}
}  // namespace

int write_self_id_maps(unsigned uid, unsigned gid, const char** what) noexcept {
  char buf[64];
  // setgroups must be denied before an unprivileged gid_map write (and it keeps the
  // supplementary groups from being dropped to gain access inside).
  *what = "/proc/self/setgroups";
  int e = write_proc("/proc/self/setgroups", "deny");
  if (e && e != ENOENT) return e;
  std::snprintf(buf, sizeof buf, "%u %u 1\n", uid, uid);
  *what = "/proc/self/uid_map";
  if ((e = write_proc("/proc/self/uid_map", buf))) return e;
  std::snprintf(buf, sizeof buf, "%u %u 1\n", gid, gid);
  *what = "/proc/self/gid_map";
  if ((e = write_proc("/proc/self/gid_map", buf))) return e;
  return 0;
}

}  // namespace gsb::sys
