#include "gopls_sandbox/sys/seccomp.hpp"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace gsb::sys {

int load_filter(const sock_filter* prog, size_t len, bool want_listener, int* listener_fd) noexcept {
  if (listener_fd) *listener_fd = -1;
  struct sock_fprog fp;
  fp.len = static_cast<unsigned short>(len);
  fp.filter = const_cast<sock_filter*>(prog);
  unsigned flags = want_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
  if (r < 0) return errno;
  if (want_listener && listener_fd) *listener_fd = static_cast<int>(r);
  return 0;
}

bool kernel_supports_user_notif() noexcept {
  unsigned action = SECCOMP_RET_USER_NOTIF;
  return ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

}  // namespace gsb::sys
